"""Updating a CloneSet against a real API server: recreate and in-place updates,
partition, maxUnavailable and maxSurge, paused, priority, grace periods, InPlaceOnly."""

from __future__ import annotations

import asyncio
from typing import Any

from support.cloneset import Harness, defaulted_cloneset, play_kubelet, set_image
from support.events import wait_for_event
from support.pods import condition, image_of, is_ready, live, names, ready_lags_gates
from support.polling import eventually

from kruise.apis.apps.v1alpha1 import CONTROLLER_REVISION_HASH_LABEL, SPECIFIED_DELETE_LABEL
from kruise.runtime.client import PODS
from kruise.util.inplaceupdate import GRACE_ANNOTATION, STATE_ANNOTATION

Obj = dict[str, Any]


async def test_in_place_update_keeps_pods_and_reports_the_new_image(harness: Harness) -> None:
    await harness.create(defaulted_cloneset("web", 3, type="InPlaceIfPossible", maxUnavailable=1))
    before = await harness.all_ready("web", 3)
    await set_image(harness, "web", "nginx:2.0")
    stop = asyncio.Event()
    kubelet = asyncio.create_task(play_kubelet(harness, "web", stop))
    try:

        async def done() -> Obj | None:
            cs = await harness.get("web")
            status = cs.get("status", {})
            ok = status.get("updatedReadyReplicas") == 3 and status.get("readyReplicas") == 3
            return (
                cs
                if ok and status.get("observedGeneration") == cs["metadata"]["generation"]
                else None
            )

        cs = await eventually(done, what="an in-place rollout", timeout=60)
    finally:
        stop.set()
        await kubelet
    after = await harness.pods("web")
    assert {p["metadata"]["uid"] for p in after} == {p["metadata"]["uid"] for p in before}
    update_revision = cs["status"]["updateRevision"]
    for pod in after:
        assert image_of(pod) == "nginx:2.0"
        assert pod["status"]["containerStatuses"][0]["image"] == "nginx:2.0"
        assert pod["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL] == update_revision
        assert STATE_ANNOTATION in pod["metadata"]["annotations"]
        assert pod["metadata"]["labels"]["lifecycle.apps.kruise.io/state"] == "Normal"
        ready_gate = condition(pod, "InPlaceUpdateReady")
        assert ready_gate is not None
        assert ready_gate["status"] == "True"
    assert cs["status"]["currentRevision"] == update_revision
    await wait_for_event(harness.client, harness.namespace, "web", "SuccessfulUpdatePodInPlace")


async def test_in_place_if_possible_recreates_when_more_than_images_change(
    harness: Harness,
) -> None:
    await harness.create(defaulted_cloneset("web", 2, type="InPlaceIfPossible", maxUnavailable=2))
    before = await harness.all_ready("web", 2)
    cs = await harness.get("web")
    containers = cs["spec"]["template"]["spec"]["containers"]
    containers[0]["env"] = [{"name": "MODE", "value": "fast"}]
    await harness.patch("web", {"spec": {"template": {"spec": {"containers": containers}}}})

    async def recreated() -> list[Obj] | None:
        pods = [p for p in await harness.pods("web") if not p["metadata"].get("deletionTimestamp")]
        fresh = [p for p in pods if p["metadata"]["name"] not in names(before)]
        return pods if len(fresh) == 2 and len(pods) == 2 else None

    pods = await eventually(recreated, what="both pods recreated")
    assert all(p["spec"]["containers"][0]["env"][0]["value"] == "fast" for p in pods)
    await wait_for_event(harness.client, harness.namespace, "web", "SuccessfulUpdatePodReCreate")


async def test_in_place_only_refuses_other_changes_with_a_condition(harness: Harness) -> None:
    await harness.create(defaulted_cloneset("web", 2, type="InPlaceOnly", maxUnavailable=2))
    before = await harness.all_ready("web", 2)
    cs = await harness.get("web")
    containers = cs["spec"]["template"]["spec"]["containers"]
    containers[0]["env"] = [{"name": "MODE", "value": "fast"}]
    await harness.patch("web", {"spec": {"template": {"spec": {"containers": containers}}}})

    async def failed() -> Obj | None:
        got = await harness.get("web")
        return got if condition(got, "FailedUpdate") else None

    got = await eventually(failed, what="a FailedUpdate condition")
    message = condition(got, "FailedUpdate")["message"]
    assert "update strategy is InPlaceOnly but can not update in-place" in message
    assert names(await harness.pods("web")) == names(before)
    # The condition stays while the update still fails (v0.7.0 lost it).
    await asyncio.sleep(1)
    assert condition(await harness.get("web"), "FailedUpdate") is not None


async def test_recreate_rolls_with_max_unavailable(harness: Harness) -> None:
    await harness.create(defaulted_cloneset("web", 4, maxUnavailable=1))
    before = await harness.all_ready("web", 4)
    await set_image(harness, "web", "nginx:2.0")
    fewest_ready = 4

    async def rolled() -> list[Obj] | None:
        """Play the kubelet for new pods, and count the ready pods that stay meanwhile."""
        nonlocal fewest_ready
        pods = live(await harness.pods("web"))
        kept = [p for p in pods if SPECIFIED_DELETE_LABEL not in p["metadata"]["labels"]]
        fewest_ready = min(fewest_ready, sum(1 for p in kept if is_ready(p)))
        for pod in pods:
            if pod["status"].get("phase") != "Running" or ready_lags_gates(pod):
                await harness.set_pod_status(pod["metadata"]["name"])
        done = len(pods) == 4 and all(image_of(p) == "nginx:2.0" and is_ready(p) for p in pods)
        return pods if done else None

    after = await eventually(rolled, timeout=60, what="the recreate rollout")
    assert not names(after) & names(before)
    # maxUnavailable 1: never fewer than 3 ready pods that are staying.
    assert fewest_ready == 3


async def test_partition_by_percent_rounds_up_the_pods_kept(harness: Harness) -> None:
    await harness.create(
        defaulted_cloneset(
            "web", 10, type="InPlaceIfPossible", partition="80%", maxUnavailable="50%"
        )
    )
    await harness.all_ready("web", 10)
    await set_image(harness, "web", "nginx:2.0")
    stop = asyncio.Event()
    kubelet = asyncio.create_task(play_kubelet(harness, "web", stop))
    try:

        async def two_updated() -> Obj | None:
            cs = await harness.get("web")
            status = cs.get("status", {})
            return cs if status.get("updatedReadyReplicas") == 2 else None

        await eventually(two_updated, what="2 pods updated", timeout=60)
        await asyncio.sleep(1.5)  # time for a wrong controller to update more
        pods = await harness.pods("web")
        assert sorted(image_of(p) for p in pods) == ["nginx:1.0"] * 8 + ["nginx:2.0"] * 2
        await harness.patch("web", {"spec": {"updateStrategy": {"partition": 0}}})

        async def all_updated() -> Obj | None:
            cs = await harness.get("web")
            return cs if cs.get("status", {}).get("updatedReadyReplicas") == 10 else None

        await eventually(all_updated, what="all 10 pods updated", timeout=60)
    finally:
        stop.set()
        await kubelet


async def test_max_surge_recreates_above_replicas_but_never_beyond(harness: Harness) -> None:
    await harness.create(defaulted_cloneset("web", 3, maxUnavailable=0, maxSurge=1))
    before = await harness.all_ready("web", 3)
    await set_image(harness, "web", "nginx:2.0")
    most = 0

    async def rolled() -> list[Obj] | None:
        """Play the kubelet for new pods, and count the most pods seen at once."""
        nonlocal most
        pods = live(await harness.pods("web"))
        most = max(most, len(pods))
        for pod in pods:
            if pod["status"].get("phase") != "Running" or ready_lags_gates(pod):
                await harness.set_pod_status(pod["metadata"]["name"])
        new = [p for p in pods if image_of(p) == "nginx:2.0" and is_ready(p)]
        return pods if len(pods) == 3 and len(new) == 3 else None

    after = await eventually(rolled, timeout=60, what="the surge rollout")
    assert most == 4
    assert not names(after) & names(before)


async def test_paused_stops_updates_but_not_scaling(harness: Harness) -> None:
    await harness.create(defaulted_cloneset("web", 2, type="InPlaceIfPossible", paused=True))
    await harness.all_ready("web", 2)
    await set_image(harness, "web", "nginx:2.0")
    await harness.patch("web", {"spec": {"replicas": 3}})
    pods = await harness.pod_count("web", 3)
    await asyncio.sleep(1)
    pods = await harness.pods("web")
    assert sorted(image_of(p) for p in pods) == ["nginx:1.0", "nginx:1.0", "nginx:2.0"]
    # Pods created while paused still get their readiness gate (v0.7.0 left them unready).
    for pod in pods:
        gate = condition(pod, "InPlaceUpdateReady")
        assert gate is not None
        assert gate["status"] == "True"
    await harness.patch("web", {"spec": {"updateStrategy": {"paused": False}}})
    stop = asyncio.Event()
    kubelet = asyncio.create_task(play_kubelet(harness, "web", stop))
    try:

        async def resumed() -> bool:
            return all(image_of(p) == "nginx:2.0" for p in await harness.pods("web"))

        await eventually(resumed, what="the update to resume")
    finally:
        stop.set()
        await kubelet


async def test_weight_priority_updates_heavier_pods_first(harness: Harness) -> None:
    priority = {"weightPriority": [{"weight": 50, "matchSelector": {"matchLabels": {"tier": "a"}}}]}
    await harness.create(
        defaulted_cloneset(
            "web", 3, type="InPlaceIfPossible", maxUnavailable=1, priorityStrategy=priority
        )
    )
    pods = await harness.all_ready("web", 3)
    favourite = pods[1]["metadata"]["name"]
    await harness.client.patch(
        PODS,
        favourite,
        {"metadata": {"labels": {"tier": "a"}}},
        harness.namespace,
    )
    await asyncio.sleep(0.5)
    await set_image(harness, "web", "nginx:2.0")

    async def first_updated() -> str | None:
        moved = [p for p in await harness.pods("web") if image_of(p) == "nginx:2.0"]
        return moved[0]["metadata"]["name"] if moved else None

    assert await eventually(first_updated, what="the first in-place update") == favourite
    assert len([p for p in await harness.pods("web") if image_of(p) == "nginx:2.0"]) == 1


async def test_grace_period_holds_images_until_it_ends(harness: Harness) -> None:
    await harness.create(
        defaulted_cloneset(
            "web",
            1,
            type="InPlaceIfPossible",
            maxUnavailable=1,
            inPlaceUpdateStrategy={"gracePeriodSeconds": 3},
        )
    )
    [pod] = await harness.all_ready("web", 1)
    await set_image(harness, "web", "nginx:2.0")

    async def graced() -> Obj | None:
        [now] = await harness.pods("web")
        return now if GRACE_ANNOTATION in now["metadata"].get("annotations", {}) else None

    held = await eventually(graced, what="the grace annotation")
    assert image_of(held) == "nginx:1.0"
    gate = condition(held, "InPlaceUpdateReady")
    assert gate is not None
    assert gate["status"] == "False"

    async def changed() -> Obj | None:
        [now] = await harness.pods("web")
        return now if image_of(now) == "nginx:2.0" else None

    after = await eventually(changed, what="the image change after the grace period")
    assert GRACE_ANNOTATION not in after["metadata"].get("annotations", {})
    assert after["metadata"]["uid"] == pod["metadata"]["uid"]
