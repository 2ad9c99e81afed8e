"""The measured phase of one run: a BroadcastJob (or a DaemonSet) over every node, or
cron jobs (AdvancedCronJobs or native CronJobs) creating a child every minute."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from typing import Any

from ..common.observer import ProcessMeter, ScaleTracker
from ..common.waiting import RunError, follow, say, wait_async, wait_tracker
from .manifests import advanced_cron_job, broadcast_job, cron_job, daemonset
from .observer import LatenessTracker, SucceededTracker
from .plan import API, CRON_GRACE, KCM_CRONJOB, KCM_DAEMONSET, NAMES, broadcast_deadline

LEAD = 15.0
"""The least time between the last cron job created and the first measured run, so every
controller has seen every cron job before it counts."""


def resources() -> dict[str, Any]:
    from kruise.runtime.client import JOBS, Resource  # noqa: PLC0415

    return {
        "daemonsets": Resource("apps", "v1", "daemonsets", "DaemonSet"),
        "cronjobs": Resource("batch", "v1", "cronjobs", "CronJob"),
        "jobs": JOBS,
    }


def kruise_resource(contender: str, plural: str, kind: str) -> Any:
    from kruise.runtime.client import Resource  # noqa: PLC0415

    group, version = API[contender].split("/")
    return Resource(group, version, plural, kind)


async def ready_namespace(client: Any, name: str, alive: Callable[[], None]) -> None:
    """Create the namespace and wait for its default ServiceAccount, which pods need."""
    from kruise.runtime.client import NAMESPACES, SERVICE_ACCOUNTS  # noqa: PLC0415

    with contextlib.suppress(Exception):  # it may exist
        await client.create(NAMESPACES, {"metadata": {"name": name}})

    async def has_account() -> bool:
        try:
            await client.get(SERVICE_ACCOUNTS, "default", name)
        except Exception:
            return False
        return True

    await wait_async(has_account, f"the default ServiceAccount of {name}", 60, alive)


def job_complete(job: dict[str, Any]) -> bool:
    conditions = (job.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Complete" and c.get("status") == "True" for c in conditions)


async def broadcast_phase(
    client: Any, contender: str, nodes: int, meter: ProcessMeter, alive: Callable[[], None]
) -> dict[str, float]:
    """One pod on each of ``nodes`` nodes: the clock starts at the create request of the
    BroadcastJob (the DaemonSet for kube-controller-manager) and runs until the driver's
    pod watch has seen every pod Succeeded (Ready, for the DaemonSet)."""
    from kruise.runtime.client import PODS  # noqa: PLC0415

    name = namespace = NAMES["broadcast"]
    await ready_namespace(client, namespace, alive)
    native = contender == KCM_DAEMONSET
    if native:
        resource = resources()["daemonsets"]
        manifest = daemonset(name, namespace)
        tracker: ScaleTracker | SucceededTracker = ScaleTracker(nodes)
    else:
        resource = kruise_resource(contender, "broadcastjobs", "BroadcastJob")
        manifest = broadcast_job(name, namespace, API[contender])
        tracker = SucceededTracker(nodes)
    complete_at: list[float] = []

    def observe_job(_type: str, obj: dict[str, Any], now: float) -> None:
        if not complete_at and job_complete(obj):
            complete_at.append(now)

    pods = await client.list(PODS, namespace)
    jobs = await client.list(resource, namespace)
    watches = [
        asyncio.create_task(
            follow(client, PODS, namespace, pods.resource_version, tracker.observe)
        ),
        asyncio.create_task(
            follow(client, resource, namespace, jobs.resource_version, observe_job)
        ),
    ]
    await asyncio.sleep(0.2)  # the watches are open before the clock starts
    meter.start()
    tracker.t0 = time.monotonic()
    await client.create(resource, manifest, namespace)
    limit = broadcast_deadline(nodes)
    # wait_tracker cancels the watches it is given; the job's watch outlives it.
    await wait_tracker(tracker, watches[:1], limit, f"{contender} broadcast", alive)
    figures: dict[str, float] = {**tracker.figures(), **meter.figures()}
    if not native:
        with contextlib.suppress(RunError):
            await wait_async(_flag(complete_at), "the job's Complete condition", 60, alive)
        if complete_at:
            figures["seconds_job_complete"] = complete_at[0] - tracker.t0
    watches[1].cancel()
    await asyncio.gather(watches[1], return_exceptions=True)
    main = "seconds_all_ready" if native else "seconds_all_succeeded"
    say(f"{contender}: {nodes} pods on {nodes} nodes: {main} {figures[main]:.1f}s")
    return figures


def _flag(box: list[float]) -> Callable[[], Any]:
    async def check() -> bool:
        return bool(box)

    return check


def first_slot(after: float) -> float:
    """The first minute boundary at least ``LEAD`` seconds after ``after``."""
    return math.ceil((after + LEAD) / 60.0) * 60.0


async def cron_phase(
    client: Any,
    contender: str,
    count: int,
    minutes: int,
    *,
    meter: ProcessMeter,
    alive: Callable[[], None],
) -> dict[str, float]:
    """``count`` cron jobs with ``* * * * *``, created together; over the ``minutes``
    runs after them, how late each child Job was created after its scheduled minute."""
    name = namespace = NAMES["cron"]
    await ready_namespace(client, namespace, alive)
    native = contender == KCM_CRONJOB
    if native:
        resource = resources()["cronjobs"]
        manifests = [cron_job(f"{name}-{i}", namespace) for i in range(count)]
    else:
        resource = kruise_resource(contender, "advancedcronjobs", "AdvancedCronJob")
        api = API[contender]
        manifests = [advanced_cron_job(f"{name}-{i}", namespace, api) for i in range(count)]
    await asyncio.gather(*(client.create(resource, m, namespace) for m in manifests))
    first = first_slot(time.time())
    slots = frozenset(first + 60.0 * i for i in range(minutes))
    tracker = LatenessTracker(slots, count * minutes)
    offset = time.time() - time.monotonic()  # watch times are monotonic; slots are wall

    def observe(event_type: str, job: dict[str, Any], now: float) -> None:
        tracker.observe(event_type, job, now + offset)

    jobs_resource = resources()["jobs"]
    jobs = await client.list(jobs_resource, namespace)
    watch = asyncio.create_task(
        follow(client, jobs_resource, namespace, jobs.resource_version, observe)
    )
    say(f"{contender}: {count} cron jobs created; measuring the runs of {minutes} minute(s)")
    await _sleep_until(first - 2.0, watch, alive)
    meter.start()
    end = max(slots) + CRON_GRACE
    try:
        while not tracker.done and time.time() < end:
            if watch.done():
                raise RunError(f"the job watch ended: {watch.exception()!r}")
            alive()
            await asyncio.sleep(0.1)
    finally:
        watch.cancel()
        await asyncio.gather(watch, return_exceptions=True)
    figures = {**tracker.figures(missing_late=CRON_GRACE), **meter.figures()}
    figures["other_children"] = float(tracker.others)
    say(
        f"{contender}: {tracker.progress()}: p50 {figures['p50_seconds_late']:.2f}s, "
        f"p99 {figures['p99_seconds_late']:.2f}s, max {figures['max_seconds_late']:.2f}s late"
    )
    return figures


async def _sleep_until(wall: float, watch: asyncio.Task[None], alive: Callable[[], None]) -> None:
    while time.time() < wall:
        if watch.done():
            raise RunError(f"the job watch ended: {watch.exception()!r}")
        alive()
        await asyncio.sleep(min(1.0, max(0.0, wall - time.time())))
