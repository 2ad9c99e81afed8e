"""Rolling updates of an Advanced StatefulSet by recreation against a real API server:
partition, the one-at-a-time descending order, OnDelete, paused, rollback, the priority of
an unordered update and pods marked for deletion."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from support.pods import image_of, is_ready, live
from support.polling import eventually
from support.statefulset import (
    Harness,
    defaulted_statefulset,
    kubelet,
    ordinal_of,
    play_kubelet,
    set_image,
)

from kruise.apis.apps.v1alpha1 import CONTROLLER_REVISION_HASH_LABEL, SPECIFIED_DELETE_LABEL
from kruise.runtime.client import PODS
from kruise.util.pods import parse_time

Obj = dict[str, Any]


def revision(pod: Mapping[str, Any]) -> str:
    return str(pod["metadata"]["labels"].get(CONTROLLER_REVISION_HASH_LABEL))


async def started(harness: Harness, name: str, count: int) -> Obj:
    """Wait for ``count`` Running and Ready pods (the kubelet played until then), and
    return the set once its status says so."""
    stop = asyncio.Event()
    task = asyncio.create_task(play_kubelet(harness, name, stop))
    try:
        return await harness.status(name, lambda s: s.get("readyReplicas") == count, within=60)
    finally:
        stop.set()
        await task


async def new_revision(harness: Harness, name: str, old: str) -> str:
    """The update revision, once the controller has moved on from ``old``."""
    sts = await harness.status(name, lambda s: s.get("updateRevision") not in (None, old))
    return str(sts["status"]["updateRevision"])


async def images_by_ordinal(harness: Harness, name: str) -> dict[int, str]:
    return {ordinal_of(p): image_of(p) for p in live(await harness.pods(name))}


async def test_partition_3_of_5_updates_only_4_and_3_then_0_finishes(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("web", 5, rolling={"partition": 3}))
    await started(harness, "web", 5)
    await set_image(harness, "web", "nginx:2.0")
    async with kubelet(harness, "web"):
        await harness.status(
            "web",
            lambda s: s.get("updatedReplicas") == 2 and s.get("readyReplicas") == 5,
            within=60,
        )
        await asyncio.sleep(1.5)  # time for a wrong controller to go further
        assert await images_by_ordinal(harness, "web") == {
            0: "nginx:1.0",
            1: "nginx:1.0",
            2: "nginx:1.0",
            3: "nginx:2.0",
            4: "nginx:2.0",
        }
        await harness.patch(
            "web", {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 0}}}}
        )
        sts = await harness.status(
            "web",
            lambda s: (
                s.get("updatedReplicas") == 5
                and s.get("readyReplicas") == 5
                and s.get("currentRevision") == s.get("updateRevision")
            ),
            within=60,
        )
    assert set((await images_by_ordinal(harness, "web")).values()) == {"nginx:2.0"}
    assert sts["status"]["currentReplicas"] == 5


async def rollout_order(harness: Harness, name: str, update: str, count: int) -> list[int]:
    """Play the kubelet one pod at a time: wait for the next pod at revision ``update``,
    check that no other pod moves while it is not ready, then make it ready. Returns the
    ordinals in the order they were updated."""
    order: list[int] = []
    while len(order) < count:

        async def next_pod() -> list[Obj] | None:
            fresh = [
                p
                for p in live(await harness.pods(name))
                if revision(p) == update and ordinal_of(p) not in order
            ]
            return fresh or None

        fresh = await eventually(next_pod, timeout=30, what=f"update {len(order) + 1}")
        assert len(fresh) == 1, [p["metadata"]["name"] for p in fresh]
        ordinal = ordinal_of(fresh[0])
        await asyncio.sleep(0.5)  # a wrong controller would touch another pod meanwhile
        pods = live(await harness.pods(name))
        moved = [ordinal_of(p) for p in pods if revision(p) == update]
        assert sorted(moved) == sorted([*order, ordinal])
        assert len(pods) == count, "only the pod being updated may be missing"
        others = [p for p in pods if ordinal_of(p) != ordinal]
        assert all(is_ready(p) for p in others)
        await harness.ready(name, ordinal)
        order.append(ordinal)
    return order


async def test_rolling_update_goes_down_one_pod_at_a_time(harness: Harness) -> None:
    sts = await harness.create(defaulted_statefulset("web", 4))
    sts = await started(harness, "web", 4)
    await set_image(harness, "web", "nginx:2.0")
    update = await new_revision(harness, "web", sts["status"]["updateRevision"])
    assert await rollout_order(harness, "web", update, 4) == [3, 2, 1, 0]
    await harness.status("web", lambda s: s.get("currentRevision") == update)


async def test_on_delete_updates_only_pods_deleted_by_hand(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("web", 3, updateStrategy={"type": "OnDelete"}))
    sts = await started(harness, "web", 3)
    old = sts["status"]["updateRevision"]
    await set_image(harness, "web", "nginx:2.0")
    update = await new_revision(harness, "web", old)
    await asyncio.sleep(1.5)  # time for a wrong controller to update something
    before = live(await harness.pods("web"))
    assert {revision(p) for p in before} == {old}
    assert {image_of(p) for p in before} == {"nginx:1.0"}
    uid = {ordinal_of(p): p["metadata"]["uid"] for p in before}

    await harness.client.delete(PODS, "web-1", harness.namespace)

    async def replaced() -> Obj | None:
        pods = {ordinal_of(p): p for p in live(await harness.pods("web"))}
        pod = pods.get(1)
        return pod if pod is not None and pod["metadata"]["uid"] != uid[1] else None

    pod = await eventually(replaced, what="pod web-1 recreated")
    assert revision(pod) == update
    assert image_of(pod) == "nginx:2.0"
    others = {ordinal_of(p): p for p in live(await harness.pods("web")) if ordinal_of(p) != 1}
    assert {o: p["metadata"]["uid"] for o, p in others.items()} == {0: uid[0], 2: uid[2]}
    assert {revision(p) for p in others.values()} == {old}


async def test_paused_stops_the_update_and_resuming_finishes_it(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("web", 3))
    sts = await started(harness, "web", 3)
    uids = {ordinal_of(p): p["metadata"]["uid"] for p in live(await harness.pods("web"))}
    await set_image(harness, "web", "nginx:2.0")
    update = await new_revision(harness, "web", sts["status"]["updateRevision"])

    async def first_recreated() -> Obj | None:
        pods = {ordinal_of(p): p for p in live(await harness.pods("web"))}
        pod = pods.get(2)
        return pod if pod is not None and revision(pod) == update else None

    await eventually(first_recreated, what="pod web-2 at the update revision")
    paused = await harness.patch(
        "web", {"spec": {"updateStrategy": {"rollingUpdate": {"paused": True}}}}
    )
    generation = paused["metadata"]["generation"]
    # The controller has seen the pause before the pod it waits for becomes ready.
    await harness.status("web", lambda s: s.get("observedGeneration") == generation)
    await harness.ready("web", 2)
    await harness.status("web", lambda s: s.get("readyReplicas") == 3)
    await asyncio.sleep(1.5)  # time for a wrong controller to go on
    pods = {ordinal_of(p): p for p in live(await harness.pods("web"))}
    assert {o: p["metadata"]["uid"] for o, p in pods.items() if o != 2} == {
        0: uids[0],
        1: uids[1],
    }
    assert image_of(pods[1]) == image_of(pods[0]) == "nginx:1.0"

    await harness.patch("web", {"spec": {"updateStrategy": {"rollingUpdate": {"paused": False}}}})
    async with kubelet(harness, "web"):
        await harness.status(
            "web",
            lambda s: (
                s.get("updatedReplicas") == 3
                and s.get("readyReplicas") == 3
                and s.get("currentRevision") == update
            ),
            within=60,
        )
    assert set((await images_by_ordinal(harness, "web")).values()) == {"nginx:2.0"}


async def test_rollback_to_an_equal_template_reuses_the_old_revision(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("web", 2))
    sts = await started(harness, "web", 2)
    first = sts["status"]["updateRevision"]
    async with kubelet(harness, "web"):
        await set_image(harness, "web", "nginx:2.0")
        second = await new_revision(harness, "web", first)
        await harness.status(
            "web",
            lambda s: s.get("currentRevision") == second and s.get("readyReplicas") == 2,
            within=60,
        )
        await set_image(harness, "web", "nginx:1.0")
        sts = await harness.status(
            "web",
            lambda s: (
                s.get("currentRevision") == first
                and s.get("updateRevision") == first
                and s.get("updatedReplicas") == 2
                and s.get("readyReplicas") == 2
            ),
            within=60,
        )
    revisions = await harness.revisions("web")
    assert sorted(r["metadata"]["name"] for r in revisions) == sorted([first, second])
    # The reused revision is the newest now.
    assert revisions[-1]["metadata"]["name"] == first
    pods = live(await harness.pods("web"))
    assert {revision(p) for p in pods} == {first}
    assert {image_of(p) for p in pods} == {"nginx:1.0"}


async def test_unordered_update_follows_the_weight_priority(harness: Harness) -> None:
    priority = {
        "weightPriority": [
            {"weight": 100, "matchSelector": {"matchLabels": {"priority": "high"}}},
            {"weight": 50, "matchSelector": {"matchLabels": {"priority": "mid"}}},
        ]
    }
    await harness.create(
        defaulted_statefulset(
            "web",
            4,
            pod_management="Parallel",
            rolling={"unorderedUpdate": {"priorityStrategy": priority}},
        )
    )
    sts = await started(harness, "web", 4)
    for pod_name, level in (("web-1", "high"), ("web-2", "mid")):
        await harness.client.patch(
            PODS,
            pod_name,
            {"metadata": {"labels": {"priority": level}}},
            harness.namespace,
        )
    await set_image(harness, "web", "nginx:2.0")
    update = await new_revision(harness, "web", sts["status"]["updateRevision"])
    # Heaviest first; equal weights go highest ordinal first.
    assert await rollout_order(harness, "web", update, 4) == [1, 2, 3, 0]


async def test_a_pod_marked_specified_delete_is_recreated(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("web", 3))
    await started(harness, "web", 3)
    old = {ordinal_of(p): p["metadata"]["uid"] for p in live(await harness.pods("web"))}
    await harness.client.patch(
        PODS,
        "web-0",
        {"metadata": {"labels": {SPECIFIED_DELETE_LABEL: "true"}}},
        harness.namespace,
    )

    async def replaced() -> Obj | None:
        pods = {ordinal_of(p): p for p in live(await harness.pods("web"))}
        pod = pods.get(0)
        return pod if pod is not None and pod["metadata"]["uid"] != old[0] else None

    pod = await eventually(replaced, what="pod web-0 recreated")
    assert SPECIFIED_DELETE_LABEL not in pod["metadata"]["labels"]
    pods = {ordinal_of(p): p["metadata"]["uid"] for p in live(await harness.pods("web"))}
    assert pods[1] == old[1]
    assert pods[2] == old[2]


async def test_min_ready_seconds_paces_a_parallel_update(harness: Harness) -> None:
    """The next pod waits until the updated one has been ready for minReadySeconds; no
    event marks that moment, so the pass asks to be called back."""
    await harness.create(
        defaulted_statefulset("web", 2, pod_management="Parallel", rolling={"minReadySeconds": 3})
    )
    await started(harness, "web", 2)
    # Pods not yet available may all be updated at once: wait until both are.
    sts = await harness.status("web", lambda s: s.get("availableReplicas") == 2)
    await set_image(harness, "web", "nginx:2.0")
    async with kubelet(harness, "web"):
        await harness.status(
            "web",
            lambda s: (
                s.get("updatedReplicas") == 2
                and s.get("availableReplicas") == 2
                and s.get("currentRevision") != sts["status"]["currentRevision"]
            ),
            within=60,
        )
    pods = {ordinal_of(p): p for p in live(await harness.pods("web"))}
    ready = next(c for c in pods[1]["status"]["conditions"] if c["type"] == "Ready")
    became_ready = parse_time(ready["lastTransitionTime"])
    replaced = parse_time(pods[0]["metadata"]["creationTimestamp"])
    assert became_ready is not None
    assert replaced is not None
    # Timestamps have whole seconds: 3 s apart at least, less one for the rounding.
    assert replaced - became_ready >= 2
