"""OpenKruise v1.x's scale rules: scaleStrategy.maxUnavailable, disablePVCReuse,
scalingExcludePreparingDelete and PreparingUpdateAsUpdate, from the spec (and the
manager's flags) through the numbers of a scale pass."""

from __future__ import annotations

from typing import Any

import pytest
from support.cloneset_fakes import NEW, NOW, OLD, make_pod, make_spec, not_ready_pod, ready_pod

from kruise.apis.apps.intstr import IntOrPercentError
from kruise.controller.cloneset.sync.calculate import (
    calculate_diffs,
    counted_for_surge,
    is_pod_update,
    scale_up_limit,
    surge_headroom,
)
from kruise.controller.cloneset.sync.strategy import CloneSetOptions, resolve_strategy
from kruise.controller.cloneset.sync.update import next_lifecycle_state
from kruise.util.features import parse_feature_gates

Obj = dict[str, Any]
EXCLUDE = "apps.kruise.io/cloneset-scaling-exclude-preparing-delete"


def spec_with_scale(replicas: int = 4, **scale: Any) -> Obj:
    spec = make_spec(replicas)
    spec["scaleStrategy"] = scale
    return spec


# --- resolving ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replicas", "value", "expected"),
    [
        (4, None, None),
        (4, 1, 1),
        (4, 9, 9),
        (4, "10%", 1),  # 0.4 rounds up
        (5, "50%", 3),  # 2.5 rounds up
        (10, "20%", 2),
    ],
)
def test_scale_max_unavailable_rounds_up(replicas: int, value: Any, expected: int | None) -> None:
    scale = {} if value is None else {"maxUnavailable": value}
    assert resolve_strategy(spec_with_scale(replicas, **scale)).scale_max_unavailable == expected


def test_a_malformed_scale_max_unavailable_fails_the_resolution() -> None:
    with pytest.raises(IntOrPercentError):
        resolve_strategy(spec_with_scale(maxUnavailable="five"))


def test_a_stored_quoted_integer_scale_max_unavailable_is_a_percentage() -> None:
    """Issue 14 item 1: read leniently, like the update strategy's fields."""
    spec = spec_with_scale(10, maxUnavailable="25")
    assert resolve_strategy(spec).scale_max_unavailable == 3


def test_disable_pvc_reuse() -> None:
    assert resolve_strategy(spec_with_scale(disablePVCReuse=True)).disable_pvc_reuse
    assert not resolve_strategy(spec_with_scale()).disable_pvc_reuse


@pytest.mark.parametrize(
    ("labels", "flag", "expected"),
    [
        (None, False, False),
        ({EXCLUDE: "true"}, False, True),
        ({EXCLUDE: "false"}, False, False),
        ({EXCLUDE: "True"}, False, False),  # OpenKruise compares with "true" exactly
        (None, True, True),
        ({EXCLUDE: "false"}, True, True),  # the flag covers every CloneSet
    ],
)
def test_exclude_preparing_delete_from_the_label_or_the_flag(
    labels: dict[str, str] | None, flag: bool, expected: bool
) -> None:
    options = CloneSetOptions(scaling_exclude_preparing_delete=flag)
    assert resolve_strategy(make_spec(3), labels, options).exclude_preparing_delete is expected


@pytest.mark.parametrize(
    ("gates", "expected"),
    [("", False), ("PreparingUpdateAsUpdate=true", True), ("AllAlpha=true", True)],
)
def test_preparing_update_as_update_from_the_feature_gate(gates: str, expected: bool) -> None:
    options = CloneSetOptions(features=parse_feature_gates(gates))
    assert resolve_strategy(make_spec(3), None, options).preparing_update_as_update is expected


# --- PreparingUpdateAsUpdate -----------------------------------------------------------------


def preparing_update(name: str) -> Obj:
    return make_pod(name, revision=OLD, state="PreparingUpdate")


@pytest.mark.parametrize(
    ("pod", "as_update", "expected"),
    [
        (make_pod(revision=NEW), False, True),
        (make_pod(revision=OLD), True, False),
        (preparing_update("p"), False, False),
        (preparing_update("p"), True, True),
    ],
)
def test_is_pod_update(pod: Obj, as_update: bool, expected: bool) -> None:
    assert is_pod_update(pod, NEW, as_update) is expected


def test_a_pod_recreated_while_another_waits_in_preparing_update_keeps_the_old_revision() -> None:
    # OpenKruise's e2e "regard preparing-update pod as update when scaling": 2 replicas,
    # partition "99%" (1 kept old); one pod waits in PreparingUpdate, the other was deleted.
    rollout = resolve_strategy(make_spec(2, partition="99%"))
    pods = [preparing_update("held")]
    without = calculate_diffs(rollout, pods, OLD, NEW)
    assert (without.total, without.current_revision_creations) == (-1, 0)  # a new-revision pod
    with_gate = calculate_diffs(rollout, pods, OLD, NEW, preparing_update_as_update=True)
    assert (with_gate.total, with_gate.current_revision_creations) == (-1, 1)  # an old one


def test_scaling_out_while_a_pod_waits_in_preparing_update_adds_old_revision_pods() -> None:
    # Then replicas 3: "99%" keeps 2 old; the held pod counts as updated, so 1 more old pod.
    rollout = resolve_strategy(make_spec(3, partition="99%"))
    pods = [preparing_update("held"), make_pod("old", revision=OLD)]
    with_gate = calculate_diffs(rollout, pods, OLD, NEW, preparing_update_as_update=True)
    assert (with_gate.total, with_gate.current_revision_creations) == (-1, 1)
    without = calculate_diffs(rollout, pods, OLD, NEW)
    assert (without.total, without.current_revision_creations) == (-1, 0)


# --- scalingExcludePreparingDelete -----------------------------------------------------------


def test_pods_held_by_pre_delete_leave_room_for_replacements_only_when_excluded() -> None:
    # OpenKruise's e2e: 3 pods, replicas 3 -> 2 with one named, held in PreparingDelete,
    # then back to 3. Replicas + maxSurge (0) leave no room unless the held pod is left out.
    active = [make_pod("held", state="PreparingDelete"), ready_pod("a"), ready_pod("b")]
    rollout = resolve_strategy(make_spec(3))
    assert counted_for_surge(active, exclude_preparing_delete=False) == 3
    assert surge_headroom(rollout, counted_for_surge(active, False)) == 0
    assert counted_for_surge(active, exclude_preparing_delete=True) == 2
    assert surge_headroom(rollout, counted_for_surge(active, True)) == 1


# --- scaleStrategy.maxUnavailable ------------------------------------------------------------


def limit(value: int | None, pods: list[Obj], min_ready: int = 0, **kwargs: Any) -> int | None:
    return scale_up_limit(value, pods, min_ready_seconds=min_ready, now=NOW, **kwargs)


def test_no_limit_without_the_field() -> None:
    assert limit(None, [not_ready_pod(f"p{i}") for i in range(5)]) is None


def test_the_limit_less_the_unavailable_pods() -> None:
    assert limit(1, []) == 1
    assert limit(3, [ready_pod("a"), not_ready_pod("b")]) == 2
    assert limit(1, [not_ready_pod("b")]) == 0
    assert limit(1, [not_ready_pod("b"), not_ready_pod("c")]) == 0  # never below 0


@pytest.mark.parametrize(
    "pod",
    [
        pytest.param(make_pod(state="PreparingNormal"), id="preparing-normal"),
        pytest.param(make_pod(state="PreparingDelete"), id="preparing-delete"),
        pytest.param(make_pod(state="PreparingDelete", ready=False), id="preparing-delete-down"),
        pytest.param(make_pod(ready_for=5), id="ready-but-within-min-ready-seconds"),
        pytest.param(make_pod(in_place_ready="False"), id="mid-in-place-update"),
        pytest.param(make_pod(phase="Pending", ready=False), id="pending"),
    ],
)
def test_unavailable_pods(pod: Obj) -> None:
    assert limit(2, [pod], min_ready=10) == 1


def test_available_pods_cost_nothing() -> None:
    assert limit(2, [make_pod(ready_for=11), make_pod(state=None)], min_ready=10) == 2


def test_pods_marked_for_deletion_are_left_out_unless_held_by_pre_delete() -> None:
    marked = not_ready_pod("gone", labels={"apps.kruise.io/specified-delete": "true"})
    named = not_ready_pod("named")
    assert limit(1, [marked]) == 1
    assert limit(1, [named], pods_to_delete=["named"]) == 1
    held = make_pod("held", state="PreparingDelete", labels={"apps.kruise.io/specified-delete": ""})
    assert limit(1, [held]) == 0


def test_one_pod_at_a_time_with_min_ready_seconds() -> None:
    # OpenKruise's e2e "scales with minReadySeconds and scaleStrategy": limit 1, minReady 10.
    first = make_pod("first", ready_for=9)
    assert limit(1, [first], min_ready=10) == 0  # not available yet: wait
    assert limit(1, [make_pod("first", ready_for=11)], min_ready=10) == 1  # now one more


# --- PreparingNormal -> Normal (the update phase's refresh) ----------------------------------


def test_a_new_pod_becomes_normal_once_scheduled_without_a_pre_normal_hook() -> None:
    assert next_lifecycle_state(make_spec(1), make_pod(state="PreparingNormal")) == "Normal"
    unscheduled = make_pod(state="PreparingNormal", node="")
    assert next_lifecycle_state(make_spec(1), unscheduled) is None


def test_a_new_pod_waits_for_every_part_of_the_pre_normal_hook() -> None:
    hook = {"labelsHandler": {"example.com/ok": "true"}, "finalizersHandler": ["example.com/f"]}
    spec = make_spec(1, lifecycle={"preNormal": hook})
    half = make_pod(state="PreparingNormal", labels={"example.com/ok": "true"})
    assert next_lifecycle_state(spec, half) is None
    whole = make_pod(
        state="PreparingNormal", labels={"example.com/ok": "true"}, finalizers=["example.com/f"]
    )
    assert next_lifecycle_state(spec, whole) == "Normal"
