"""kruise-py's side of informer-10k-pods: a pod ``Cache`` over all namespaces.

Run in a fresh process per run: ``python bench/scenarios/informer.py --kubeconfig K``.
It prints one JSON line to stdout (logs go to stderr).

Two phases in one process, so tracemalloc's slowdown never touches the timing:

1. timing: a ``Cache`` for pods is started and waited on; ``sync_seconds`` is the time
   from ``start()`` until ``wait_for_sync()`` returns. The process RSS before and after
   (each after ``gc.collect()``) gives ``rss_delta_bytes``. The cache is then stopped
   and dropped. A second cache then syncs with the cyclic GC paused
   (``sync_seconds_gc_paused``, a diagnostic: how much of the time the GC takes while
   the decoder builds thousands of dicts).
2. memory: with tracemalloc on, a second ``Cache`` syncs; after ``gc.collect()`` the
   traced size (minus the size before) divided by the cached pods is ``bytes_per_pod``.
   The cached objects are walked once to say where those bytes go.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from kruise.runtime import log
from kruise.runtime.cache import Cache
from kruise.runtime.client import PODS, Client, load_config


def rss_bytes() -> int:
    """VmRSS of this process; 0 where /proc is missing."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def size_breakdown(objects: list[Any]) -> dict[str, int]:
    """Bytes of every distinct object reachable from ``objects``, by type name
    (``sys.getsizeof``; shared objects such as interned keys count once)."""
    seen: set[int] = set()
    sizes: Counter[str] = Counter()
    stack: list[Any] = list(objects)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        sizes[type(obj).__name__] += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple):
            stack.extend(obj)
    return dict(sizes)


async def sync_cache(client: Client, wait_seconds: float) -> tuple[Cache, float]:
    cache = Cache(client)
    cache.informer(PODS)
    started = time.perf_counter()
    await cache.start()
    if not await cache.wait_for_sync(timeout=wait_seconds):
        raise TimeoutError(f"the pod cache did not sync within {wait_seconds:.0f}s")
    return cache, time.perf_counter() - started


async def measure(kubeconfig: str, wait_seconds: float) -> dict[str, Any]:
    config = await load_config(kubeconfig)

    # Phase 1: timing (and RSS), without tracemalloc.
    async with Client(config) as client:
        gc.collect()
        rss_before = rss_bytes()
        cache, seconds = await sync_cache(client, wait_seconds)
        gc.collect()
        rss_delta = rss_bytes() - rss_before
        await cache.stop()
        del cache
        gc.collect()

        # Diagnostic: the same with the cyclic GC paused while the cache syncs.
        gc.disable()
        try:
            cache, seconds_gc_paused = await sync_cache(client, wait_seconds)
        finally:
            gc.enable()
        await cache.stop()
        del cache
    gc.collect()

    # Phase 2: memory retained by the cache, traced.
    async with Client(config) as client:
        gc.collect()
        tracemalloc.start()
        traced_before = tracemalloc.get_traced_memory()[0]
        cache, _ = await sync_cache(client, wait_seconds)
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0] - traced_before
        tracemalloc.stop()
        pods = (await cache.synced_informer(PODS)).store.list()
        breakdown = size_breakdown(pods)
        json_bytes = sum(len(json.dumps(p, separators=(",", ":"))) for p in pods)
        count = len(pods)
        await cache.stop()

    return {
        "pods": count,
        "sync_seconds": seconds,
        "sync_seconds_gc_paused": seconds_gc_paused,
        "heap_bytes": traced,
        "bytes_per_pod": traced / count if count else None,
        "rss_delta_bytes": rss_delta,
        "breakdown_bytes_per_pod": {k: v / count for k, v in breakdown.items()} if count else {},
        "stored_json_bytes_per_pod": json_bytes / count if count else None,
        "python": sys.version.split()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    log.configure("json")
    result = asyncio.run(measure(args.kubeconfig, args.timeout))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
