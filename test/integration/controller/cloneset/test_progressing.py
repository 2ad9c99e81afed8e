"""The Progressing condition against a real API server: a CloneSet reaching
CloneSetAvailable, an update going through CloneSetUpdated to ProgressPartitionAvailable,
CloneSetPaused, maxInt32 (no condition), and ProgressDeadlineExceeded noticed by the
controller's own requeue as an injected clock passes the deadline."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from support.cloneset import Harness, defaulted_cloneset, play_kubelet, set_image
from support.pods import condition, live
from support.polling import eventually

from kruise.controller import cloneset
from kruise.runtime.client import Client
from kruise.runtime.clock import FakeClock
from kruise.runtime.envtest import ControlPlane
from kruise.runtime.manager import Manager, ManagerOptions
from kruise.util.pods import parse_time

Obj = dict[str, Any]
MAX_INT32 = 2**31 - 1
AVAILABLE = ("True", "CloneSetAvailable", "CloneSet is available")
UPDATED = ("True", "CloneSetUpdated", "CloneSet is progressing")
PAUSED = ("True", "CloneSetPaused", "CloneSet is paused")
PARTITION = (
    "True",
    "ProgressPartitionAvailable",
    "CloneSet has been paused due to partition ready",
)


def with_deadline(obj: Obj, seconds: int | None) -> Obj:
    if seconds is not None:
        obj["spec"]["progressDeadlineSeconds"] = seconds
    return obj


def without_times(cond: Obj | None) -> tuple[str, str, str] | None:
    """The Progressing condition as OpenKruise's e2e suite compares it: times left out."""
    if cond is None:
        return None
    assert set(cond) == {
        "type",
        "status",
        "reason",
        "message",
        "lastUpdateTime",
        "lastTransitionTime",
    }
    return cond["status"], cond["reason"], cond["message"]


async def progress(harness: Harness, name: str, expected: Any, within: float = 30.0) -> Obj:
    """The CloneSet once its Progressing condition (times left out) is ``expected``, and
    its status is for its latest generation."""

    async def check() -> Obj | None:
        cs = await harness.get(name)
        status = cs.get("status") or {}
        if status.get("observedGeneration") != cs["metadata"]["generation"]:
            return None
        found = without_times(condition(cs, "Progressing"))
        return cs if found == expected else None

    return await eventually(check, timeout=within, what=f"Progressing of {name} to be {expected}")


async def test_a_new_cloneset_is_updated_then_available(harness: Harness) -> None:
    await harness.create(with_deadline(defaulted_cloneset("web", 2), 600))
    await progress(harness, "web", UPDATED)
    await harness.all_ready("web", 2)
    cs = await progress(harness, "web", AVAILABLE)
    cond = condition(cs, "Progressing")
    assert cond is not None
    assert cs["status"]["updatedAvailableReplicas"] == 2
    assert cs["status"]["expectedUpdatedReplicas"] == 2
    # True all along, so the transition time is the rollout's start.
    assert parse_time(cond["lastTransitionTime"]) <= parse_time(cond["lastUpdateTime"])


async def test_an_update_with_a_partition_ends_partition_available(harness: Harness) -> None:
    obj = defaulted_cloneset("web", 4, partition=2, maxUnavailable=2)
    await harness.create(with_deadline(obj, 600))
    await harness.all_ready("web", 4)
    await progress(harness, "web", AVAILABLE)
    await set_image(harness, "web", "nginx:2.0")
    await progress(harness, "web", UPDATED)
    stop = asyncio.Event()
    kubelet = asyncio.create_task(play_kubelet(harness, "web", stop))
    try:
        cs = await progress(harness, "web", PARTITION, within=60)
    finally:
        stop.set()
        await kubelet
    assert cs["status"]["expectedUpdatedReplicas"] == 2
    assert cs["status"]["updatedAvailableReplicas"] == 2


async def test_paused_then_resumed(harness: Harness) -> None:
    await harness.create(with_deadline(defaulted_cloneset("web", 2, paused=True), 600))
    await progress(harness, "web", PAUSED)
    await harness.patch("web", {"spec": {"updateStrategy": {"paused": False}}})
    await progress(harness, "web", UPDATED)
    await harness.all_ready("web", 2)
    await progress(harness, "web", AVAILABLE)


async def test_max_int32_means_no_condition_until_a_deadline_is_set(harness: Harness) -> None:
    obj = defaulted_cloneset("web", 1)
    obj["spec"]["minReadySeconds"] = MAX_INT32
    await harness.create(with_deadline(obj, MAX_INT32))
    await harness.all_ready("web", 1)

    async def ready() -> Obj | None:
        cs = await harness.get("web")
        return cs if (cs.get("status") or {}).get("readyReplicas") == 1 else None

    cs = await eventually(ready, what="the pod ready in the status")
    assert cs["spec"]["progressDeadlineSeconds"] == MAX_INT32
    assert condition(cs, "Progressing") is None
    await harness.patch("web", {"spec": {"minReadySeconds": 0, "progressDeadlineSeconds": 600}})
    await progress(harness, "web", AVAILABLE)
    await harness.patch("web", {"spec": {"progressDeadlineSeconds": None}})
    await progress(harness, "web", None)


@pytest.fixture
async def clocked(
    kruise_crds: ControlPlane, client: Client, namespace: str
) -> AsyncIterator[tuple[Harness, FakeClock]]:
    """The CloneSet controller on a manager whose clock only the test moves."""
    clock = FakeClock(wall_start=time.time())
    manager = Manager(
        client,
        ManagerOptions(metrics_addr="0", health_probe_addr="0", namespace=namespace),
        registry=CollectorRegistry(),
        clock=clock,
    )
    h = Harness(client, namespace, manager)
    h.controller = await cloneset.setup(manager)
    assert h.controller is not None
    stop = asyncio.Event()
    task = asyncio.create_task(manager.run(stop))
    try:
        yield h, clock
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)


async def test_the_deadline_passing_is_noticed_without_an_event(
    clocked: tuple[Harness, FakeClock],
) -> None:
    harness, clock = clocked
    await harness.create(with_deadline(defaulted_cloneset("web", 1), 30))
    await harness.pod_count("web", 1)
    cs = await progress(harness, "web", UPDATED)
    revision = cs["status"]["updateRevision"]
    started = parse_time((condition(cs, "Progressing") or {}).get("lastUpdateTime"))
    assert started is not None
    exceeded = (
        "False",
        "ProgressDeadlineExceeded",
        f"CloneSet revision {revision} has timed out progressing",
    )

    # Nothing changes in the cluster from here on: only the controller's requeue, timed by
    # its clock, can bring the next reconcile.
    async def timed_out() -> Obj | None:
        await clock.advance(5)
        cs = await harness.get("web")
        return cs if without_times(condition(cs, "Progressing")) == exceeded else None

    cs = await eventually(timed_out, what="ProgressDeadlineExceeded")
    cond = condition(cs, "Progressing")
    assert cond is not None
    assert cond["lastTransitionTime"] == cond["lastUpdateTime"]
    timed_out_at = parse_time(cond["lastUpdateTime"])
    assert timed_out_at is not None
    assert timed_out_at >= started + 30

    pod = live(await harness.pods("web"))[0]
    await harness.set_pod_status(pod["metadata"]["name"])
    await progress(harness, "web", AVAILABLE)
