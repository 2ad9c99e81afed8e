"""OrderedReady halts on an unhealthy pod and resumes once it is healthy again; Parallel
never waits; minReadySeconds paces OrderedReady."""

from __future__ import annotations

import asyncio

from support.statefulset import Harness, defaulted_statefulset, kubelet


async def test_ordered_ready_halts_on_an_unready_pod_and_resumes(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("halt", 2))
    await harness.ready("halt", 0)
    await harness.ready("halt", 1)
    await harness.status("halt", lambda s: s.get("readyReplicas") == 2)
    await harness.set_pod_status("halt-0", ready=False)
    await harness.status("halt", lambda s: s.get("readyReplicas") == 1)
    await harness.patch("halt", {"spec": {"replicas": 4}})
    await asyncio.sleep(1.5)
    assert await harness.live_ordinals("halt") == [0, 1]
    await harness.set_pod_status("halt-0", ready=True)
    await harness.wait_ordinals("halt", [0, 1, 2])
    await harness.ready("halt", 2)
    await harness.wait_ordinals("halt", [0, 1, 2, 3])


async def test_ordered_ready_does_not_scale_down_past_an_unready_pod(harness: Harness) -> None:
    async with kubelet(harness, "down"):
        await harness.create(defaulted_statefulset("down", 3))
        await harness.status("down", lambda s: s.get("readyReplicas") == 3)
    await harness.set_pod_status("down-0", ready=False)
    await harness.status("down", lambda s: s.get("readyReplicas") == 2)
    await harness.patch("down", {"spec": {"replicas": 1}})
    await asyncio.sleep(1.5)
    assert await harness.live_ordinals("down") == [0, 1, 2]
    await harness.set_pod_status("down-0", ready=True)
    await harness.wait_ordinals("down", [0])


async def test_parallel_does_not_wait_for_pods(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("par", 4, pod_management="Parallel"))
    await harness.wait_ordinals("par", [0, 1, 2, 3])
    await harness.patch("par", {"spec": {"replicas": 1}})
    await harness.wait_ordinals("par", [0])


async def test_min_ready_seconds_paces_ordered_creation(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("slow", 2, rolling={"minReadySeconds": 2}))
    await harness.ready("slow", 0)
    await asyncio.sleep(0.5)
    assert await harness.live_ordinals("slow") == [0]
    # Available once ready for two seconds: then pod 1 follows without another event.
    await harness.wait_ordinals("slow", [0, 1], within=15)
