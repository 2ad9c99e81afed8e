"""When an in-place update counts as complete."""

from __future__ import annotations

from typing import Any

import pytest
from support.inplace_fakes import container_status, make_pod

from kruise.util.inplaceupdate import (
    GRACE_ANNOTATION,
    LEGACY_STATE_ANNOTATION,
    STATE_ANNOTATION,
    ContainerRecord,
    InPlaceUpdateState,
    UpdateSpec,
    check_completed,
)

Obj = dict[str, Any]
OLD_ID, OLD_CID = "registry/nginx:1.25@sha256:old", "containerd://app-1"
RECORD = ContainerRecord(OLD_ID, OLD_CID)


def updated_pod(
    *,
    spec_image: str = "nginx:1.26",
    status: Obj | None = None,
    record: ContainerRecord | None = RECORD,
    revision: str = "web-new",
    key: str = STATE_ANNOTATION,
    extra: dict[str, str] | None = None,
) -> Obj:
    """A pod whose app container was changed from nginx:1.25 to ``spec_image``."""
    records = {"app": record} if record else {}
    state = InPlaceUpdateState("web-new", "2024-01-01T00:00:00Z", records)
    pod = make_pod(revision=revision, annotations={key: state.to_json(), **(extra or {})})
    pod["spec"]["containers"][0]["image"] = spec_image
    if status is not None:
        pod["status"]["containerStatuses"] = [status]
    return pod


def restarted(image: str, image_id: str, container_id: str = "containerd://app-2") -> Obj:
    return container_status("app", image, image_id, container_id)


def test_a_pod_without_state_has_nothing_in_flight() -> None:
    assert check_completed(make_pod()).done


def test_a_new_image_id_and_the_spec_image_complete_the_update() -> None:
    pod = updated_pod(status=restarted("nginx:1.26", "registry/nginx@sha256:new"))
    assert check_completed(pod).done


def test_before_the_kubelet_acts_nothing_is_complete() -> None:
    pod = updated_pod(status=container_status("app", "nginx:1.25", OLD_ID, OLD_CID))
    result = check_completed(pod)
    assert not result.done
    assert "runs 'nginx:1.25', not 'nginx:1.26'" in result.reason


def test_untagged_spec_images_compare_as_latest() -> None:
    pod = updated_pod(
        spec_image="nginx",
        status=restarted("docker.io/library/nginx:latest", "registry/nginx@sha256:new"),
    )
    assert check_completed(pod).done


@pytest.mark.parametrize(
    ("spec_image", "reported"),
    [
        ("reg.example.com/app@sha256:" + "a" * 64, "reg.example.com/app:v2"),
        ("reg.example.com/app:v2", "sha256:" + "b" * 64),
        ("reg.example.com/app:v2", "reg.example.com/app@sha256:" + "b" * 64),
    ],
)
def test_containerd_image_forms_complete_once_the_image_id_changed(
    spec_image: str, reported: str
) -> None:
    """Issue 14 item 2: with a new imageID the reported image string is not compared, as
    OpenKruise does not; containerd reports digest-pinned or re-tagged images in its own
    form, and the pod would stay in Updating forever."""
    new_id = "reg.example.com/app@sha256:" + "b" * 64
    pod = updated_pod(spec_image=spec_image, status=restarted(reported, new_id))
    assert check_completed(pod).done


def test_an_unchanged_image_id_under_another_image_string_is_not_complete() -> None:
    pod = updated_pod(status=restarted("sha256:" + "c" * 64, OLD_ID))
    assert not check_completed(pod).done


def test_same_image_id_with_a_recreated_container_is_complete() -> None:
    # OpenKruise #635: a new tag for the same digest keeps the imageID.
    pod = updated_pod(status=restarted("nginx:1.26", OLD_ID))
    assert check_completed(pod).done


def test_an_unchanged_image_id_compares_the_images_as_containerd_reports_them() -> None:
    """A deliberate difference: OpenKruise would compare ``nginx:latest`` with containerd's
    ``docker.io/library/nginx:latest`` and wait forever."""
    pod = updated_pod(
        spec_image="nginx", status=restarted("docker.io/library/nginx:latest", OLD_ID)
    )
    assert check_completed(pod).done


def test_same_image_id_and_same_container_is_not_complete() -> None:
    pod = updated_pod(status=restarted("nginx:1.26", OLD_ID, OLD_CID))
    result = check_completed(pod)
    assert not result.done
    assert "not been recreated" in result.reason


def test_a_recreated_container_still_on_the_old_image_is_not_complete() -> None:
    pod = updated_pod(status=restarted("nginx:1.25", OLD_ID))
    assert not check_completed(pod).done


def test_an_empty_image_id_does_not_count_as_new() -> None:
    """A deliberate difference: the kubelet reports an empty imageID for a container the
    runtime has not created; OpenKruise counts it as a new image."""
    status = restarted("nginx:1.26", "x", OLD_CID)
    status["imageID"] = ""
    pod = updated_pod(status=status)
    assert not check_completed(pod).done


def test_openkruise_state_without_container_ids_uses_openkruises_rule() -> None:
    legacy = ContainerRecord(OLD_ID, None)
    same_id = restarted("nginx:1.26", OLD_ID, OLD_CID)
    assert check_completed(updated_pod(status=same_id, record=legacy)).done
    stale = container_status("app", "nginx:1.25", OLD_ID, OLD_CID)
    assert not check_completed(updated_pod(status=stale, record=legacy)).done


def test_the_bare_v070_state_annotation_is_honoured() -> None:
    stale = container_status("app", "nginx:1.25", OLD_ID, OLD_CID)
    assert not check_completed(updated_pod(status=stale, key=LEGACY_STATE_ANNOTATION)).done


def test_a_changed_container_without_status_is_not_complete() -> None:
    pod = updated_pod()
    pod["status"]["containerStatuses"] = []
    assert check_completed(pod).reason == "container app has no status"


def test_containers_the_update_did_not_change_are_not_checked() -> None:
    pod = updated_pod(record=None, status=container_status("app", "nginx:1.25", OLD_ID, OLD_CID))
    assert check_completed(pod).done


def test_a_changed_revision_label_is_not_complete() -> None:
    pod = updated_pod(status=restarted("nginx:1.26", "new"), revision="web-other")
    assert "revision label is 'web-other'" in check_completed(pod).reason


def test_a_pending_grace_period_is_not_complete() -> None:
    grace = UpdateSpec("web-new", {"app": "nginx:1.26"}, grace_seconds=10).to_json()
    pod = updated_pod(status=restarted("nginx:1.26", "new"), extra={GRACE_ANNOTATION: grace})
    assert check_completed(pod).reason == "the grace period has not ended"


def test_a_grace_period_without_state_is_not_complete() -> None:
    """As OpenKruise: the grace annotation is checked before the state (issue 14's
    differential test found kruise-py calling such a pod done)."""
    grace = UpdateSpec("web-new", {"app": "nginx:1.26"}, grace_seconds=10).to_json()
    pod = make_pod(revision="web-new", annotations={GRACE_ANNOTATION: grace})
    assert check_completed(pod).reason == "the grace period has not ended"


@pytest.mark.parametrize("value", ["{", "[]"])
def test_an_unreadable_state_is_not_complete(value: str) -> None:
    pod = make_pod(annotations={STATE_ANNOTATION: value})
    result = check_completed(pod)
    assert not result.done
    assert "in-place update state" in result.reason


def test_the_revision_key_can_be_chosen() -> None:
    pod = updated_pod(status=restarted("nginx:1.26", "new"))
    pod["metadata"]["labels"]["rev"] = "web-new"
    pod["metadata"]["labels"]["controller-revision-hash"] = "something-else"
    assert check_completed(pod, revision_key="rev").done
    assert not check_completed(pod).done
