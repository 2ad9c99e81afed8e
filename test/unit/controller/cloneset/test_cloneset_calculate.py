"""The numbers behind a CloneSet's scale and update phases."""

from __future__ import annotations

from typing import Any

import pytest
from support.cloneset_fakes import (
    NEW,
    NOW,
    OLD,
    SPECIFIED_DELETE,
    make_pod,
    make_spec,
    names,
    not_ready_pod,
    ready_pod,
)

from kruise.controller.cloneset.sync.calculate import (
    ScaleDiffs,
    calculate_diffs,
    choose_pods_to_delete,
    deletable_specified,
    is_specified_delete,
    is_update_ready,
    name_of,
    revision_of,
    surge_headroom,
    update_count,
)
from kruise.controller.cloneset.sync.strategy import CloneSetStrategy, resolve_strategy

Obj = dict[str, Any]


def resolved(replicas: int | None = 3, **kwargs: Any) -> CloneSetStrategy:
    """The strategy the sync resolves from ``make_spec(replicas, **kwargs)``."""
    return resolve_strategy(make_spec(replicas, **kwargs))


def pods_at(revision: str, count: int, prefix: str = "p", **kwargs: Any) -> list[Obj]:
    return [
        make_pod(f"{prefix}{revision[-3:]}-{i}", revision=revision, **kwargs) for i in range(count)
    ]


def mixed(old: int, new: int) -> list[Obj]:
    return pods_at(OLD, old, "o") + pods_at(NEW, new, "n")


# --- small readers ---------------------------------------------------------------------------


def test_revision_and_name_of() -> None:
    pod = make_pod("sample-x", revision=NEW)
    assert revision_of(pod) == NEW
    assert name_of(pod) == "sample-x"
    assert revision_of({"metadata": {}}) == ""
    assert revision_of({}) == ""
    assert name_of({}) == ""


@pytest.mark.parametrize("value", ["true", "false", ""])
def test_specified_delete_label_counts_whatever_its_value(value: str) -> None:
    assert is_specified_delete(make_pod(labels={SPECIFIED_DELETE: value}))


def test_specified_delete_by_name_in_pods_to_delete() -> None:
    pod = make_pod("sample-abcde")
    assert is_specified_delete(pod, ["sample-zzzzz", "sample-abcde"])
    assert not is_specified_delete(pod, ["sample-zzzzz"])
    assert not is_specified_delete(pod)


# --- calculate_diffs -------------------------------------------------------------------------


def test_diffs_without_an_update_ignore_partition_and_surge() -> None:
    rollout = resolved(5, partition=2, max_surge=3)
    diffs = calculate_diffs(rollout, pods_at(OLD, 3, "o"), OLD, OLD)
    assert diffs == ScaleDiffs(total=-2, current_revision=0, surge=0)
    assert diffs.current_revision_creations == 0


def test_diffs_without_an_update_scale_in() -> None:
    diffs = calculate_diffs(resolved(3, max_surge=2), pods_at(OLD, 5, "o"), OLD, OLD)
    assert diffs == ScaleDiffs(total=2, current_revision=0, surge=0)


def test_diffs_update_without_surge() -> None:
    diffs = calculate_diffs(resolved(3), pods_at(OLD, 3, "o"), OLD, NEW)
    assert diffs == ScaleDiffs(total=0, current_revision=3, surge=0)


def test_diffs_update_with_surge_creates_extra_pods() -> None:
    diffs = calculate_diffs(resolved(3, max_surge=2), pods_at(OLD, 3, "o"), OLD, NEW)
    assert diffs == ScaleDiffs(total=-2, current_revision=3, surge=2)
    assert diffs.current_revision_creations == 0


def test_diffs_surge_bounded_by_old_pods_above_partition() -> None:
    # 1 old pod left to replace: only 1 surge pod, though maxSurge allows 3.
    diffs = calculate_diffs(resolved(4, max_surge=3), mixed(1, 3), OLD, NEW)
    assert diffs == ScaleDiffs(total=-1, current_revision=1, surge=1)


def test_diffs_surge_bounded_by_partition() -> None:
    # partition 2 keeps 2 of 4 old pods: 2 to replace, so surge min(3, 2) = 2.
    diffs = calculate_diffs(resolved(4, partition=2, max_surge=3), mixed(4, 0), OLD, NEW)
    assert diffs == ScaleDiffs(total=-2, current_revision=2, surge=2)


@pytest.mark.parametrize(
    ("max_surge", "surge"),
    [("10%", 1), ("11%", 2), ("15%", 2), ("1%", 1), ("0%", 0), ("100%", 10), (4, 4)],
)
def test_diffs_surge_percent_rounds_up(max_surge: str | int, surge: int) -> None:
    diffs = calculate_diffs(resolved(10, max_surge=max_surge), pods_at(OLD, 10, "o"), OLD, NEW)
    assert diffs.surge == surge
    assert diffs.total == -surge


def test_diffs_no_surge_once_partition_is_reached() -> None:
    # 2 old pods, partition 2: nothing left to replace, so maxSurge does not apply.
    diffs = calculate_diffs(resolved(4, partition=2, max_surge=2), mixed(2, 2), OLD, NEW)
    assert diffs == ScaleDiffs(total=0, current_revision=0, surge=0)


def test_diffs_scale_out_at_current_revision_while_old_pods_are_below_partition() -> None:
    # replicas 5, partition 3, but only 1 old pod: 2 of the missing pods are created old.
    diffs = calculate_diffs(resolved(5, partition=3, max_surge=2), mixed(1, 2), OLD, NEW)
    assert diffs == ScaleDiffs(total=-2, current_revision=-2, surge=0)
    assert diffs.current_revision_creations == 2


def test_diffs_current_creations_part_of_the_creations() -> None:
    # replicas 6, partition 3, 1 old + 2 new: 3 to create, 2 of them at the old revision.
    diffs = calculate_diffs(resolved(6, partition=3), mixed(1, 2), OLD, NEW)
    assert diffs.total == -3
    assert diffs.current_revision_creations == 2


def test_diffs_current_creations_capped_by_the_creations() -> None:
    # partition 4 wants 4 old pods but only 1 pod is missing.
    diffs = calculate_diffs(resolved(5, partition=4), mixed(0, 4), OLD, NEW)
    assert diffs == ScaleDiffs(total=-1, current_revision=-4, surge=0)
    assert diffs.current_revision_creations == 1


def test_diffs_no_current_creations_on_scale_in() -> None:
    diffs = calculate_diffs(resolved(2, partition=2), mixed(1, 3), OLD, NEW)
    assert diffs.total == 2
    assert diffs.current_revision == -1
    assert diffs.current_revision_creations == 0


def test_diffs_partition_capped_at_replicas() -> None:
    diffs = calculate_diffs(resolved(3, partition=5, max_surge=1), mixed(3, 0), OLD, NEW)
    assert diffs == ScaleDiffs(total=0, current_revision=0, surge=0)


@pytest.mark.parametrize(
    ("partition", "old", "current_revision"),
    [("25%", 3, 0), ("25%", 2, -1), ("21%", 3, 0), ("20%", 3, 1), ("0%", 3, 3)],
)
def test_diffs_partition_percent_rounds_up(partition: str, old: int, current_revision: int) -> None:
    # 10 replicas: 25% -> 3 (2.5 up), 21% -> 3 (2.1 up), 20% -> 2.
    diffs = calculate_diffs(resolved(10, partition=partition), mixed(old, 10 - old), OLD, NEW)
    assert diffs.current_revision == current_revision


def test_diffs_scale_in_during_update_keeps_the_surge() -> None:
    diffs = calculate_diffs(resolved(3, max_surge=1), mixed(2, 2), OLD, NEW)
    assert diffs == ScaleDiffs(total=0, current_revision=2, surge=1)
    diffs = calculate_diffs(resolved(3, max_surge=1), mixed(2, 3), OLD, NEW)
    assert diffs == ScaleDiffs(total=1, current_revision=2, surge=1)


# --- choose_pods_to_delete -------------------------------------------------------------------


def test_choose_only_old_pods_when_enough_are_above_partition() -> None:
    old = [ready_pod("o-0"), not_ready_pod("o-1"), ready_pod("o-2", ready_for=10)]
    new = [not_ready_pod("n-0", revision=NEW)]
    chosen = choose_pods_to_delete(2, 3, old, new)
    assert names(chosen) == ["o-1", "o-2"]


def test_choose_old_above_partition_then_new() -> None:
    old = [ready_pod("o-0"), not_ready_pod("o-1")]
    new = [ready_pod(f"n-{i}", revision=NEW, restarts=i) for i in range(4)]
    chosen = choose_pods_to_delete(3, 1, old, new)
    # 1 old (the not-ready one), then 2 new with the most restarts.
    assert names(chosen) == ["o-1", "n-3", "n-2"]


@pytest.mark.parametrize("current_diff", [0, -2])
def test_choose_only_new_pods_when_old_are_not_above_partition(current_diff: int) -> None:
    old = [not_ready_pod("o-0")]
    new = [ready_pod("n-0", revision=NEW), ready_pod("n-1", revision=NEW, node="")]
    assert names(choose_pods_to_delete(1, current_diff, old, new)) == ["n-1"]


def test_choose_whole_group_keeps_its_order() -> None:
    old = [ready_pod("o-0"), not_ready_pod("o-1")]
    assert names(choose_pods_to_delete(2, 2, old, [])) == ["o-0", "o-1"]
    assert names(choose_pods_to_delete(5, 5, old, [])) == ["o-0", "o-1"]


def test_choose_does_not_change_its_arguments() -> None:
    old = [ready_pod("o-0"), not_ready_pod("o-1"), ready_pod("o-2", ready_for=5)]
    before = names(old)
    choose_pods_to_delete(1, 3, old, [])
    assert names(old) == before


# Pairs (goes first, goes later) under Kubernetes' ActivePods order.
ACTIVE_PODS_ORDER = [
    pytest.param({"node": ""}, {"node": "node-1"}, id="unscheduled-before-scheduled"),
    pytest.param(
        {"phase": "Pending", "ready": False},
        {"phase": "Unknown", "ready": False},
        id="pending-before-unknown",
    ),
    pytest.param(
        {"phase": "Unknown", "ready": False},
        {"phase": "Running", "ready": False},
        id="unknown-before-running",
    ),
    pytest.param(
        {"phase": "Pending", "ready": False}, {"phase": "Running"}, id="pending-before-running"
    ),
    pytest.param({"ready": False}, {"ready": True}, id="not-ready-before-ready"),
    pytest.param({"ready": None}, {"ready": True}, id="no-ready-condition-before-ready"),
    pytest.param({"ready_for": 10}, {"ready_for": 1000}, id="recently-ready-first"),
    pytest.param({"ready_for": None}, {"ready_for": 10}, id="ready-without-time-first"),
    pytest.param({"restarts": 5}, {"restarts": 1}, id="more-restarts-first"),
    pytest.param({"age": 60}, {"age": 3600}, id="newer-first"),
    pytest.param({"age": None}, {"age": 60}, id="no-creation-time-first"),
    # Precedence: an earlier rule wins over every later one.
    pytest.param(
        {"node": "", "ready": True, "age": 9000},
        {"node": "n", "phase": "Pending", "ready": False, "age": 1},
        id="node-over-phase",
    ),
    pytest.param(
        {"phase": "Pending", "ready": True},
        {"phase": "Running", "ready": False},
        id="phase-over-readiness",
    ),
    pytest.param(
        {"ready": False, "restarts": 0, "age": 9000},
        {"ready": True, "restarts": 9, "age": 1},
        id="readiness-over-restarts-and-age",
    ),
    pytest.param(
        {"ready_for": 5, "restarts": 0},
        {"ready_for": 500, "restarts": 9},
        id="ready-time-over-restarts",
    ),
    pytest.param({"restarts": 2, "age": 9000}, {"restarts": 1, "age": 1}, id="restarts-over-age"),
]


@pytest.mark.parametrize(("first", "later"), ACTIVE_PODS_ORDER)
@pytest.mark.parametrize("reverse", [False, True])
def test_choose_in_active_pods_order(first: Obj, later: Obj, reverse: bool) -> None:
    group = [make_pod("later", **later), make_pod("first", **first)]
    if reverse:
        group.reverse()
    assert names(choose_pods_to_delete(1, 1, group, [])) == ["first"]
    assert names(choose_pods_to_delete(1, 0, [], group)) == ["first"]


def test_choose_several_in_active_pods_order() -> None:
    group = [
        ready_pod("running-ready-old", ready_for=5000),
        ready_pod("running-ready-recent", ready_for=5),
        not_ready_pod("running-not-ready"),
        not_ready_pod("pending", phase="Pending"),
        not_ready_pod("unscheduled", phase="Pending", node=""),
    ]
    chosen = choose_pods_to_delete(4, 5, group, [])
    assert names(chosen) == ["unscheduled", "pending", "running-not-ready", "running-ready-recent"]


# --- surge_headroom --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_surge", "active", "headroom"),
    [(1, 3, 1), (1, 4, 0), (1, 6, 0), (None, 3, 0), (None, 2, 1), ("50%", 3, 2), ("34%", 3, 2)],
)
def test_surge_headroom(max_surge: int | str | None, active: int, headroom: int) -> None:
    assert surge_headroom(resolved(3, max_surge=max_surge), active) == headroom


# --- deletable_specified ---------------------------------------------------------------------


def test_deletable_not_ready_always_ready_only_within_budget() -> None:
    rollout = resolved(3, max_unavailable=0, max_surge=1)
    active = [ready_pod("r-0"), ready_pod("r-1"), ready_pod("r-2"), not_ready_pod("n-0")]
    chosen = deletable_specified(rollout, [active[0], active[3]], active)
    assert names(chosen) == ["n-0"]


def test_deletable_ready_while_enough_ready_pods_remain() -> None:
    rollout = resolved(5, max_unavailable=2)
    active = [ready_pod(f"r-{i}") for i in range(5)]
    chosen = deletable_specified(rollout, active[:4], active)
    assert len(chosen) == 2


def test_deletable_budget_counts_every_active_pod() -> None:
    # 4 of 5 ready, at most 2 unavailable: one more ready pod may go.
    rollout = resolved(5, max_unavailable=2)
    active = [ready_pod(f"r-{i}") for i in range(4)] + [not_ready_pod("n-0")]
    assert len(deletable_specified(rollout, active[:3], active)) == 1


def test_deletable_surge_pods_add_to_the_budget() -> None:
    # maxSurge 1 makes 20% of 3 round down to 0; the ready surge pod lets one old pod go.
    rollout = resolved(3, max_surge=1)
    old = [ready_pod(f"o-{i}") for i in range(3)]
    assert deletable_specified(rollout, old[:1], old) == []
    active = [*old, ready_pod("n-0", revision=NEW)]
    assert names(deletable_specified(rollout, old[:2], active)) == ["o-0"]


def test_deletable_not_ready_first_then_ready_in_active_pods_order() -> None:
    rollout = resolved(3, max_unavailable=1)
    long_ready, recent_ready = ready_pod("long", ready_for=9000), ready_pod("recent", ready_for=9)
    pending = not_ready_pod("pending", phase="Pending")
    active = [long_ready, recent_ready, ready_pod("other"), pending]
    chosen = deletable_specified(rollout, [long_ready, recent_ready, pending], active)
    assert names(chosen) == ["pending", "recent"]


def test_deletable_all_when_scaling_to_zero() -> None:
    rollout = resolved(0)
    active = [ready_pod(f"r-{i}") for i in range(3)]
    assert names(deletable_specified(rollout, active, active)) == names(active)


def test_deletable_nothing_marked() -> None:
    assert deletable_specified(resolved(3), [], [ready_pod()]) == []


def test_deletable_none_when_ready_pods_already_below_the_floor() -> None:
    rollout = resolved(5, max_unavailable=1)
    active = [ready_pod(f"r-{i}") for i in range(3)] + [not_ready_pod(f"n-{i}") for i in range(2)]
    assert deletable_specified(rollout, active[:3], active) == []


# --- is_update_ready -------------------------------------------------------------------------


def test_update_ready_running_ready_normal() -> None:
    assert is_update_ready(ready_pod(), 0, NOW)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"phase": "Pending"}, id="pending"),
        pytest.param({"phase": "Succeeded"}, id="succeeded"),
        pytest.param({"ready": False}, id="not-ready"),
        pytest.param({"ready": None}, id="no-ready-condition"),
        pytest.param({"in_place_ready": "False"}, id="in-place-update-not-ready"),
        pytest.param({"in_place_ready": "Unknown"}, id="in-place-update-unknown"),
        pytest.param({"state": "PreparingUpdate"}, id="preparing-update"),
        pytest.param({"state": "Updating"}, id="updating"),
        pytest.param({"state": "Updated"}, id="updated"),
        pytest.param({"state": "PreparingDelete"}, id="preparing-delete"),
    ],
)
def test_update_not_ready(kwargs: Obj) -> None:
    assert not is_update_ready(make_pod(**kwargs), 0, NOW)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"state": None}, id="no-lifecycle-state"),
        pytest.param({"state": "Normal"}, id="normal"),
        pytest.param({"in_place_ready": "True"}, id="in-place-update-ready"),
    ],
)
def test_update_ready(kwargs: Obj) -> None:
    assert is_update_ready(make_pod(**kwargs), 0, NOW)


@pytest.mark.parametrize(
    ("ready_for", "min_ready", "expected"),
    [(30, 60, False), (61, 60, True), (60, 60, False), (None, 60, False), (None, 0, True)],
)
def test_update_ready_min_ready_seconds(
    ready_for: float | None, min_ready: int, expected: bool
) -> None:
    assert is_update_ready(make_pod(ready_for=ready_for), min_ready, NOW) is expected


# --- update_count: the worked examples of OpenKruise's unit test ------------------------------


def count(
    rollout: CloneSetStrategy, candidates: list[Obj], pods: list[Obj] | None = None, **kwargs: Any
) -> int:
    return update_count(
        rollout, candidates, pods if pods is not None else candidates, now=NOW, **kwargs
    )


def test_worked_example_three_ready_pods_with_defaults() -> None:
    pods = [ready_pod(f"p-{i}") for i in range(3)]
    assert count(resolved(3), pods) == 1


def test_worked_example_ready_not_ready_ready() -> None:
    pods = [ready_pod("p-0"), not_ready_pod("p-1"), ready_pod("p-2")]
    assert count(resolved(3), pods) == 0


def test_worked_example_not_ready_ready_ready() -> None:
    pods = [not_ready_pod("p-0"), ready_pod("p-1"), ready_pod("p-2")]
    assert count(resolved(3), pods) == 1


def test_worked_example_no_unavailable_one_surge_pod() -> None:
    rollout = resolved(4, max_unavailable=0, max_surge=2)
    pods = [ready_pod(f"o-{i}") for i in range(4)] + [ready_pod("n-0", revision=NEW)]
    assert count(rollout, pods[:2], pods) == 1


def test_worked_example_one_unavailable_two_surge_pods() -> None:
    rollout = resolved(4, max_unavailable=1, max_surge=2)
    old = [ready_pod(f"o-{i}") for i in range(4)]
    pods = [*old, ready_pod("n-0", revision=NEW), ready_pod("n-1", revision=NEW)]
    assert count(rollout, old[:3], pods) == 3


# --- update_count: partition ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("partition", "expected"),
    [
        ("80%", 2),
        ("81%", 1),
        ("71%", 2),
        ("70%", 3),
        (8, 2),
        (0, 10),
        ("0%", 10),
        (10, 0),
        (12, 0),
        ("100%", 0),
    ],
)
def test_partition_keeps_pods_at_old_revision(partition: int | str, expected: int) -> None:
    rollout = resolved(10, partition=partition, max_unavailable="100%")
    pods = [ready_pod(f"p-{i}") for i in range(10)]
    assert count(rollout, pods) == expected


def test_partition_cuts_candidates_from_the_end() -> None:
    # Only the first candidate is considered; it is ready and there is no budget.
    rollout = resolved(3, partition=2, max_unavailable=0, max_surge=0)
    pods = [ready_pod("p-0"), not_ready_pod("p-1"), not_ready_pod("p-2")]
    assert count(rollout, pods) == 0
    pods = [not_ready_pod("p-0"), ready_pod("p-1"), ready_pod("p-2")]
    assert count(rollout, pods) == 1


def test_partition_applies_to_candidates_not_to_all_pods() -> None:
    # 4 candidates of 10 pods, partition 3: only 1 more may be updated.
    rollout = resolved(10, partition=3, max_unavailable="100%")
    pods = [ready_pod(f"o-{i}") for i in range(4)] + [
        ready_pod(f"n-{i}", revision=NEW) for i in range(6)
    ]
    assert count(rollout, pods[:4], pods) == 1


# --- update_count: maxUnavailable and maxSurge ------------------------------------------------


def test_max_unavailable_rounds_up_without_surge() -> None:
    rollout = resolved(10, max_unavailable="25%")
    pods = [ready_pod(f"p-{i}") for i in range(10)]
    assert count(rollout, pods) == 3


def test_max_unavailable_rounds_down_with_surge() -> None:
    # maxSurge allowed but no surge pod created yet: 25% of 10 rounds down to 2.
    rollout = resolved(10, max_unavailable="25%", max_surge=1)
    pods = [ready_pod(f"p-{i}") for i in range(10)]
    assert count(rollout, pods) == 2


def test_max_unavailable_rounds_down_with_percent_surge() -> None:
    rollout = resolved(10, max_unavailable="25%", max_surge="5%")
    pods = [ready_pod(f"p-{i}") for i in range(10)]
    assert count(rollout, pods) == 2


def test_fewer_pods_than_replicas_shrink_the_budget() -> None:
    # usedSurge = 4 - 5 = -1: maxUnavailable 2 leaves room for 1.
    rollout = resolved(5, max_unavailable=2)
    pods = [ready_pod(f"p-{i}") for i in range(4)]
    assert count(rollout, pods) == 1


def test_not_ready_candidates_cost_nothing() -> None:
    rollout = resolved(5, max_unavailable=0, max_surge=0)
    pods = [not_ready_pod(f"p-{i}") for i in range(5)]
    assert count(rollout, pods) == 5


def test_stop_before_not_ready_candidates_after_a_blocked_ready_one() -> None:
    rollout = resolved(4, max_unavailable=1)
    other = ready_pod("other", revision=NEW)
    candidates = [ready_pod("c-0"), ready_pod("c-1"), not_ready_pod("c-2")]
    # c-2 is not ready: not_ready starts at 1 == budget, so c-0 is blocked at once.
    assert count(rollout, candidates, [*candidates, other]) == 0
    rollout = resolved(4, max_unavailable=2)
    # budget 2: c-0 fits (not_ready 1 -> 2), c-1 does not; c-2 behind it is not counted.
    assert count(rollout, candidates, [*candidates, other]) == 1


# --- update_count: what counts as not ready ---------------------------------------------------


def test_min_ready_seconds_makes_recent_pods_not_ready() -> None:
    pods = [ready_pod(f"p-{i}", ready_for=10) for i in range(3)]
    assert count(resolved(3, min_ready_seconds=30), pods) == 3
    assert count(resolved(3, min_ready_seconds=5), pods) == 1


def test_lifecycle_state_not_normal_is_not_ready() -> None:
    busy = ready_pod("busy", revision=NEW, state="Updated")
    candidates = [ready_pod("c-0"), ready_pod("c-1")]
    pods = [busy, *candidates]
    assert count(resolved(3), candidates, pods) == 0
    assert count(resolved(3), candidates, [ready_pod("idle", revision=NEW), *candidates]) == 1


def test_in_place_update_not_ready_is_not_ready() -> None:
    busy = ready_pod("busy", revision=NEW, in_place_ready="False")
    candidates = [ready_pod("c-0"), ready_pod("c-1")]
    assert count(resolved(3), candidates, [busy, *candidates]) == 0
    done = ready_pod("done", revision=NEW, in_place_ready="True")
    assert count(resolved(3), candidates, [done, *candidates]) == 1


def test_unavailable_pods_count_as_not_ready() -> None:
    leaving = ready_pod("leaving", labels={SPECIFIED_DELETE: "true"})
    candidates = [ready_pod("c-0"), ready_pod("c-1")]
    pods = [leaving, *candidates]
    assert count(resolved(3), candidates, pods) == 1
    assert count(resolved(3), candidates, pods, unavailable=[leaving]) == 0


def test_unavailable_candidate_costs_nothing() -> None:
    candidates = [ready_pod("c-0"), ready_pod("c-1"), ready_pod("c-2")]
    rollout = resolved(3, max_unavailable=0, max_surge=0)
    assert count(rollout, candidates) == 0
    assert count(rollout, candidates, unavailable=[candidates[0]]) == 1


def test_no_candidates() -> None:
    assert count(resolved(3), [], [ready_pod()]) == 0
