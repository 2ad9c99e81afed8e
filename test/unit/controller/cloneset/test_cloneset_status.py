"""A CloneSet's status: what it counts, its conditions (merged, not appended), and when it
needs writing (only when it changed)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support.cloneset_fakes import NEW, NOW, OLD, make_cloneset, not_ready_pod, ready_pod

from kruise.apis.apps.crdgen import CUSTOM_RESOURCES, custom_resource_definition
from kruise.controller.cloneset.status import (
    CONDITION_TYPES,
    calculate,
    changed,
    selector_string,
    set_condition,
)
from kruise.util.pods import format_time

Obj = dict[str, Any]
SCALE, UPDATE = "FailedScale", "FailedUpdate"


def status_of(cloneset: Obj, pods: list[Obj], **kwargs: Any) -> Obj:
    args: Obj = {"current_revision": OLD, "update_revision": NEW, "collision_count": 0, "now": NOW}
    args.update(kwargs)
    return calculate(cloneset, pods, **args)


def condition(cond_type: str, message: str, since: float = NOW - 600) -> Obj:
    return {
        "type": cond_type,
        "status": "True",
        "lastTransitionTime": format_time(since),
        "message": message,
    }


# --- calculate -------------------------------------------------------------------------------


def test_condition_types() -> None:
    assert CONDITION_TYPES == ("FailedScale", "FailedUpdate")


def test_calculate_counts() -> None:
    cs = make_cloneset(min_ready_seconds=10)
    pods = [
        ready_pod("new-long", revision=NEW, ready_for=3600),  # ready, available, updated
        ready_pod("new-recent", revision=NEW, ready_for=5),  # ready, not yet available
        ready_pod("old-long", revision=OLD, ready_for=3600),  # ready, available, old
        not_ready_pod("old-pending", revision=OLD, phase="Pending"),
        not_ready_pod("new-not-ready", revision=NEW),
        ready_pod("new-ready-pending", revision=NEW, phase="Pending"),  # Ready but not Running
    ]
    status = status_of(cs, pods)
    assert status["replicas"] == 6
    assert status["readyReplicas"] == 3
    assert status["availableReplicas"] == 2
    assert status["updatedReplicas"] == 4
    assert status["updatedReadyReplicas"] == 2


def test_calculate_available_without_min_ready_seconds() -> None:
    pods = [ready_pod("a", ready_for=1), ready_pod("b", ready_for=None), not_ready_pod("c")]
    status = status_of(make_cloneset(), pods)
    assert status["readyReplicas"] == status["availableReplicas"] == 2


def test_calculate_available_is_strict_about_min_ready_seconds() -> None:
    pods = [ready_pod("a", ready_for=30), ready_pod("b", ready_for=31)]
    assert status_of(make_cloneset(min_ready_seconds=30), pods)["availableReplicas"] == 1


def test_calculate_revisions_generation_selector() -> None:
    cs = make_cloneset()
    status = status_of(cs, [], current_revision=OLD, update_revision=NEW, collision_count=2)
    assert status == {
        "observedGeneration": 4,
        "replicas": 0,
        "readyReplicas": 0,
        "availableReplicas": 0,
        "updatedReplicas": 0,
        "updatedReadyReplicas": 0,
        "updatedAvailableReplicas": 0,
        "expectedUpdatedReplicas": 3,
        "updateRevision": NEW,
        "currentRevision": OLD,
        "collisionCount": 2,
        "labelSelector": "app=sample",
    }


def test_calculate_without_generation() -> None:
    cs = make_cloneset()
    del cs["metadata"]["generation"]
    assert status_of(cs, [])["observedGeneration"] == 0


def test_selector_string_sorted_by_key_with_expressions() -> None:
    cs = make_cloneset()
    cs["spec"]["selector"] = {
        "matchLabels": {"tier": "web", "app": "sample"},
        "matchExpressions": [
            {"key": "zone", "operator": "In", "values": ["b", "a"]},
            {"key": "canary", "operator": "DoesNotExist"},
        ],
    }
    assert selector_string(cs) == "app=sample,!canary,tier=web,zone in (a,b)"
    assert status_of(cs, [])["labelSelector"] == "app=sample,!canary,tier=web,zone in (a,b)"


def test_calculate_keeps_old_conditions_as_a_copy() -> None:
    cs = make_cloneset()
    cs["status"] = {"conditions": [condition(SCALE, "quota exceeded")]}
    status = status_of(cs, [])
    assert status["conditions"] == [condition(SCALE, "quota exceeded")]
    status["conditions"][0]["message"] = "changed"
    assert cs["status"]["conditions"][0]["message"] == "quota exceeded"


@pytest.mark.parametrize("old_status", [None, {}, {"conditions": []}])
def test_calculate_without_old_conditions(old_status: Obj | None) -> None:
    cs = make_cloneset()
    if old_status is not None:
        cs["status"] = old_status
    assert "conditions" not in status_of(cs, [])


def test_calculate_leaves_its_arguments_alone() -> None:
    cs = make_cloneset()
    cs["status"] = {"conditions": [condition(SCALE, "x")]}
    pods = [ready_pod("a"), not_ready_pod("b")]
    before = copy.deepcopy((cs, pods))
    status_of(cs, pods)
    assert (cs, pods) == before


# --- set_condition ---------------------------------------------------------------------------


def test_set_condition_records_an_error() -> None:
    status: Obj = {}
    set_condition(status, SCALE, RuntimeError("quota exceeded"), NOW)
    assert status["conditions"] == [
        {
            "type": SCALE,
            "status": "True",
            "lastTransitionTime": format_time(NOW),
            "message": "quota exceeded",
        }
    ]


def test_set_condition_without_message_uses_the_error_type() -> None:
    status: Obj = {}
    set_condition(status, UPDATE, TimeoutError(), NOW)
    assert status["conditions"][0]["message"] == "TimeoutError"


def test_set_condition_still_failing_keeps_its_transition_time() -> None:
    status: Obj = {"conditions": [condition(SCALE, "first", since=NOW - 600)]}
    set_condition(status, SCALE, RuntimeError("second"), NOW)
    assert status["conditions"] == [condition(SCALE, "second", since=NOW - 600)]


def test_set_condition_after_a_false_condition_takes_a_new_time() -> None:
    old = {**condition(SCALE, "old"), "status": "False"}
    status: Obj = {"conditions": [old]}
    set_condition(status, SCALE, RuntimeError("again"), NOW)
    assert status["conditions"] == [condition(SCALE, "again", since=NOW)]


def test_set_condition_merges_by_type() -> None:
    status: Obj = {"conditions": [condition(UPDATE, "in place impossible")]}
    set_condition(status, SCALE, RuntimeError("quota"), NOW)
    set_condition(status, SCALE, RuntimeError("quota again"), NOW + 5)
    assert [c["type"] for c in status["conditions"]] == [SCALE, UPDATE]
    assert status["conditions"][0] == condition(SCALE, "quota again", since=NOW)
    assert status["conditions"][1] == condition(UPDATE, "in place impossible")


def test_set_condition_sorted_by_type() -> None:
    status: Obj = {}
    set_condition(status, UPDATE, RuntimeError("u"), NOW)
    set_condition(status, SCALE, RuntimeError("s"), NOW)
    assert [c["type"] for c in status["conditions"]] == [SCALE, UPDATE]


def test_set_condition_success_removes_only_its_type() -> None:
    status: Obj = {"conditions": [condition(SCALE, "s"), condition(UPDATE, "u")]}
    set_condition(status, SCALE, None, NOW)
    assert status["conditions"] == [condition(UPDATE, "u")]


def test_set_condition_success_removes_the_last_condition() -> None:
    status: Obj = {"replicas": 3, "conditions": [condition(SCALE, "s")]}
    set_condition(status, SCALE, None, NOW)
    assert status == {"replicas": 3}


def test_set_condition_success_without_conditions() -> None:
    status: Obj = {"replicas": 3}
    set_condition(status, UPDATE, None, NOW)
    assert status == {"replicas": 3}


# --- changed ---------------------------------------------------------------------------------


def stored_status() -> Obj:
    pods = [ready_pod("a", revision=NEW), ready_pod("b"), not_ready_pod("c")]
    return status_of(make_cloneset(), pods)


def test_unchanged() -> None:
    assert not changed(stored_status(), stored_status())


def test_changed_without_old_status() -> None:
    assert changed(None, stored_status())
    assert changed({}, stored_status())


@pytest.mark.parametrize(("old_generation", "expected"), [(3, True), (4, False), (5, False)])
def test_changed_observed_generation_counts_only_when_greater(
    old_generation: int, expected: bool
) -> None:
    old = stored_status()
    old["observedGeneration"] = old_generation
    assert changed(old, stored_status()) is expected


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("replicas", 2),
        ("readyReplicas", 1),
        ("availableReplicas", 0),
        ("updatedReplicas", 3),
        ("updatedReadyReplicas", 0),
        ("updatedAvailableReplicas", 0),
        ("expectedUpdatedReplicas", 1),
        ("updateRevision", "sample-other"),
        ("currentRevision", "sample-other"),
        ("collisionCount", 1),
        ("labelSelector", "app=other"),
    ],
)
def test_changed_by_any_field(key: str, value: Any) -> None:
    old = stored_status()
    assert old[key] != value
    old[key] = value
    assert changed(old, stored_status())


def test_changed_by_a_new_condition() -> None:
    new = stored_status()
    set_condition(new, SCALE, RuntimeError("quota"), NOW)
    assert changed(stored_status(), new)


def test_changed_by_a_condition_message() -> None:
    old = stored_status()
    set_condition(old, SCALE, RuntimeError("quota"), NOW - 60)
    new = copy.deepcopy(old)
    set_condition(new, SCALE, RuntimeError("quota again"), NOW)
    assert changed(old, new)


def test_unchanged_while_the_same_condition_persists() -> None:
    old = stored_status()
    set_condition(old, SCALE, RuntimeError("quota"), NOW - 60)
    new = stored_status()
    new["conditions"] = copy.deepcopy(old["conditions"])
    set_condition(new, SCALE, RuntimeError("quota"), NOW)
    assert not changed(old, new)


def test_changed_by_a_removed_condition() -> None:
    old = stored_status()
    set_condition(old, UPDATE, RuntimeError("in place impossible"), NOW - 60)
    new = stored_status()
    new["conditions"] = copy.deepcopy(old["conditions"])
    set_condition(new, UPDATE, None, NOW)
    assert "conditions" not in new
    assert changed(old, new)


def test_unchanged_empty_conditions_and_no_conditions() -> None:
    old = stored_status()
    old["conditions"] = []
    assert not changed(old, stored_status())


# --- the status as the API server stores it -------------------------------------------------


def _status_schema_fields() -> set[str]:
    plural = next(c for c in CUSTOM_RESOURCES if c.resource.plural == "clonesets")
    crd = custom_resource_definition(plural)
    version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    status = version["schema"]["openAPIV3Schema"]["properties"]["status"]
    assert not status.get("x-kubernetes-preserve-unknown-fields")
    return set(status["properties"])


def _as_stored(status: Obj) -> Obj:
    """What a GET returns after writing ``status``: the API server prunes every field the
    CRD's structural schema does not declare."""
    fields = _status_schema_fields()
    return {k: copy.deepcopy(v) for k, v in status.items() if k in fields}


def test_status_read_back_from_the_api_server_is_unchanged() -> None:
    new = stored_status()
    set_condition(new, SCALE, RuntimeError("quota"), NOW)
    assert not changed(_as_stored(new), new)


def test_every_status_field_is_in_the_crd_schema() -> None:
    assert set(stored_status()) <= _status_schema_fields()


def test_conditions_survive_pruning() -> None:
    # The condition fields are all in the schema too.
    new: Obj = {}
    set_condition(new, SCALE, RuntimeError("quota"), NOW)
    plural = next(c for c in CUSTOM_RESOURCES if c.resource.plural == "clonesets")
    crd = custom_resource_definition(plural)
    version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    status = version["schema"]["openAPIV3Schema"]["properties"]["status"]
    item = status["properties"]["conditions"]["items"]
    assert set(new["conditions"][0]) <= set(item["properties"])
