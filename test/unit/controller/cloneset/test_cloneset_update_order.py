"""Which pods a CloneSet updates first, and how their lifecycle state moves after an
in-place update."""

from __future__ import annotations

from typing import Any

import pytest
from support.cloneset_fakes import NEW, OLD, make_pod, make_spec, not_ready_pod, ready_pod

from kruise.controller.cloneset.sync.update import next_lifecycle_state, update_order
from kruise.util.inplaceupdate import (
    GRACE_ANNOTATION,
    STATE_ANNOTATION,
    ContainerRecord,
    InPlaceUpdateState,
)

Obj = dict[str, Any]


def order_names(spec: Obj, pods: list[Obj], candidates: list[int] | None = None) -> list[str]:
    if candidates is None:
        candidates = list(range(len(pods)))
    return [pods[i]["metadata"]["name"] for i in update_order(spec, pods, candidates)]


# --- update_order ----------------------------------------------------------------------------


def test_order_empty() -> None:
    assert update_order(make_spec(), [ready_pod()], []) == []


def test_order_active_pods_without_strategies() -> None:
    pods = [
        ready_pod("ready-long", ready_for=9000),
        ready_pod("ready-recent", ready_for=9),
        not_ready_pod("not-ready"),
        not_ready_pod("pending", phase="Pending"),
        not_ready_pod("unscheduled", phase="Pending", node=""),
        ready_pod("restarted", ready_for=9000, restarts=3),
    ]
    assert order_names(make_spec(), pods) == [
        "unscheduled",
        "pending",
        "not-ready",
        "ready-recent",
        "restarted",
        "ready-long",
    ]


def test_order_returns_indexes_of_candidates_only() -> None:
    pods = [
        ready_pod("updated", revision=NEW),
        ready_pod("a", ready_for=100),
        not_ready_pod("not-a-candidate"),
        ready_pod("b", ready_for=10),
    ]
    assert update_order(make_spec(), pods, [1, 3]) == [3, 1]


def test_order_does_not_change_the_candidates_list() -> None:
    pods = [ready_pod("a"), not_ready_pod("b")]
    candidates = [0, 1]
    assert update_order(make_spec(), pods, candidates) == [1, 0]
    assert candidates == [0, 1]


def test_order_weight_priority_overrides_active_pods_order() -> None:
    pods = [
        not_ready_pod("light-not-ready"),
        ready_pod("heavy-ready", labels={"tier": "cache"}),
        ready_pod("medium-ready", labels={"tier": "web"}),
    ]
    spec = make_spec(
        priorityStrategy={
            "weightPriority": [
                {"weight": 50, "matchSelector": {"matchLabels": {"tier": "cache"}}},
                {"weight": 10, "matchSelector": {"matchLabels": {"tier": "web"}}},
            ]
        }
    )
    assert order_names(make_spec(), pods)[0] == "light-not-ready"
    assert order_names(spec, pods) == ["heavy-ready", "medium-ready", "light-not-ready"]


def test_order_order_priority() -> None:
    pods = [
        ready_pod("g1", labels={"group": "sts-1"}),
        not_ready_pod("g10", labels={"group": "sts-10"}),
        ready_pod("g2", labels={"group": "sts-2"}),
    ]
    spec = make_spec(priorityStrategy={"orderPriority": [{"orderedKey": "group"}]})
    # Larger number first, whatever the pods' readiness.
    assert order_names(spec, pods) == ["g10", "g2", "g1"]


def test_order_scatter_after_active_pods_order() -> None:
    # ActivePods order is newest first: p5, p4, p3, p2 (unlabelled), p1, p0 (labelled).
    # Scattering ["", "", "", "", A, A] gives positions [4, 0, 1, 2, 3, 5].
    pods = [make_pod(f"p{i}", age=1000 - i * 100) for i in range(6)]
    for pod in pods[:2]:
        pod["metadata"]["labels"]["zone"] = "a"
    spec = make_spec(scatterStrategy=[{"key": "zone", "value": "a"}])
    assert order_names(make_spec(), pods) == ["p5", "p4", "p3", "p2", "p1", "p0"]
    assert order_names(spec, pods) == ["p1", "p5", "p4", "p3", "p2", "p0"]


def test_order_preparing_update_first_stable() -> None:
    pods = [
        ready_pod("ready-prep", state="PreparingUpdate", ready_for=9000),
        ready_pod("ready", ready_for=9000),
        not_ready_pod("not-ready"),
        not_ready_pod("not-ready-prep", state="PreparingUpdate"),
        not_ready_pod("pending", phase="Pending"),
    ]
    assert order_names(make_spec(), pods) == [
        "not-ready-prep",
        "ready-prep",
        "pending",
        "not-ready",
        "ready",
    ]


def test_order_preparing_update_first_even_over_priority() -> None:
    pods = [
        ready_pod("heavy", labels={"tier": "cache"}),
        ready_pod("prep", state="PreparingUpdate"),
    ]
    spec = make_spec(
        priorityStrategy={
            "weightPriority": [{"weight": 50, "matchSelector": {"matchLabels": {"tier": "cache"}}}]
        }
    )
    assert order_names(spec, pods) == ["prep", "heavy"]


# --- next_lifecycle_state --------------------------------------------------------------------

HOOK = {"labelsHandler": {"example.com/hold": "true"}}
FINALIZER_HOOK = {"finalizersHandler": ["example.com/hold"]}


def in_place_updated(*, done: bool, state: str = "Updating", **kwargs: Any) -> Obj:
    """A pod whose app container was updated in place from nginx:1.25 to nginx:1.26."""
    record = ContainerRecord("docker.io/library/nginx@sha256:aaa", "containerd://1")
    annotation = InPlaceUpdateState(NEW, "2023-11-14T22:00:00Z", {"app": record}).to_json()
    annotations = {STATE_ANNOTATION: annotation, **kwargs.pop("annotations", {})}
    pod = make_pod(revision=NEW, state=state, annotations=annotations, **kwargs)
    pod["spec"]["containers"][0]["image"] = "nginx:1.26"
    if done:
        pod["status"]["containerStatuses"][0].update(
            image="nginx:1.26",
            imageID="docker.io/library/nginx@sha256:bbb",
            containerID="containerd://2",
        )
    return pod


def lifecycle_spec(lifecycle: Obj | None) -> Obj:
    return make_spec(lifecycle=lifecycle)


@pytest.mark.parametrize("state", [None, "Normal", "PreparingUpdate", "PreparingDelete"])
@pytest.mark.parametrize("lifecycle", [None, {"inPlaceUpdate": HOOK}])
def test_other_states_do_not_move(state: str | None, lifecycle: Obj | None) -> None:
    pod = in_place_updated(done=True, state="Normal")
    if state is None:
        del pod["metadata"]["labels"]["lifecycle.apps.kruise.io/state"]
    else:
        pod["metadata"]["labels"]["lifecycle.apps.kruise.io/state"] = state
    assert next_lifecycle_state(lifecycle_spec(lifecycle), pod) is None


def test_updating_without_state_annotation_counts_as_completed() -> None:
    pod = make_pod(revision=NEW, state="Updating")
    assert next_lifecycle_state(lifecycle_spec(None), pod) == "Normal"


@pytest.mark.parametrize(
    "lifecycle",
    [None, {"inPlaceUpdate": HOOK}, {}],
    ids=["no-lifecycle", "hook", "empty-lifecycle"],
)
def test_updating_not_completed_stays(lifecycle: Obj | None) -> None:
    assert next_lifecycle_state(lifecycle_spec(lifecycle), in_place_updated(done=False)) is None


def test_updating_waits_for_the_grace_period() -> None:
    pod = in_place_updated(done=True, annotations={GRACE_ANNOTATION: '{"revision": "x"}'})
    assert next_lifecycle_state(lifecycle_spec(None), pod) is None


def test_updating_waits_while_the_revision_label_moved_on() -> None:
    pod = in_place_updated(done=True)
    pod["metadata"]["labels"]["controller-revision-hash"] = OLD
    assert next_lifecycle_state(lifecycle_spec(None), pod) is None


def test_updating_completed_without_lifecycle_is_normal() -> None:
    assert next_lifecycle_state(lifecycle_spec(None), in_place_updated(done=True)) == "Normal"


@pytest.mark.parametrize(
    "lifecycle",
    [
        pytest.param({"inPlaceUpdate": HOOK}, id="label-hook"),
        pytest.param({"inPlaceUpdate": FINALIZER_HOOK}, id="finalizer-hook"),
        pytest.param({"preDelete": HOOK}, id="only-pre-delete"),
        pytest.param({}, id="empty-lifecycle"),
    ],
)
def test_updating_completed_not_hooked_is_updated(lifecycle: Obj) -> None:
    assert next_lifecycle_state(lifecycle_spec(lifecycle), in_place_updated(done=True)) == "Updated"


@pytest.mark.parametrize(
    ("hook", "pod_kwargs"),
    [
        pytest.param(HOOK, {"labels": {"example.com/hold": "true"}}, id="label"),
        pytest.param(FINALIZER_HOOK, {"finalizers": ["example.com/hold"]}, id="finalizer"),
    ],
)
def test_updating_completed_hooked_is_normal(hook: Obj, pod_kwargs: Obj) -> None:
    pod = in_place_updated(done=True, **pod_kwargs)
    assert next_lifecycle_state(lifecycle_spec({"inPlaceUpdate": hook}), pod) == "Normal"


def test_updating_label_hook_needs_the_exact_value() -> None:
    pod = in_place_updated(done=True, labels={"example.com/hold": "false"})
    assert next_lifecycle_state(lifecycle_spec({"inPlaceUpdate": HOOK}), pod) == "Updated"


@pytest.mark.parametrize(
    "lifecycle",
    [
        pytest.param(None, id="no-lifecycle"),
        pytest.param({}, id="empty-lifecycle"),
        pytest.param({"preDelete": HOOK}, id="no-in-place-hook"),
        pytest.param({"inPlaceUpdate": None}, id="null-in-place-hook"),
    ],
)
def test_updated_without_in_place_hook_is_normal(lifecycle: Obj | None) -> None:
    pod = make_pod(revision=NEW, state="Updated")
    assert next_lifecycle_state(lifecycle_spec(lifecycle), pod) == "Normal"


@pytest.mark.parametrize(
    ("hook", "pod_kwargs"),
    [
        pytest.param(HOOK, {"labels": {"example.com/hold": "true"}}, id="label"),
        pytest.param(FINALIZER_HOOK, {"finalizers": ["example.com/hold"]}, id="finalizer"),
    ],
)
def test_updated_hooked_again_is_normal(hook: Obj, pod_kwargs: Obj) -> None:
    pod = make_pod(revision=NEW, state="Updated", **pod_kwargs)
    assert next_lifecycle_state(lifecycle_spec({"inPlaceUpdate": hook}), pod) == "Normal"


@pytest.mark.parametrize("hook", [HOOK, FINALIZER_HOOK, {}], ids=["label", "finalizer", "empty"])
def test_updated_not_hooked_stays(hook: Obj) -> None:
    pod = make_pod(revision=NEW, state="Updated", labels={"example.com/hold": "no"})
    assert next_lifecycle_state(lifecycle_spec({"inPlaceUpdate": hook}), pod) is None


def test_updated_does_not_look_at_completion() -> None:
    # An Updated pod whose containers lag behind still follows the hook rules alone.
    pod = in_place_updated(done=False, state="Updated")
    assert next_lifecycle_state(lifecycle_spec(None), pod) == "Normal"
    assert next_lifecycle_state(lifecycle_spec({"inPlaceUpdate": HOOK}), pod) is None
