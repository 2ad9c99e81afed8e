"""kruise-py's side of workqueue-throughput: ``kruise.runtime.workqueue.Queue`` in asyncio.

``python bench/scenarios/workqueue.py --ops N --workers 4`` prints one JSON line.

One producer adds ``ops`` keys, every fifth repeating the key added two before it (the
same sequence as the Go peer), yielding to the loop every ``--batch`` adds so workers
run while keys arrive; ``workers`` tasks loop ``get`` then ``done``, taking a queued item
with ``get_nowait`` first as the controllers' workers do. After the last add
the queue is shut down and the workers drain it. The figure is (adds + gets) per second
from the first add until the last worker returned. The queue has no name, hence no
metrics, like the peer's ``workqueue.NewTyped``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from kruise.runtime.workqueue import Queue, ShutDown


def throughput_keys(ops: int) -> list[str]:
    """The add sequence shared with bench/go/workqueue: 20 % repeat a recent key."""
    keys = []
    for j in range(ops):
        ident = j - 2 if j % 5 == 4 else j
        keys.append(f"ns-{ident % 10}/item-{ident}")
    return keys


async def throughput(ops: int, workers: int, batch: int) -> dict[str, Any]:
    keys = throughput_keys(ops)
    queue: Queue[str] = Queue()
    gets = 0

    async def worker() -> None:
        nonlocal gets
        while True:
            try:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    item = await queue.get()
            except ShutDown:
                return
            gets += 1
            queue.done(item)

    started = time.perf_counter()
    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    for start in range(0, len(keys), batch):
        for key in keys[start : start + batch]:
            queue.add(key)
        await asyncio.sleep(0)
    queue.shut_down()
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    return {
        "mode": "throughput",
        "ops": ops,
        "workers": workers,
        "adds": len(keys),
        "gets": gets,
        "seconds": seconds,
        "ops_per_second": (len(keys) + gets) / seconds,
        "python": sys.version.split()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    result = asyncio.run(throughput(args.ops, args.workers, args.batch))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
