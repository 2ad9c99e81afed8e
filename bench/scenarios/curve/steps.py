"""What one run does on its cluster: the foreign pods, then the CloneSet at 0 and the
baseline readings, then each scale step and the manager's readings at its end."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..cloneset.manifests import cloneset
from ..cloneset.phases import observed
from ..common.observer import ScaleTracker, parse_proc
from ..common.waiting import follow, say, wait_async, wait_tracker
from ..pods import FIELD_MANAGER, namespace_name, pod
from .plan import API_VERSIONS, NAME, NAMESPACE, step_deadline

NO_SCHEDULER = "bench-no-scheduler"
"""The foreign pods' schedulerName: no scheduler serves it, so they stay Pending and no
scheduler retries them (which kube-scheduler would do for unschedulable pods every few
minutes, on the shared cores, while a contender is measured)."""
QUIET_CPU = 0.04
"""CPU seconds over ``QUIET_WINDOW`` below which the manager counts as idle."""
QUIET_WINDOW = 2.0
IDLE_WINDOW = 5.0


def parse_rss(status_text: str) -> float:
    """VmRSS of /proc/<pid>/status in MiB (0 when absent)."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def readings(pid: int) -> dict[str, float]:
    """The process's resident memory now (MiB) and CPU so far (utime + stime)."""
    status = Path(f"/proc/{pid}/status").read_text()
    _, cpu = parse_proc(status, Path(f"/proc/{pid}/stat").read_text(), os.sysconf("SC_CLK_TCK"))
    return {"rss_mb": parse_rss(status), "cpu_seconds": cpu}


async def settle(pid: int, limit: float) -> float:
    """Wait until the manager spends less than ``QUIET_CPU`` over ``QUIET_WINDOW`` (at most
    ``limit`` seconds); returns the seconds waited."""
    started = time.monotonic()
    before = readings(pid)["cpu_seconds"]
    while time.monotonic() - started < limit:
        await asyncio.sleep(QUIET_WINDOW)
        now = readings(pid)["cpu_seconds"]
        if now - before < QUIET_CPU:
            break
        before = now
    return time.monotonic() - started


def foreign_pod(index: int, namespaces: int) -> dict[str, Any]:
    """``scenarios.pods``' realistic pod, left to no scheduler."""
    manifest = pod(index, namespaces)
    manifest["spec"]["schedulerName"] = NO_SCHEDULER
    return manifest


async def create_foreign(client: Any, count: int, namespaces: int, concurrency: int = 32) -> float:
    """Create the namespaces and ``count`` foreign pods; returns the seconds it took."""
    from kruise.runtime.client import NAMESPACES, PODS, is_already_exists  # noqa: PLC0415

    for index in range(namespaces):
        try:
            await client.create(NAMESPACES, {"metadata": {"name": namespace_name(index)}})
        except Exception as err:
            if not is_already_exists(err):
                raise
    started = time.perf_counter()
    indexes = iter(range(count))

    async def creator() -> None:
        for index in indexes:
            try:
                await client.create(
                    PODS, foreign_pod(index, namespaces), field_manager=FIELD_MANAGER
                )
            except Exception as err:
                if not is_already_exists(err):
                    raise

    await asyncio.gather(*(creator() for _ in range(concurrency)))
    return time.perf_counter() - started


def cloneset_resource(contender: str) -> Any:
    from kruise.runtime.client import Resource  # noqa: PLC0415

    version = API_VERSIONS[contender].split("/")[1]
    return Resource("apps.kruise.io", version, "clonesets", "CloneSet")


async def curve(
    client: Any,
    contender: str,
    *,
    sizes: Sequence[int],
    pid: int,
    alive: Callable[[], None],
    result: dict[str, Any],
) -> None:
    """The CloneSet at 0, the baseline, then each step into ``result["steps"]``."""
    from kruise.runtime.client import NAMESPACES  # noqa: PLC0415

    clonesets = cloneset_resource(contender)
    await client.create(NAMESPACES, {"metadata": {"name": NAMESPACE}})
    created = await client.create(
        clonesets, cloneset(NAME, NAMESPACE, 0, api_version=API_VERSIONS[contender]), NAMESPACE
    )
    generation = created["metadata"]["generation"]
    await wait_async(
        lambda: observed(client, clonesets, NAMESPACE, NAME, generation),
        f"{contender} to reconcile the CloneSet (status.observedGeneration)",
        120,
        alive,
    )
    # Its caches hold the foreign pods by now (controllers start once they are synced);
    # the start-up work on them (every pod handler sees 10,000 adds) is let finish.
    waited = await settle(pid, 90)
    result["baseline"] = readings(pid)
    # What the idle manager spends per second: long steps (kwok may be slow to turn pods
    # Ready) carry that much more of it.
    await asyncio.sleep(IDLE_WINDOW)
    result["idle_cpu_per_second"] = (
        readings(pid)["cpu_seconds"] - result["baseline"]["cpu_seconds"]
    ) / IDLE_WINDOW
    result["baseline"] = readings(pid)
    say(f"{contender}: baseline after {waited:.0f}s: {result['baseline']['rss_mb']:.0f} MiB")
    result["steps"] = []
    for size in sizes:
        seconds = await scale_step(client, clonesets, contender, size, alive)
        await settle(pid, 10)  # the step's trailing writes belong to it
        reading = readings(pid)
        result["steps"].append({"pods": size, "seconds_all_ready": seconds, **reading})
        say(
            f"{contender}: {size} pods Ready in {seconds:.1f}s; "
            f"{reading['rss_mb']:.0f} MiB, {reading['cpu_seconds']:.1f} CPU s so far"
        )


async def scale_step(
    client: Any, clonesets: Any, contender: str, size: int, alive: Callable[[], None]
) -> float:
    """Scale to ``size``; the seconds until ``size`` pods are Ready (a pod watch) and the
    CloneSet's status says so."""
    from kruise.runtime.client import PODS  # noqa: PLC0415

    listing = await client.list(PODS, NAMESPACE, label_selector=f"app={NAME}")
    tracker = ScaleTracker(size)
    now = time.monotonic()
    for item in listing.items:
        tracker.observe("ADDED", item, now)
    watch = asyncio.create_task(
        follow(client, PODS, NAMESPACE, listing.resource_version, tracker.observe)
    )
    await asyncio.sleep(0.2)  # the watch is open before the clock starts
    tracker.t0 = time.monotonic()
    patched = await client.patch(clonesets, NAME, {"spec": {"replicas": size}}, NAMESPACE)
    added = size - len(tracker.seen)
    await wait_tracker(tracker, [watch], step_deadline(added), f"{contender} {size}", alive)
    seconds = tracker.figures()["seconds_all_ready"]
    generation = patched["metadata"]["generation"]

    async def status_done() -> bool:
        status = (await client.get(clonesets, NAME, NAMESPACE)).get("status") or {}
        return (
            int(status.get("observedGeneration") or 0) >= generation
            and status.get("readyReplicas") == size
        )

    await wait_async(status_done, f"the CloneSet's status to say {size} Ready", 120, alive)
    return seconds
