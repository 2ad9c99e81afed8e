"""In-place updates of an Advanced StatefulSet against a real API server: pods keep their
UIDs, the played kubelet's container statuses complete the update, grace periods, changes
that need a new pod, InPlaceOnly, and the ``inPlaceUpdate`` lifecycle hook."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from support.pods import condition, image_of, is_ready, live
from support.polling import eventually
from support.statefulset import (
    Harness,
    defaulted_statefulset,
    kubelet,
    ordinal_of,
    play_kubelet,
    set_image,
)

from kruise.apis.apps.v1alpha1 import CONTROLLER_REVISION_HASH_LABEL, LIFECYCLE_STATE_LABEL
from kruise.runtime.client import PODS
from kruise.util.inplaceupdate import GRACE_ANNOTATION, STATE_ANNOTATION

Obj = dict[str, Any]
HOLD = "example.com/hold-update"


def in_place_statefulset(
    name: str, replicas: int, policy: str, pod_management: str = "OrderedReady", **rolling: Any
) -> Obj:
    """A set updated with ``policy``, its template carrying the InPlaceUpdateReady
    readiness gate (which the validating webhook asks for)."""
    sts = defaulted_statefulset(
        name,
        replicas,
        pod_management=pod_management,
        rolling={"podUpdatePolicy": policy, **rolling},
    )
    sts["spec"]["template"]["spec"]["readinessGates"] = [{"conditionType": "InPlaceUpdateReady"}]
    return sts


def revision(pod: Mapping[str, Any]) -> str:
    return str(pod["metadata"]["labels"].get(CONTROLLER_REVISION_HASH_LABEL))


def uids(pods: list[Obj]) -> dict[int, str]:
    return {ordinal_of(p): p["metadata"]["uid"] for p in pods}


async def started(harness: Harness, name: str, count: int) -> tuple[list[Obj], str]:
    """The live pods once ``count`` are Running and Ready (the kubelet played until then),
    and the revision they run."""
    stop = asyncio.Event()
    task = asyncio.create_task(play_kubelet(harness, name, stop))
    try:
        sts = await harness.status(name, lambda s: s.get("readyReplicas") == count, within=60)
    finally:
        stop.set()
        await task
    return live(await harness.pods(name)), str(sts["status"]["updateRevision"])


def rolled_out(count: int, old: str) -> Any:
    """A status check: ``count`` pods updated and ready, and the update revision, no longer
    ``old``, is current."""

    def check(status: Mapping[str, Any]) -> bool:
        return (
            status.get("updateRevision") != old
            and status.get("updatedReplicas") == count
            and status.get("readyReplicas") == count
            and status.get("currentRevision") == status.get("updateRevision")
        )

    return check


@pytest.mark.parametrize("policy", ["InPlaceIfPossible", "InPlaceOnly"])
async def test_in_place_update_keeps_pods_and_reports_the_new_image(
    harness: Harness, policy: str
) -> None:
    await harness.create(in_place_statefulset("web", 3, policy))
    before, old = await started(harness, "web", 3)
    await set_image(harness, "web", "nginx:2.0")
    async with kubelet(harness, "web"):
        sts = await harness.status("web", rolled_out(3, old), within=60)
    after = live(await harness.pods("web"))
    assert uids(after) == uids(before)
    update = sts["status"]["updateRevision"]
    for pod in after:
        assert image_of(pod) == "nginx:2.0"
        assert pod["status"]["containerStatuses"][0]["image"] == "nginx:2.0"
        assert revision(pod) == update
        assert STATE_ANNOTATION in pod["metadata"]["annotations"]
        assert pod["metadata"]["labels"][LIFECYCLE_STATE_LABEL] == "Normal"
        gate = condition(pod, "InPlaceUpdateReady")
        assert gate is not None
        assert gate["status"] == "True"
        assert is_ready(pod)
    await harness.wait_reason("web", "SuccessfulUpdatePodInPlace")


async def test_an_update_in_place_waits_for_the_kubelet_to_report_the_image(
    harness: Harness,
) -> None:
    await harness.create(in_place_statefulset("web", 2, "InPlaceIfPossible"))
    _, old = await started(harness, "web", 2)
    await set_image(harness, "web", "nginx:2.0")

    async def patched() -> Obj | None:
        pod = await harness.pod("web-1")
        return pod if image_of(pod) == "nginx:2.0" else None

    pod = await eventually(patched, what="web-1 patched in place")
    assert pod["metadata"]["labels"][LIFECYCLE_STATE_LABEL] == "Updating"
    await asyncio.sleep(1.5)  # no kubelet yet: the update stays unfinished
    pod = await harness.pod("web-1")
    assert pod["metadata"]["labels"][LIFECYCLE_STATE_LABEL] == "Updating"
    assert not is_ready(pod)
    assert image_of(await harness.pod("web-0")) == "nginx:1.0"
    sts = await harness.get("web")
    assert sts["status"].get("updatedReplicas") == 1
    assert sts["status"].get("readyReplicas") == 1

    await harness.set_pod_status("web-1")  # the kubelet reports the new image

    async def finished() -> Obj | None:
        pod = await harness.pod("web-1")
        state = pod["metadata"]["labels"][LIFECYCLE_STATE_LABEL]
        return pod if state == "Normal" and is_ready(pod) else None

    await eventually(finished, what="web-1 updated and ready")
    async with kubelet(harness, "web"):
        await harness.status("web", rolled_out(2, old), within=60)


async def test_grace_period_delays_the_image_change(harness: Harness) -> None:
    await harness.create(
        in_place_statefulset(
            "web", 2, "InPlaceIfPossible", inPlaceUpdateStrategy={"gracePeriodSeconds": 3}
        )
    )
    _, old = await started(harness, "web", 2)
    await set_image(harness, "web", "nginx:2.0")

    async def marked() -> Obj | None:
        pod = await harness.pod("web-1")
        return pod if GRACE_ANNOTATION in pod["metadata"].get("annotations", {}) else None

    pod = await eventually(marked, what="web-1 waiting out its grace period")
    # Not ready and labelled with the new revision, but still running the old image.
    assert image_of(pod) == "nginx:1.0"
    gate = condition(pod, "InPlaceUpdateReady")
    assert gate is not None
    assert gate["status"] == "False"
    assert not is_ready(pod)

    async def changed() -> Obj | None:
        pod = await harness.pod("web-1")
        return pod if image_of(pod) == "nginx:2.0" else None

    pod = await eventually(changed, timeout=30, what="the image changed after the grace period")
    assert GRACE_ANNOTATION not in pod["metadata"].get("annotations", {})
    async with kubelet(harness, "web"):
        await harness.status("web", rolled_out(2, old), within=60)


async def test_a_change_beyond_images_recreates_with_in_place_if_possible(
    harness: Harness,
) -> None:
    await harness.create(in_place_statefulset("web", 2, "InPlaceIfPossible"))
    before, old = await started(harness, "web", 2)
    sts = await harness.get("web")
    containers = sts["spec"]["template"]["spec"]["containers"]
    containers[0]["env"] = [{"name": "MODE", "value": "fast"}]
    await harness.patch("web", {"spec": {"template": {"spec": {"containers": containers}}}})
    async with kubelet(harness, "web"):
        await harness.status("web", rolled_out(2, old), within=60)
    after = live(await harness.pods("web"))
    first = uids(before)
    assert all(p["metadata"]["uid"] != first[ordinal_of(p)] for p in after)
    assert all(p["spec"]["containers"][0]["env"][0]["value"] == "fast" for p in after)


async def test_in_place_only_never_recreates_a_pod(harness: Harness) -> None:
    """OpenKruise v1.9: a change InPlaceOnly cannot make in place stops the update with an
    error; no pod is recreated."""
    await harness.create(in_place_statefulset("web", 2, "InPlaceOnly"))
    before, _ = await started(harness, "web", 2)
    sts = await harness.get("web")
    containers = sts["spec"]["template"]["spec"]["containers"]
    containers[0]["env"] = [{"name": "MODE", "value": "fast"}]
    await harness.patch("web", {"spec": {"template": {"spec": {"containers": containers}}}})
    await harness.status(
        "web", lambda s: s.get("updateRevision") not in (None, s.get("currentRevision"))
    )
    await asyncio.sleep(2)  # time for a wrong controller to recreate pods
    after = live(await harness.pods("web"))
    assert uids(after) == uids(before)
    assert all("env" not in p["spec"]["containers"][0] for p in after)


@pytest.mark.parametrize("pod_management", ["Parallel", "OrderedReady"])
async def test_in_place_update_hook_holds_the_pod_until_the_label_goes(
    harness: Harness, pod_management: str
) -> None:
    """Under OrderedReady too: a pod in ``PreparingUpdate`` whose hook let go is not
    available, yet the ordered pass must not halt on it (OpenKruise v1.9 does, and the
    update then never moves)."""
    sts = in_place_statefulset("web", 2, "InPlaceIfPossible", pod_management=pod_management)
    sts["spec"]["lifecycle"] = {"inPlaceUpdate": {"labelsHandler": {HOLD: "true"}}}
    sts["spec"]["template"]["metadata"]["labels"][HOLD] = "true"
    await harness.create(sts)
    before, _ = await started(harness, "web", 2)
    await set_image(harness, "web", "nginx:2.0")

    async def preparing() -> Obj | None:
        pod = await harness.pod("web-1")
        state = pod["metadata"]["labels"].get(LIFECYCLE_STATE_LABEL)
        return pod if state == "PreparingUpdate" else None

    await eventually(preparing, what="web-1 in PreparingUpdate")
    await asyncio.sleep(1.5)  # the hook holds it: nothing else happens
    pod = await harness.pod("web-1")
    assert pod["metadata"]["labels"][LIFECYCLE_STATE_LABEL] == "PreparingUpdate"
    assert image_of(pod) == "nginx:1.0"
    assert image_of(await harness.pod("web-0")) == "nginx:1.0"

    # The user's controller lets it go.
    await harness.client.patch(
        PODS, "web-1", {"metadata": {"labels": {HOLD: None}}}, harness.namespace
    )
    async with kubelet(harness, "web"):

        async def updated() -> Obj | None:
            pod = await harness.pod("web-1")
            state = pod["metadata"]["labels"].get(LIFECYCLE_STATE_LABEL)
            return pod if state == "Updated" else None

        pod = await eventually(updated, timeout=30, what="web-1 updated in place")
        assert image_of(pod) == "nginx:2.0"
        await asyncio.sleep(1.0)  # web-1 is not handed back yet: web-0 waits
        assert image_of(await harness.pod("web-0")) == "nginx:1.0"

        # Handing it back (the hook label again) makes it Normal and the update goes on.
        await harness.client.patch(
            PODS, "web-1", {"metadata": {"labels": {HOLD: "true"}}}, harness.namespace
        )

        async def next_held() -> Obj | None:
            pod = await harness.pod("web-0")
            state = pod["metadata"]["labels"].get(LIFECYCLE_STATE_LABEL)
            return pod if state == "PreparingUpdate" else None

        await eventually(next_held, timeout=30, what="web-0 in PreparingUpdate")
        web1 = await harness.pod("web-1")
        assert web1["metadata"]["labels"][LIFECYCLE_STATE_LABEL] == "Normal"
    assert uids(live(await harness.pods("web"))) == uids(before)


async def test_a_pod_not_handed_back_gets_the_hook_again_for_the_next_update(
    harness: Harness,
) -> None:
    sts = in_place_statefulset("web", 1, "InPlaceIfPossible", pod_management="Parallel")
    sts["spec"]["lifecycle"] = {"inPlaceUpdate": {"labelsHandler": {HOLD: "true"}}}
    sts["spec"]["template"]["metadata"]["labels"][HOLD] = "true"
    await harness.create(sts)
    await started(harness, "web", 1)
    await set_image(harness, "web", "nginx:2.0")

    async def in_state(state: str) -> Obj | None:
        pod = await harness.pod("web-0")
        return pod if pod["metadata"]["labels"].get(LIFECYCLE_STATE_LABEL) == state else None

    await eventually(lambda: in_state("PreparingUpdate"), what="web-0 in PreparingUpdate")
    await harness.client.patch(
        PODS, "web-0", {"metadata": {"labels": {HOLD: None}}}, harness.namespace
    )
    async with kubelet(harness, "web"):
        pod = await eventually(lambda: in_state("Updated"), timeout=30, what="web-0 Updated")
    assert image_of(pod) == "nginx:2.0"
    assert HOLD not in pod["metadata"]["labels"]

    # Another update before the pod was handed back: it is handed the hook again.
    await set_image(harness, "web", "nginx:3.0")
    pod = await eventually(lambda: in_state("PreparingUpdate"), what="web-0 held again")
    assert pod["metadata"]["labels"][HOLD] == "true"
    assert image_of(pod) == "nginx:2.0"
