"""OpenKruise v1.9's update rules against a real API server: a partition percentage below
100% updates at least one pod, and ``updateStrategy.type: OnDelete`` leaves updates to
whoever deletes pods."""

from __future__ import annotations

import asyncio
from typing import Any

from support.cloneset import Harness, defaulted_cloneset, play_kubelet, set_image
from support.pods import image_of, live, names
from support.polling import eventually

from kruise.apis.apps.v1alpha1 import CONTROLLER_REVISION_HASH_LABEL, SPECIFIED_DELETE_LABEL
from kruise.runtime.client import PODS

Obj = dict[str, Any]


def revision_of(pod: Obj) -> str:
    return str(pod["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL])


async def settled(harness: Harness, name: str, **expected: int) -> Obj:
    """The CloneSet once its status describes its current generation with ``expected``."""

    async def check() -> Obj | None:
        cs = await harness.get(name)
        status = cs.get("status", {})
        if status.get("observedGeneration") != cs["metadata"]["generation"]:
            return None
        return cs if all(status.get(k) == v for k, v in expected.items()) else None

    return await eventually(check, what=f"{name} settled with {expected}", timeout=60)


async def test_partition_99_percent_of_4_updates_exactly_one_pod(harness: Harness) -> None:
    # v0.7.0's rounding keeps ceil(3.96) = 4 pods, so nothing would ever update; v1.9 keeps 3.
    await harness.create(
        defaulted_cloneset(
            "web", 4, type="InPlaceIfPossible", partition="99%", maxUnavailable="50%"
        )
    )
    await harness.all_ready("web", 4)
    await set_image(harness, "web", "nginx:2.0")
    stop = asyncio.Event()
    kubelet = asyncio.create_task(play_kubelet(harness, "web", stop))
    try:
        # maxUnavailable 50% allows 2 at once: a partition of 2 or less would show 2 here.
        cs = await settled(harness, "web", updatedReadyReplicas=1, readyReplicas=4)
    finally:
        stop.set()
        await kubelet
    assert cs["status"]["updatedReplicas"] == 1
    pods = await harness.pods("web")
    assert sorted(image_of(p) for p in pods) == ["nginx:1.0"] * 3 + ["nginx:2.0"]


async def test_on_delete_updates_no_pod_and_recreates_deleted_ones_at_the_new_revision(
    harness: Harness,
) -> None:
    await harness.create(defaulted_cloneset("web", 3, type="OnDelete", maxUnavailable=3))
    before = await harness.all_ready("web", 3)
    await set_image(harness, "web", "nginx:2.0")

    # The pass that wrote this status ran the update phase for the new template.
    cs = await settled(harness, "web", updatedReplicas=0, readyReplicas=3)
    update_revision = cs["status"]["updateRevision"]
    assert update_revision != cs["status"]["currentRevision"]
    pods = await harness.pods("web")
    assert names(pods) == names(before)
    assert all(image_of(p) == "nginx:1.0" for p in pods)
    assert not any(SPECIFIED_DELETE_LABEL in p["metadata"]["labels"] for p in pods)

    gone = sorted(names(before))[0]
    await harness.client.delete(PODS, gone, harness.namespace)
    pods = await harness.pod_count("web", 3)
    [fresh] = [p for p in pods if p["metadata"]["name"] not in names(before)]
    assert image_of(fresh) == "nginx:2.0"
    assert revision_of(fresh) == update_revision
    others = [p for p in pods if p is not fresh]
    assert all(image_of(p) == "nginx:1.0" for p in others)

    # Scaling in removes old pods first; scaling out adds pods at the update revision.
    await harness.set_pod_status(fresh["metadata"]["name"])
    await harness.patch("web", {"spec": {"replicas": 2}})
    pods = await harness.pod_count("web", 2)
    assert fresh["metadata"]["name"] in names(pods)
    await harness.patch("web", {"spec": {"replicas": 3}})
    pods = live(await harness.pod_count("web", 3))
    assert sorted(revision_of(p) == update_revision for p in pods) == [False, True, True]
