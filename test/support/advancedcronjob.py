"""An AdvancedCronJob controller in this process, on the shared control plane (etcd and
kube-apiserver), on a manager whose clock only the test moves, and what its integration
tests do with it.

No kube-controller-manager runs here, so Jobs never run and nothing deletes a finished
child after its TTL: tests finish children by writing their status (``finish``) and play
the TTL controller by deleting them. No webhook runs either, so AdvancedCronJobs are written
with the fields the defaulting webhook would fill (``defaulted_acj``). The manager caches
only the test's namespace, so tests do not see each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import math
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import CollectorRegistry

from kruise.apis.apps.v1alpha1 import ADVANCEDCRONJOBS, BROADCASTJOBS
from kruise.controller import advancedcronjob
from kruise.runtime.client import JOBS, Client, Conflict, NotFound, Resource
from kruise.runtime.clock import FakeClock
from kruise.runtime.controller import Controller
from kruise.runtime.manager import Manager, ManagerOptions
from kruise.runtime.reconcile import Request, Result
from support.events import events_about, wait_for_event
from support.polling import eventually

Obj = dict[str, Any]

POD_TEMPLATE: Obj = {
    "metadata": {"labels": {"app": "cron"}},
    "spec": {
        "restartPolicy": "Never",
        "containers": [{"name": "main", "image": "busybox:1.36", "command": ["true"]}],
    },
}


def defaulted_acj(name: str, schedule: str, *, broadcast: bool = False, **spec: Any) -> Obj:
    """An AdvancedCronJob with a Job template (or a BroadcastJob one), as the defaulting
    webhook leaves it; ``spec`` sets or overrides top-level spec fields."""
    if broadcast:
        template: Obj = {
            "broadcastJobTemplate": {
                "metadata": {"labels": {"run": name}},
                "spec": {
                    "template": copy.deepcopy(POD_TEMPLATE),
                    "parallelism": 2147483647,
                    "completionPolicy": {"type": "Always"},
                    "failurePolicy": {"type": "FailFast"},
                },
            }
        }
    else:
        template = {
            "jobTemplate": {
                "metadata": {"labels": {"run": name}},
                "spec": {"template": copy.deepcopy(POD_TEMPLATE), "backoffLimit": 0},
            }
        }
    body: Obj = {
        "schedule": schedule,
        "concurrencyPolicy": "Allow",
        "paused": False,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 1,
        "template": template,
    }
    body.update(spec)
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "AdvancedCronJob",
        "metadata": {"name": name},
        "spec": body,
    }


def utc(text: str) -> float:
    """Seconds since the epoch of ``2027-03-14T06:30`` read as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def next_minute(t: float) -> float:
    """The first whole minute strictly after ``t``."""
    return (math.floor(t / 60) + 1) * 60.0


def next_transition(zone: str, *, forward: bool, after: float) -> float:
    """The first daylight-saving change in ``zone`` after ``after`` (clocks going forward,
    or back), to the hour: tests of it keep working whatever the date."""
    tz = ZoneInfo(zone)
    hour = datetime.fromtimestamp(math.floor(after / 3600) * 3600, UTC)
    for _ in range(2 * 366 * 24):
        nxt = hour + timedelta(hours=1)
        before, now = hour.astimezone(tz).utcoffset(), nxt.astimezone(tz).utcoffset()
        if before is not None and now is not None and before != now and (now > before) == forward:
            return nxt.timestamp()
        hour = nxt
    raise AssertionError(f"{zone} has no daylight-saving change")


def _job_status(succeeded: bool, now: str) -> Obj:
    """What the Job controller writes for a Job that finished."""
    if succeeded:
        conditions = ("SuccessCriteriaMet", "Complete")
        counts: Obj = {"succeeded": 1, "completionTime": now}
    else:
        conditions = ("FailureTarget", "Failed")
        counts = {"failed": 1}
    return {
        "startTime": now,
        **counts,
        "conditions": [
            {"type": t, "status": "True", "lastTransitionTime": now, "lastProbeTime": now}
            for t in conditions
        ],
    }


def _broadcastjob_status(succeeded: bool, now: str) -> Obj:
    """What the BroadcastJob controller writes for a job that finished."""
    cond = "Complete" if succeeded else "Failed"
    return {
        "startTime": now,
        "completionTime": now,
        "phase": "completed" if succeeded else "failed",
        "desired": 1,
        "succeeded": 1 if succeeded else 0,
        "failed": 0 if succeeded else 1,
        "conditions": [
            {"type": cond, "status": "True", "lastTransitionTime": now, "lastProbeTime": now}
        ],
    }


class Harness:
    """A running AdvancedCronJob controller, its clock, and helpers to play the Job
    controller."""

    def __init__(self, client: Client, namespace: str, manager: Manager, clock: FakeClock) -> None:
        self.client = client
        self.namespace = namespace
        self.manager = manager
        self.clock = clock
        self.controller: Controller | None = None

    async def create(self, obj: Obj) -> Obj:
        return await self.client.create(ADVANCEDCRONJOBS, obj, self.namespace)

    async def get(self, name: str) -> Obj:
        return await self.client.get(ADVANCEDCRONJOBS, name, self.namespace)

    async def patch(self, name: str, body: Obj) -> Obj:
        return await self.client.patch(ADVANCEDCRONJOBS, name, body, self.namespace)

    async def advance_to(self, wall: float) -> None:
        """Move the controller's clock to the wall time ``wall`` (never back)."""
        await self.clock.advance(max(wall - self.clock.wall(), 0.0))

    async def children(self, name: str, resource: Resource = JOBS) -> list[Obj]:
        """The children of AdvancedCronJob ``name`` in the API server, by name."""
        listed = await self.client.list(resource, self.namespace)
        mine = [
            c
            for c in listed.items
            if any(r.get("name") == name for r in c["metadata"].get("ownerReferences") or ())
        ]
        return sorted(mine, key=lambda c: c["metadata"]["name"])

    async def child_names(self, name: str, resource: Resource = JOBS) -> list[str]:
        return [c["metadata"]["name"] for c in await self.children(name, resource)]

    async def wait_children(
        self, name: str, names: list[str], resource: Resource = JOBS, within: float = 30.0
    ) -> list[Obj]:
        """The children of ``name`` once they are exactly ``names``."""

        async def check() -> tuple[list[Obj]] | None:
            children = await self.children(name, resource)
            found = [c["metadata"]["name"] for c in children]
            return (children,) if found == sorted(names) else None

        what = f"children {sorted(names)} of {name}"
        return (await eventually(check, timeout=within, what=what))[0]

    async def finish(self, child: str, resource: Resource = JOBS, *, succeeded: bool = True) -> Obj:
        """Play the Job (or BroadcastJob) controller: ``child`` succeeded or failed."""
        now = datetime.fromtimestamp(self.clock.wall(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        status = _job_status if resource == JOBS else _broadcastjob_status
        for _ in range(50):
            body = await self.client.get(resource, child, self.namespace)
            body["status"] = {**(body.get("status") or {}), **status(succeeded, now)}
            try:
                return await self.client.update_status(resource, body)
            except Conflict:
                await asyncio.sleep(0.05)
        pytest.fail(f"{child} kept conflicting")

    async def delete_child(self, child: str, resource: Resource = JOBS) -> None:
        """Delete ``child`` as a person or the TTL controller would, and wait until the
        controller's cache no longer shows it."""
        with contextlib.suppress(NotFound):
            # As kubectl and the TTL controller do; the API's default for Jobs orphans the
            # pods through a finalizer that only the garbage collector would remove.
            await self.client.delete(
                resource, child, self.namespace, propagation_policy="Background"
            )
        await self.wait_uncached(child, resource)

    async def wait_uncached(self, child: str, resource: Resource = JOBS) -> None:
        """Wait until the controller's cache no longer shows ``child``."""

        async def gone() -> bool:
            cached = await self.manager.cache.list(resource, self.namespace)
            return all(c["metadata"]["name"] != child for c in cached)

        await eventually(gone, what=f"{child} gone from the cache")

    async def reconcile(self, name: str) -> Result:
        """Reconcile ``name`` now (workers may run too), once the cache shows the
        AdvancedCronJob as the API server has it."""
        assert self.controller is not None

        async def cached() -> bool:
            stored = (await self.get(name))["metadata"]["resourceVersion"]
            seen = await self.manager.cache.get(ADVANCEDCRONJOBS, name, self.namespace)
            return bool(seen["metadata"]["resourceVersion"] == stored)

        await eventually(cached, what=f"the cache showing {name} as stored")
        return await self.controller.reconciler.reconcile(Request(self.namespace, name))

    async def wait_status(self, name: str, **expected: Any) -> Obj:
        """The AdvancedCronJob once each ``expected`` status field has that value (None:
        absent)."""

        async def check() -> Obj | None:
            acj = await self.get(name)
            status = acj.get("status") or {}
            return acj if all(status.get(k) == v for k, v in expected.items()) else None

        return await eventually(check, what=f"status {expected} of {name}")

    async def events(self, name: str) -> list[Obj]:
        return await events_about(self.client, self.namespace, name)

    async def wait_event(self, name: str, reason: str) -> Obj:
        """The first Event with ``reason`` about ``name``, once there is one."""
        return await wait_for_event(self.client, self.namespace, name, reason)

    def skew_count(self, kind: str = "Job") -> float:
        value = self.manager.registry.get_sample_value(
            "kruise_advancedcronjob_job_creation_skew_duration_seconds_count", {"kind": kind}
        )
        return value or 0.0


@contextlib.asynccontextmanager
async def running_harness(
    client: Client, namespace: str, *, wall_start: float | None = None
) -> AsyncIterator[Harness]:
    """An AdvancedCronJob controller whose clock reads ``wall_start`` (default: now) until
    the test moves it, running until the block ends."""
    clock = FakeClock(wall_start=time.time() if wall_start is None else wall_start)
    manager = Manager(
        client,
        ManagerOptions(metrics_addr="0", health_probe_addr="0", namespace=namespace),
        registry=CollectorRegistry(),
        clock=clock,
    )
    harness = Harness(client, namespace, manager, clock)
    harness.controller = await advancedcronjob.setup(manager)
    assert harness.controller is not None
    stop = asyncio.Event()
    task = asyncio.create_task(manager.run(stop))
    try:
        yield harness
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)


__all__ = [
    "BROADCASTJOBS",
    "JOBS",
    "Harness",
    "defaulted_acj",
    "next_minute",
    "next_transition",
    "running_harness",
    "utc",
]
