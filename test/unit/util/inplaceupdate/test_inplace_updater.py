"""InPlaceUpdater: mark not ready, wait out the grace period, change images, mark ready."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from support.inplace_fakes import FakePods, container_status, make_pod
from support.pods import condition

from kruise.runtime.client import Conflict, PatchType, is_conflict
from kruise.runtime.clock import FakeClock
from kruise.runtime.reconcile import TerminalError
from kruise.util.inplaceupdate import (
    GRACE_ANNOTATION,
    LEGACY_GRACE_ANNOTATION,
    LEGACY_STATE_ANNOTATION,
    STATE_ANNOTATION,
    InPlaceUpdateError,
    InPlaceUpdater,
    InPlaceUpdateState,
    Outcome,
    UpdateSpec,
    check_completed,
    read_state,
    refresh_pending,
)

Obj = dict[str, Any]
WALL = 1_700_000_000.0
SPEC = UpdateSpec("web-new", {"app": "nginx:1.26"})


def setup(pod: Obj | None = None) -> tuple[FakePods, InPlaceUpdater, FakeClock]:
    fake = FakePods(pod or make_pod())
    clock = FakeClock(wall_start=WALL)
    return fake, InPlaceUpdater(fake.client, clock=clock), clock


def image(pod: Obj, name: str = "app") -> str:
    return next(c["image"] for c in pod["spec"]["containers"] if c["name"] == name)


def kubelet_restarts(fake: FakePods, name: str = "web-0", *, same_image_id: bool = False) -> Obj:
    """What a kubelet does after an image change: a new container, maybe a new image ID."""
    pod = fake.get(name)
    old = {s["name"]: s for s in pod["status"]["containerStatuses"]}
    pod["status"]["containerStatuses"] = [
        container_status(
            c["name"],
            c["image"],
            old[c["name"]]["imageID"] if same_image_id else f"registry/{c['image']}@sha256:new",
            f"containerd://{c['name']}-2",
        )
        if c["image"] != old[c["name"]]["image"]
        else old[c["name"]]
        for c in pod["spec"]["containers"]
    ]
    return fake.put(pod)


async def test_apply_marks_not_ready_then_changes_images_and_records_state() -> None:
    fake, updater, _ = setup(make_pod(images={"app": "nginx:1.25", "side": "redis:7"}))
    pod = fake.get("web-0")
    before = copy.deepcopy(pod)
    result = await updater.apply(pod, SPEC)
    assert result.outcome is Outcome.UPDATED
    assert result.requeue_after == 0

    status_call, spec_call = fake.calls
    assert status_call[3] == "status"
    assert spec_call[2] is PatchType.STRATEGIC
    assert spec_call[3] is None
    assert spec_call[1]["spec"] == {"containers": [{"name": "app", "image": "nginx:1.26"}]}
    # The second write builds on the first: its resourceVersion is the status write's.
    assert spec_call[1]["metadata"]["resourceVersion"] != pod["metadata"]["resourceVersion"]

    written = fake.get("web-0")
    assert result.pod == written
    assert written["metadata"]["uid"] == pod["metadata"]["uid"]
    assert (image(written), image(written, "side")) == ("nginx:1.26", "redis:7")
    assert written["metadata"]["labels"]["controller-revision-hash"] == "web-new"
    assert condition(written, "InPlaceUpdateReady")["status"] == "False"  # type: ignore[index]
    assert condition(written, "Ready")["status"] == "False"  # type: ignore[index]
    state = json.loads(written["metadata"]["annotations"][STATE_ANNOTATION])
    assert state == {
        "revision": "web-new",
        "updateTimestamp": "2023-11-14T22:13:20Z",
        "lastContainerStatuses": {
            "app": {
                "imageID": "registry/nginx:1.25@sha256:old",
                "containerID": "containerd://app-1",
            }
        },
    }
    assert GRACE_ANNOTATION not in written["metadata"]["annotations"]
    assert pod == before  # the input is untouched


async def test_completion_then_refresh_marks_ready() -> None:
    fake, updater, _ = setup()
    await updater.apply(fake.get("web-0"), SPEC)
    not_yet = await updater.refresh(fake.get("web-0"))
    assert not not_yet.marked_ready
    assert len(fake.calls) == 2

    restarted = kubelet_restarts(fake)
    assert check_completed(restarted).done
    refreshed = await updater.refresh(restarted)
    assert refreshed.marked_ready
    assert not refreshed.images_changed
    assert refreshed.requeue_after == 0
    assert condition(refreshed.pod, "InPlaceUpdateReady")["status"] == "True"  # type: ignore[index]
    assert condition(refreshed.pod, "Ready")["status"] == "True"  # type: ignore[index]
    again = await updater.refresh(refreshed.pod)
    assert not again.marked_ready
    assert len(fake.calls) == 3


async def test_a_new_tag_for_the_same_digest_completes_once_the_container_is_recreated() -> None:
    fake, updater, _ = setup()
    await updater.apply(fake.get("web-0"), SPEC)
    restarted = kubelet_restarts(fake, same_image_id=True)
    assert (await updater.refresh(restarted)).marked_ready


async def test_a_new_pod_with_the_gate_is_marked_ready_by_refresh() -> None:
    fake, updater, _ = setup(
        make_pod(
            conditions=[
                {"type": "ContainersReady", "status": "True"},
                {"type": "Ready", "status": "False", "reason": "ReadinessGatesNotReady"},
            ]
        )
    )
    refreshed = await updater.refresh(fake.get("web-0"))
    assert refreshed.marked_ready
    assert condition(refreshed.pod, "Ready")["status"] == "True"  # type: ignore[index]


async def test_pods_without_the_gate_get_no_condition_writes() -> None:
    fake, updater, _ = setup(make_pod(gate=False))
    result = await updater.apply(fake.get("web-0"), SPEC)
    assert result.outcome is Outcome.UPDATED
    [(_, _, _, subresource)] = fake.calls
    assert subresource is None
    kubelet_restarts(fake)
    refreshed = await updater.refresh(fake.get("web-0"))
    assert not refreshed.marked_ready
    assert len(fake.calls) == 1


async def test_grace_marks_not_ready_and_changes_images_after_the_period() -> None:
    fake, updater, clock = setup()
    result = await updater.apply(fake.get("web-0"), SPEC, grace_seconds=10)
    assert result.outcome is Outcome.GRACE_PENDING
    assert result.requeue_after == 10
    pod = fake.get("web-0")
    assert image(pod) == "nginx:1.25"
    assert condition(pod, "InPlaceUpdateReady")["status"] == "False"  # type: ignore[index]
    assert pod["metadata"]["labels"]["controller-revision-hash"] == "web-new"
    grace = UpdateSpec.from_json(pod["metadata"]["annotations"][GRACE_ANNOTATION])
    assert grace == SPEC.with_grace(10)
    assert not check_completed(pod).done

    await clock.advance(3.5)
    waiting = await updater.refresh(pod)
    assert (waiting.requeue_after, waiting.images_changed, waiting.marked_ready) == (
        7,
        False,
        False,
    )
    assert len(fake.calls) == 2

    await clock.advance(6.5)
    done = await updater.refresh(fake.get("web-0"))
    assert done.images_changed
    assert done.requeue_after == 0
    assert image(done.pod) == "nginx:1.26"
    assert GRACE_ANNOTATION not in done.pod["metadata"]["annotations"]
    assert condition(done.pod, "InPlaceUpdateReady")["status"] == "False"  # type: ignore[index]

    assert (await updater.refresh(kubelet_restarts(fake))).marked_ready


async def test_a_grace_period_is_dropped_when_the_revision_moved_on() -> None:
    fake, updater, _ = setup()
    await updater.apply(fake.get("web-0"), SPEC, grace_seconds=10)
    pod = fake.get("web-0")
    pod["metadata"]["labels"]["controller-revision-hash"] = "web-old"
    refreshed = await updater.refresh(fake.put(pod))
    assert refreshed.grace_dropped
    assert not refreshed.images_changed
    assert GRACE_ANNOTATION not in refreshed.pod["metadata"]["annotations"]
    assert image(refreshed.pod) == "nginx:1.25"


async def test_metadata_changes_and_extra_labels_go_in_the_same_write() -> None:
    fake, updater, _ = setup(make_pod(labels={"tier": "front", "gone": "yes"}))
    spec = UpdateSpec(
        "web-new",
        {"app": "nginx:1.26"},
        {"metadata": {"labels": {"tier": "back", "gone": None}, "annotations": {"a": "1"}}},
    )
    await updater.apply(
        fake.get("web-0"),
        spec,
        labels={"lifecycle.apps.kruise.io/state": "Updating"},
        annotations={"lifecycle.apps.kruise.io/timestamp": "t"},
    )
    metadata = fake.get("web-0")["metadata"]
    assert metadata["labels"] == {
        "app": "web",
        "controller-revision-hash": "web-new",
        "tier": "back",
        "lifecycle.apps.kruise.io/state": "Updating",
    }
    assert metadata["annotations"]["a"] == "1"
    assert metadata["annotations"]["lifecycle.apps.kruise.io/timestamp"] == "t"


async def test_v070_annotations_are_replaced_by_the_prefixed_ones() -> None:
    old_state = InPlaceUpdateState("web-older", "2020-01-01T00:00:00Z").to_json()
    fake, updater, _ = setup(
        make_pod(annotations={LEGACY_STATE_ANNOTATION: old_state, LEGACY_GRACE_ANNOTATION: ""})
    )
    await updater.apply(fake.get("web-0"), SPEC)
    annotations = fake.get("web-0")["metadata"]["annotations"]
    assert set(annotations) == {STATE_ANNOTATION}
    state = read_state(fake.get("web-0"))
    assert state is not None
    assert state.revision == "web-new"


async def test_a_v070_grace_annotation_is_finished() -> None:
    patch = base64.b64encode(b'{"metadata":{"labels":{"tier":"back"}}}').decode()
    grace = json.dumps(
        {
            "revision": "web-new",
            "containerImages": {"app": "nginx:1.26"},
            "metaDataPatch": patch,
            "graceSeconds": 5,
        }
    )
    state = InPlaceUpdateState("web-new", "2023-11-14T22:13:00Z").to_json()
    fake, updater, _ = setup(
        make_pod(
            revision="web-new",
            annotations={LEGACY_STATE_ANNOTATION: state, LEGACY_GRACE_ANNOTATION: grace},
        )
    )
    refreshed = await updater.refresh(fake.get("web-0"))
    assert refreshed.images_changed
    assert image(refreshed.pod) == "nginx:1.26"
    assert refreshed.pod["metadata"]["labels"]["tier"] == "back"
    assert LEGACY_GRACE_ANNOTATION not in refreshed.pod["metadata"]["annotations"]


async def test_a_pod_lacking_a_changed_container_is_not_touched() -> None:
    fake, updater, _ = setup()
    result = await updater.apply(fake.get("web-0"), UpdateSpec("web-new", {"other": "x:1"}))
    assert result.outcome is Outcome.NOT_POSSIBLE
    assert fake.calls == []


async def test_a_stale_pod_raises_a_retryable_conflict() -> None:
    fake, updater, _ = setup(make_pod(gate=False))
    stale = fake.get("web-0")
    fake.put(fake.get("web-0"))
    with pytest.raises(Conflict) as caught:
        await updater.apply(stale, SPEC)
    assert is_conflict(caught.value)
    assert not isinstance(caught.value, TerminalError)
    assert image(fake.get("web-0")) == "nginx:1.25"


async def test_grace_without_state_is_an_error() -> None:
    grace = SPEC.with_grace(5).to_json()
    fake, updater, _ = setup(make_pod(revision="web-new", annotations={GRACE_ANNOTATION: grace}))
    with pytest.raises(InPlaceUpdateError, match="no state"):
        await updater.refresh(fake.get("web-0"))


async def test_an_unreadable_grace_annotation_is_an_error() -> None:
    fake, updater, _ = setup(make_pod(annotations={GRACE_ANNOTATION: "{"}))
    with pytest.raises(InPlaceUpdateError):
        await updater.refresh(fake.get("web-0"))


async def test_refresh_pending_is_false_only_where_refresh_would_do_nothing() -> None:
    """Walk an update with a grace period through its stages: wherever
    ``refresh_pending`` says no, ``refresh`` returns the pod as given and writes nothing."""
    fake, updater, clock = setup()
    stages = [fake.get("web-0")]
    await updater.apply(fake.get("web-0"), SPEC, grace_seconds=10)
    stages.append(fake.get("web-0"))
    await clock.advance(10)
    await updater.refresh(fake.get("web-0"))
    stages.append(fake.get("web-0"))
    stages.append(kubelet_restarts(fake))
    await updater.refresh(fake.get("web-0"))
    stages.append(fake.get("web-0"))
    stages.append(make_pod(gate=False))
    pending = [refresh_pending(pod) for pod in stages]
    assert pending == [False, True, True, True, False, False]
    for pod in (p for p, busy in zip(stages, pending, strict=True) if not busy):
        calls = len(fake.calls)
        result = await updater.refresh(pod)
        assert result.pod == pod
        assert (result.marked_ready, result.images_changed, result.grace_dropped) == (
            False,
            False,
            False,
        )
        assert result.requeue_after == 0
        assert len(fake.calls) == calls
