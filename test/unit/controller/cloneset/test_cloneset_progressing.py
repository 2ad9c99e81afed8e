"""The CloneSet's Progressing condition and spec.progressDeadlineSeconds: each reason, the
deadline arithmetic, maxInt32 as "no deadline", and where kruise-py parts from OpenKruise
v1.9 (a finished or paused rollout, or a new revision, starts a new deadline)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support.cloneset_fakes import NEW, NOW, OLD, make_cloneset, make_spec, ready_pod

from kruise.apis.apps.crdgen import CUSTOM_RESOURCES, custom_resource_definition
from kruise.controller.cloneset.status import (
    calculate,
    changed,
    expected_updated_replicas,
    progress_deadline_of,
    progressing,
    set_condition,
)
from kruise.util.pods import format_time

Obj = dict[str, Any]
MAX_INT32 = 2**31 - 1
DEADLINE = 600
AVAILABLE = ("True", "CloneSetAvailable", "CloneSet is available")
UPDATED = ("True", "CloneSetUpdated", "CloneSet is progressing")
PAUSED = ("True", "CloneSetPaused", "CloneSet is paused")
PARTITION = (
    "True",
    "ProgressPartitionAvailable",
    "CloneSet has been paused due to partition ready",
)
EXCEEDED = (
    "False",
    "ProgressDeadlineExceeded",
    f"CloneSet revision {NEW} has timed out progressing",
)


def cloneset(
    deadline: int | None = DEADLINE,
    *,
    replicas: int = 3,
    stored_revision: str | None = NEW,
    progress: Obj | None = None,
    **spec: Any,
) -> Obj:
    """A CloneSet as the reconcile reads it: its stored status names ``stored_revision``
    as the update revision and holds the Progressing condition ``progress``."""
    cs = make_cloneset(spec=make_spec(replicas, **spec))
    if deadline is not None:
        cs["spec"]["progressDeadlineSeconds"] = deadline
    cs["status"] = {"conditions": [progress]} if progress else {}
    if stored_revision is not None:
        cs["status"]["updateRevision"] = stored_revision
    return cs


def new_status(
    cs: Obj,
    *,
    replicas: int = 3,
    updated: int = 0,
    updated_available: int = 0,
    current: str = OLD,
) -> Obj:
    """The status the reconcile computed, carrying the stored conditions."""
    status: Obj = {
        "replicas": replicas,
        "updatedReplicas": updated,
        "updatedAvailableReplicas": updated_available,
        "expectedUpdatedReplicas": expected_updated_replicas(cs["spec"]),
        "currentRevision": current,
        "updateRevision": NEW,
    }
    if cs["status"].get("conditions"):
        status["conditions"] = copy.deepcopy(cs["status"]["conditions"])
    return status


def all_available(cs: Obj, replicas: int = 3) -> Obj:
    return new_status(
        cs, replicas=replicas, updated=replicas, updated_available=replicas, current=NEW
    )


def condition(
    state: tuple[str, str, str], *, updated_at: float = NOW, since: float | None = None
) -> Obj:
    status, reason, message = state
    return {
        "type": "Progressing",
        "status": status,
        "reason": reason,
        "message": message,
        "lastUpdateTime": format_time(updated_at),
        "lastTransitionTime": format_time(updated_at if since is None else since),
    }


def progressing_of(status: Obj) -> Obj | None:
    return next((c for c in status.get("conditions") or () if c["type"] == "Progressing"), None)


# --- no deadline -----------------------------------------------------------------------------


@pytest.mark.parametrize("deadline", [None, MAX_INT32])
def test_without_a_deadline_there_is_no_progressing_condition(deadline: int | None) -> None:
    cs = cloneset(deadline)
    status = new_status(cs)
    assert progressing(cs, status, NOW) is None
    assert "conditions" not in status


@pytest.mark.parametrize("deadline", [None, MAX_INT32])
def test_removing_the_deadline_drops_only_the_progressing_condition(deadline: int | None) -> None:
    cs = cloneset(deadline, progress=condition(UPDATED, updated_at=NOW - 60))
    status = new_status(cs)
    set_condition(status, "FailedScale", RuntimeError("quota"), NOW)
    assert progressing(cs, status, NOW) is None
    assert [c["type"] for c in status["conditions"]] == ["FailedScale"]


def test_progress_deadline_of() -> None:
    assert progress_deadline_of({}) is None
    assert progress_deadline_of({"progressDeadlineSeconds": MAX_INT32}) is None
    assert progress_deadline_of({"progressDeadlineSeconds": MAX_INT32 - 1}) == MAX_INT32 - 1
    assert progress_deadline_of({"progressDeadlineSeconds": 0}) == 0


# --- each reason -----------------------------------------------------------------------------


def test_a_new_rollout_is_under_way_and_rechecked_a_second_after_its_deadline() -> None:
    cs = cloneset(stored_revision=None)
    status = new_status(cs)
    assert progressing(cs, status, NOW) == DEADLINE + 1
    assert status["conditions"] == [condition(UPDATED)]


def test_every_pod_updated_and_available_is_available() -> None:
    cs = cloneset()
    status = all_available(cs)
    assert progressing(cs, status, NOW) is None
    assert status["conditions"] == [condition(AVAILABLE)]


@pytest.mark.parametrize(
    "short",
    [
        {"current": OLD},  # an old revision still runs
        {"replicas": 4},  # one pod too many
        {"updated": 2},
        {"updated_available": 2},
    ],
)
def test_available_needs_every_pod_updated_and_available(short: Obj) -> None:
    cs = cloneset()
    args: Obj = {"updated": 3, "updated_available": 3, "current": NEW, **short}
    status = new_status(cs, **args)
    progressing(cs, status, NOW)
    assert status["conditions"] == [condition(UPDATED)]


def test_zero_replicas_with_no_pods_is_available() -> None:
    cs = cloneset(replicas=0)
    status = all_available(cs, replicas=0)
    progressing(cs, status, NOW)
    assert status["conditions"] == [condition(AVAILABLE)]


def test_paused() -> None:
    cs = cloneset(paused=True)
    status = new_status(cs)
    assert progressing(cs, status, NOW) is None
    assert status["conditions"] == [condition(PAUSED)]


def test_available_wins_over_paused() -> None:
    cs = cloneset(paused=True)
    status = all_available(cs)
    progressing(cs, status, NOW)
    assert status["conditions"] == [condition(AVAILABLE)]


def test_paused_wins_over_an_exceeded_deadline() -> None:
    cs = cloneset(paused=True, progress=condition(EXCEEDED, updated_at=NOW - 9000))
    status = new_status(cs)
    progressing(cs, status, NOW)
    assert status["conditions"] == [condition(PAUSED)]


@pytest.mark.parametrize(("partition", "expected"), [(2, 2), ("50%", 2), ("75%", 1), (9, 0)])
def test_partition_available(partition: int | str, expected: int) -> None:
    cs = cloneset(replicas=4, partition=partition)
    assert expected_updated_replicas(cs["spec"]) == expected
    status = new_status(cs, replicas=4, updated=expected, updated_available=expected)
    assert progressing(cs, status, NOW) is None
    assert status["conditions"] == [condition(PARTITION)]


def test_partition_not_yet_available() -> None:
    cs = cloneset(replicas=4, partition=2)
    status = new_status(cs, replicas=4, updated=2, updated_available=1)
    progressing(cs, status, NOW)
    assert status["conditions"] == [condition(UPDATED)]


def test_no_partition_is_never_partition_available() -> None:
    cs = cloneset(replicas=4)
    assert expected_updated_replicas(cs["spec"]) == 4
    status = new_status(cs, replicas=4, updated=3, updated_available=3)
    progressing(cs, status, NOW)
    assert status["conditions"] == [condition(UPDATED)]


# --- the deadline ----------------------------------------------------------------------------


def test_still_under_way_keeps_the_condition_and_the_time_left() -> None:
    old = condition(UPDATED, updated_at=NOW - 100)
    cs = cloneset(progress=old)
    status = new_status(cs, updated=1, updated_available=1)
    assert progressing(cs, status, NOW) == DEADLINE - 100 + 1
    assert status["conditions"] == [old]


def test_exactly_at_the_deadline_is_not_yet_past_it() -> None:
    old = condition(UPDATED, updated_at=NOW - DEADLINE)
    cs = cloneset(progress=old)
    status = new_status(cs)
    assert progressing(cs, status, NOW) == 1.0
    assert status["conditions"] == [old]


def test_past_the_deadline_is_exceeded_and_not_rechecked() -> None:
    cs = cloneset(progress=condition(UPDATED, updated_at=NOW - DEADLINE - 1))
    status = new_status(cs, updated=2, updated_available=2)
    assert progressing(cs, status, NOW) is None
    assert status["conditions"] == [condition(EXCEEDED)]


def test_the_deadline_counts_from_the_second_the_condition_records() -> None:
    # lastUpdateTime is stored to the second; a fraction past the deadline is past it.
    cs = cloneset(progress=condition(UPDATED, updated_at=NOW - DEADLINE))
    status = new_status(cs)
    progressing(cs, status, NOW + 0.5)
    assert progressing_of(status) == condition(EXCEEDED, updated_at=NOW + 0.5)


def test_exceeded_stays_while_the_same_revision_rolls_on() -> None:
    old = condition(EXCEEDED, updated_at=NOW - 60)
    cs = cloneset(progress=old)
    status = new_status(cs, updated=3, updated_available=2)
    assert progressing(cs, status, NOW) is None
    assert status["conditions"] == [old]


def test_exceeded_ends_once_available() -> None:
    cs = cloneset(progress=condition(EXCEEDED, updated_at=NOW - 60))
    status = all_available(cs)
    progressing(cs, status, NOW)
    assert status["conditions"] == [condition(AVAILABLE)]


def test_a_pause_ends_the_rollout_and_resuming_starts_a_new_deadline() -> None:
    cs = cloneset(progress=condition(PAUSED, updated_at=NOW - 9000, since=NOW - 9999))
    status = new_status(cs)
    assert progressing(cs, status, NOW) == DEADLINE + 1
    assert status["conditions"] == [condition(UPDATED, since=NOW - 9999)]


def test_progress_deadline_zero_is_exceeded_a_second_later() -> None:
    cs = cloneset(0, stored_revision=None)
    status = new_status(cs)
    assert progressing(cs, status, NOW) == 1.0
    cs["status"] = copy.deepcopy(status)
    later = new_status(cs)
    progressing(cs, later, NOW + 1)
    assert progressing_of(later) == condition(EXCEEDED, updated_at=NOW + 1)


# --- where kruise-py parts from v1.9 ---------------------------------------------------------


def test_a_long_available_cloneset_that_loses_a_pod_starts_a_new_deadline() -> None:
    # v1.9 measured from when it became available and timed out at once.
    cs = cloneset(progress=condition(AVAILABLE, updated_at=NOW - 9000, since=NOW - 9000))
    status = new_status(cs, updated=3, updated_available=2, current=NEW)
    assert progressing(cs, status, NOW) == DEADLINE + 1
    assert status["conditions"] == [condition(UPDATED, since=NOW - 9000)]


def test_a_new_revision_after_an_exceeded_deadline_starts_a_new_one() -> None:
    cs = cloneset(stored_revision=OLD, progress=condition(EXCEEDED, updated_at=NOW - 60))
    status = new_status(cs)
    assert progressing(cs, status, NOW) == DEADLINE + 1
    assert status["conditions"] == [condition(UPDATED)]


def test_a_new_revision_during_a_rollout_restarts_its_deadline() -> None:
    cs = cloneset(stored_revision=OLD, progress=condition(UPDATED, updated_at=NOW - 500))
    status = new_status(cs)
    assert progressing(cs, status, NOW) == DEADLINE + 1
    assert status["conditions"] == [condition(UPDATED, since=NOW - 500)]


# --- merged into the status ------------------------------------------------------------------


def test_merged_by_type_with_the_failure_conditions() -> None:
    cs = cloneset()
    status = new_status(cs)
    set_condition(status, "FailedUpdate", RuntimeError("in place impossible"), NOW)
    set_condition(status, "FailedScale", RuntimeError("quota"), NOW)
    progressing(cs, status, NOW)
    assert [c["type"] for c in status["conditions"]] == [
        "FailedScale",
        "FailedUpdate",
        "Progressing",
    ]
    progressing(cs, status, NOW + 5)
    assert len(status["conditions"]) == 3


def test_written_once_then_unchanged_while_nothing_moves() -> None:
    cs = cloneset(stored_revision=None, min_ready_seconds=0)
    pods = [ready_pod(f"p{i}", revision=NEW) for i in range(3)]
    args: Obj = {"current_revision": NEW, "update_revision": NEW, "collision_count": 0}
    first = calculate(cs, pods, now=NOW, **args)
    progressing(cs, first, NOW)
    assert changed(cs["status"], first)
    assert progressing_of(first) == condition(AVAILABLE)
    cs["status"] = copy.deepcopy(first)
    again = calculate(cs, pods, now=NOW + 30, **args)
    progressing(cs, again, NOW + 30)
    assert not changed(cs["status"], again)


# --- the counts behind it --------------------------------------------------------------------


def test_calculate_counts_updated_available_and_expected_updated() -> None:
    cs = make_cloneset(spec=make_spec(4, partition=1, min_ready_seconds=10))
    pods = [
        ready_pod("new-long", revision=NEW, ready_for=3600),
        ready_pod("new-recent", revision=NEW, ready_for=5),
        ready_pod("old-long", revision=OLD, ready_for=3600),
    ]
    status = calculate(
        cs, pods, current_revision=OLD, update_revision=NEW, collision_count=0, now=NOW
    )
    assert status["updatedAvailableReplicas"] == 1
    assert status["expectedUpdatedReplicas"] == 3


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, 1),
        ({"replicas": 5}, 5),
        ({"replicas": 5, "updateStrategy": {"partition": 2}}, 3),
        ({"replicas": 5, "updateStrategy": {"partition": "100%"}}, 0),
        ({"replicas": 5, "updateStrategy": {"partition": 7}}, 0),
        ({"replicas": 5, "updateStrategy": {"partition": "bad"}}, 5),
    ],
)
def test_expected_updated_replicas(spec: Obj, expected: int) -> None:
    assert expected_updated_replicas(spec) == expected


def test_the_condition_and_the_counts_survive_the_crd_schema() -> None:
    # The API server prunes what the structural schema does not declare.
    crd = next(
        custom_resource_definition(c) for c in CUSTOM_RESOURCES if c.resource.plural == "clonesets"
    )
    version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    schema = version["schema"]["openAPIV3Schema"]["properties"]
    status_fields = schema["status"]["properties"]
    assert {"updatedAvailableReplicas", "expectedUpdatedReplicas"} <= set(status_fields)
    assert set(condition(UPDATED)) <= set(status_fields["conditions"]["items"]["properties"])
    deadline = schema["spec"]["properties"]["progressDeadlineSeconds"]
    assert (deadline["type"], deadline["format"]) == ("integer", "int32")


@pytest.mark.parametrize(
    ("pod", "available"),
    [
        (ready_pod("normal", revision=NEW), True),
        (ready_pod("no-state", revision=NEW, state=None), True),
        (ready_pod("preparing-normal", revision=NEW, state="PreparingNormal"), False),
        (ready_pod("preparing-delete", revision=NEW, state="PreparingDelete"), False),
        (ready_pod("preparing-update", revision=NEW, state="PreparingUpdate"), False),
        (ready_pod("in-place", revision=NEW, in_place_ready="False"), False),
    ],
)
def test_available_means_normal_and_not_held_by_an_in_place_update(
    pod: Obj, available: bool
) -> None:
    # As OpenKruise v1.9 counts availableReplicas, so a pod leaving for deletion or not yet
    # through its preNormal hook takes a CloneSet out of CloneSetAvailable.
    cs = make_cloneset(spec=make_spec(1))
    status = calculate(
        cs, [pod], current_revision=NEW, update_revision=NEW, collision_count=0, now=NOW
    )
    assert status["readyReplicas"] == 1
    assert status["availableReplicas"] == status["updatedAvailableReplicas"] == int(available)
