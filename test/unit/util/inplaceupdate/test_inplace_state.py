"""The state and grace annotations, their timestamps, and image normalization."""

from __future__ import annotations

import json

import pytest

from kruise.util.inplaceupdate import (
    GRACE_ANNOTATION,
    LEGACY_GRACE_ANNOTATION,
    LEGACY_STATE_ANNOTATION,
    STATE_ANNOTATION,
    ContainerRecord,
    InPlaceUpdateState,
    InvalidAnnotation,
    UpdateSpec,
    format_time,
    has_pending_grace,
    normalize_image,
    parse_time,
    read_grace,
    read_state,
    same_image,
)


def pod_with(annotations: dict[str, str]) -> dict[str, object]:
    return {"metadata": {"name": "p", "annotations": annotations}}


def test_state_json_is_openkruises_plus_the_container_id() -> None:
    state = InPlaceUpdateState(
        "web-2", "2024-05-01T10:00:00Z", {"app": ContainerRecord("img@sha256:1", "cri://a")}
    )
    assert state.to_json() == (
        '{"revision":"web-2","updateTimestamp":"2024-05-01T10:00:00Z",'
        '"lastContainerStatuses":{"app":{"imageID":"img@sha256:1","containerID":"cri://a"}}}'
    )
    assert InPlaceUpdateState.from_json(state.to_json()) == state


def test_openkruise_state_has_no_container_id() -> None:
    text = json.dumps(
        {
            "revision": "r",
            "updateTimestamp": "2020-01-01T00:00:00Z",
            "lastContainerStatuses": {"c1": {"imageID": "img01"}},
        }
    )
    state = InPlaceUpdateState.from_json(text)
    assert state.last_container_statuses == {"c1": ContainerRecord("img01", None)}
    assert '"containerID"' not in state.to_json()


@pytest.mark.parametrize("text", ["", "nope", "[1]", '{"lastContainerStatuses": {"c": 1}}'])
def test_a_broken_state_is_reported(text: str) -> None:
    with pytest.raises(InvalidAnnotation):
        InPlaceUpdateState.from_json(text)


def test_the_prefixed_state_wins_and_the_bare_one_is_read_too() -> None:
    new = InPlaceUpdateState("new", "2024-01-01T00:00:00Z").to_json()
    old = InPlaceUpdateState("old", "2020-01-01T00:00:00Z").to_json()
    both = read_state(pod_with({STATE_ANNOTATION: new, LEGACY_STATE_ANNOTATION: old}))
    assert both is not None
    assert both.revision == "new"
    legacy = read_state(pod_with({LEGACY_STATE_ANNOTATION: old}))
    assert legacy is not None
    assert legacy.revision == "old"
    assert read_state(pod_with({})) is None
    assert read_state({"metadata": {}}) is None


def test_grace_is_read_under_both_names() -> None:
    spec = UpdateSpec("r", {"c": "i:2"}, grace_seconds=5)
    for key in (GRACE_ANNOTATION, LEGACY_GRACE_ANNOTATION):
        pod = pod_with({key: spec.to_json()})
        assert has_pending_grace(pod)
        assert read_grace(pod) == spec
    assert not has_pending_grace(pod_with({GRACE_ANNOTATION: ""}))
    assert read_grace(pod_with({})) is None


def test_times_are_rfc3339_utc_seconds() -> None:
    assert format_time(1_700_000_000.9) == "2023-11-14T22:13:20Z"
    assert parse_time("2023-11-14T22:13:20Z") == 1_700_000_000
    assert parse_time("2023-11-14T23:13:20.5+01:00") == 1_700_000_000.5
    assert parse_time("2023-11-14T22:13:20") == 1_700_000_000
    with pytest.raises(InvalidAnnotation):
        parse_time("yesterday")


@pytest.mark.parametrize(
    ("reference", "normalized"),
    [
        ("nginx", "docker.io/library/nginx:latest"),
        ("nginx:1.25", "docker.io/library/nginx:1.25"),
        ("library/nginx:1.25", "docker.io/library/nginx:1.25"),
        ("docker.io/nginx", "docker.io/library/nginx:latest"),
        ("index.docker.io/library/nginx:1", "docker.io/library/nginx:1"),
        ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
        ("quay.io/org/app", "quay.io/org/app:latest"),
        ("localhost/app:dev", "localhost/app:dev"),
        ("registry:5000/app", "registry:5000/app:latest"),
        ("registry:5000/app:v2", "registry:5000/app:v2"),
        ("nginx@sha256:abc", "docker.io/library/nginx@sha256:abc"),
        ("nginx:1.25@sha256:abc", "docker.io/library/nginx:1.25@sha256:abc"),
    ],
)
def test_images_normalize_as_runtimes_report_them(reference: str, normalized: str) -> None:
    assert normalize_image(reference) == normalized


def test_same_image() -> None:
    assert same_image("nginx", "docker.io/library/nginx:latest")
    assert not same_image("nginx:1.25", "nginx:1.26")
    assert not same_image("nginx", "nginx@sha256:abc")
