"""Pod helpers: readiness, availability, activity, ActivePods order and condition merging."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from kruise.util.pods import (
    active_pods_key,
    filter_active,
    format_time,
    get_condition,
    get_pod_condition,
    is_active,
    is_pod_available,
    is_pod_ready,
    is_running_and_available,
    is_running_and_ready,
    is_terminating,
    max_container_restarts,
    parse_time,
    ready_since,
    remove_condition,
    set_condition,
    sort_active_pods,
)

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def ago(seconds: float) -> str:
    return format_time(NOW - seconds)


def pod(
    name: str = "sample-abcde",
    *,
    phase: str = "Running",
    ready: bool | None = True,
    ready_for: float | None = 60,
    node: str = "node-1",
    restarts: tuple[int, ...] = (0,),
    age: float | None = 3600,
    deleting: bool = False,
) -> dict[str, Any]:
    """A CloneSet pod as the API server returns it."""
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": "default",
        "labels": {"app": "sample", "controller-revision-hash": "sample-64bb6965cd"},
    }
    if age is not None:
        metadata["creationTimestamp"] = ago(age)
    if deleting:
        metadata["deletionTimestamp"] = ago(0)
    conditions: list[dict[str, Any]] = [
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": ago(3500)},
        {"type": "InPlaceUpdateReady", "status": "True", "lastTransitionTime": ago(3500)},
    ]
    if ready is not None:
        cond: dict[str, Any] = {"type": "Ready", "status": "True" if ready else "False"}
        if ready_for is not None:
            cond["lastTransitionTime"] = ago(ready_for)
        conditions.append(cond)
    statuses = [
        {"name": f"c{i}", "ready": bool(ready), "restartCount": n, "image": "nginx:alpine"}
        for i, n in enumerate(restarts)
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "nodeName": node,
            "containers": [
                {"name": f"c{i}", "image": "nginx:alpine"} for i in range(len(restarts))
            ],
            "readinessGates": [{"conditionType": "InPlaceUpdateReady"}],
        },
        "status": {"phase": phase, "conditions": conditions, "containerStatuses": statuses},
    }


# --- times -----------------------------------------------------------------------------------


def test_format_and_parse_time() -> None:
    assert format_time(NOW) == "2023-11-14T22:13:20Z"
    assert format_time(NOW + 0.9) == "2023-11-14T22:13:20Z"
    assert parse_time("2023-11-14T22:13:20Z") == NOW
    assert parse_time("2023-11-15T00:13:20+02:00") == NOW
    assert parse_time("2023-11-14T22:13:20") == NOW
    assert parse_time(None) is None
    assert parse_time("") is None
    assert parse_time("yesterday") is None


# --- readiness and availability ----------------------------------------------------------------


def test_is_pod_ready_reads_the_ready_condition_only() -> None:
    assert is_pod_ready(pod())
    assert not is_pod_ready(pod(ready=False))
    assert not is_pod_ready(pod(ready=None))
    assert not is_pod_ready({"metadata": {"name": "bare"}})
    # A Pending pod with a True Ready condition is ready to podutil, not to the CloneSet.
    assert is_pod_ready(pod(phase="Pending"))
    assert not is_running_and_ready(pod(phase="Pending"))
    assert is_running_and_ready(pod())
    assert not is_running_and_ready(pod(ready=False))


def test_ready_since() -> None:
    assert ready_since(pod(ready_for=60)) == NOW - 60
    assert ready_since(pod(ready=False)) is None
    assert ready_since(pod(ready_for=None)) is None


def test_is_pod_available_without_min_ready_seconds() -> None:
    assert is_pod_available(pod(ready_for=0), 0, NOW)
    assert is_pod_available(pod(ready_for=None), 0, NOW)
    assert not is_pod_available(pod(ready=False), 0, NOW)


@pytest.mark.parametrize(("ready_for", "available"), [(5, False), (10, False), (11, True)])
def test_is_pod_available_needs_strictly_more_than_min_ready_seconds(
    ready_for: float, available: bool
) -> None:
    assert is_pod_available(pod(ready_for=ready_for), 10, NOW) is available


def test_is_pod_available_needs_a_transition_time() -> None:
    assert not is_pod_available(pod(ready_for=None), 10, NOW)
    assert not is_pod_available(pod(ready=False, ready_for=600), 10, NOW)


def test_is_running_and_available() -> None:
    assert is_running_and_available(pod(ready_for=30), 10, NOW)
    assert not is_running_and_available(pod(phase="Unknown", ready_for=30), 10, NOW)
    assert not is_running_and_available(pod(ready_for=3), 10, NOW)


# --- activity ------------------------------------------------------------------------------


def test_is_terminating() -> None:
    assert is_terminating(pod(deleting=True))
    assert not is_terminating(pod())


@pytest.mark.parametrize(
    ("phase", "deleting", "active"),
    [
        ("Pending", False, True),
        ("Running", False, True),
        ("Unknown", False, True),
        ("", False, True),
        ("Succeeded", False, False),
        ("Failed", False, False),
        ("Running", True, False),
    ],
)
def test_is_active(phase: str, deleting: bool, active: bool) -> None:
    assert is_active(pod(phase=phase, deleting=deleting)) is active


def test_filter_active_keeps_order() -> None:
    pods = [
        pod("a"),
        pod("b", phase="Failed"),
        pod("c", phase="Pending", ready=False),
        pod("d", deleting=True),
    ]
    assert [p["metadata"]["name"] for p in filter_active(pods)] == ["a", "c"]


def test_max_container_restarts() -> None:
    assert max_container_restarts(pod(restarts=(1, 7, 3))) == 7
    assert max_container_restarts(pod(restarts=())) == 0
    assert max_container_restarts({"status": {}}) == 0


# --- ActivePods order ---------------------------------------------------------------------------


def order(*pods: dict[str, Any]) -> list[str]:
    return [p["metadata"]["name"] for p in sort_active_pods(reversed(pods))]


def test_unassigned_before_assigned() -> None:
    assert order(pod("unassigned", node="", phase="Pending"), pod("assigned")) == [
        "unassigned",
        "assigned",
    ]


def test_pending_before_unknown_before_running() -> None:
    pods = [pod("pending", phase="Pending"), pod("unknown", phase="Unknown"), pod("running")]
    assert order(*pods) == ["pending", "unknown", "running"]


def test_other_phases_rank_with_pending() -> None:
    assert active_pods_key(pod(phase="Failed"))[1] == active_pods_key(pod(phase="Pending"))[1]


def test_not_ready_before_ready() -> None:
    assert order(pod("not-ready", ready=False), pod("ready")) == ["not-ready", "ready"]
    assert order(pod("no-condition", ready=None), pod("ready")) == ["no-condition", "ready"]


def test_ready_more_recently_before_ready_longer() -> None:
    pods = [pod("no-time", ready_for=None), pod("recent", ready_for=5), pod("long", ready_for=500)]
    assert order(*pods) == ["no-time", "recent", "long"]


def test_ready_time_is_ignored_for_pods_that_are_not_ready() -> None:
    # Not ready: the transition times do not count, so restarts decide.
    a = pod("a", ready=False, ready_for=5, restarts=(0,))
    b = pod("b", ready=False, ready_for=500, restarts=(2,))
    assert order(a, b) == ["b", "a"]


def test_more_restarts_before_fewer() -> None:
    assert order(pod("many", restarts=(0, 9)), pod("few", restarts=(1, 1))) == ["many", "few"]


def test_newer_before_older_and_no_creation_time_first() -> None:
    pods = [pod("no-time", age=None), pod("new", age=10), pod("old", age=10_000)]
    assert order(*pods) == ["no-time", "new", "old"]


def test_earlier_rules_win() -> None:
    unassigned_old = pod("unassigned-old", node="", phase="Pending", ready=False, age=9999)
    pending_new = pod("pending-new", phase="Pending", ready=False, age=1)
    running_not_ready = pod("running-not-ready", ready=False, restarts=(0,))
    running_ready_recent = pod("ready-recent", ready_for=1, restarts=(0,))
    running_ready_long_restarts = pod("ready-long-restarts", ready_for=900, restarts=(50,))
    running_ready_long = pod("ready-long", ready_for=900, restarts=(0,), age=100)
    running_ready_long_older = pod("ready-long-older", ready_for=900, restarts=(0,), age=5000)
    expected = [
        unassigned_old,
        pending_new,
        running_not_ready,
        running_ready_recent,
        running_ready_long_restarts,
        running_ready_long,
        running_ready_long_older,
    ]
    shuffled = copy.copy(expected)
    random.Random(7).shuffle(shuffled)
    assert sort_active_pods(shuffled) == expected


def test_ties_keep_input_order() -> None:
    pods = [pod("b"), pod("a"), pod("c")]
    assert [p["metadata"]["name"] for p in sort_active_pods(pods)] == ["b", "a", "c"]


# --- conditions ------------------------------------------------------------------------------


def test_get_condition() -> None:
    p = pod(ready=False)
    assert get_pod_condition(p, "Ready") == {
        "type": "Ready",
        "status": "False",
        "lastTransitionTime": ago(60),
    }
    assert get_pod_condition(p, "ContainersReady") is None
    assert get_condition(None, "Ready") is None
    assert get_condition([], "Ready") is None


def test_set_condition_appends_a_new_type_stamped_now() -> None:
    conditions = pod()["status"]["conditions"]
    before = copy.deepcopy(conditions)
    new = {"type": "FailedScale", "status": "True", "message": "quota exceeded"}
    result, changed = set_condition(conditions, new, NOW)
    assert changed
    assert result[:-1] == before
    assert result[-1] == {**new, "lastTransitionTime": format_time(NOW)}
    assert conditions == before
    assert "lastTransitionTime" not in new


def test_set_condition_same_status_keeps_the_transition_time() -> None:
    conditions = pod(ready=False)["status"]["conditions"]
    update = {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}
    result, changed = set_condition(conditions, update, NOW)
    assert changed
    assert get_condition(result, "Ready") == {**update, "lastTransitionTime": ago(60)}
    assert [c["type"] for c in result] == [c["type"] for c in conditions]


def test_set_condition_unchanged_reports_no_change() -> None:
    conditions = pod(ready=False)["status"]["conditions"]
    result, changed = set_condition(conditions, {"type": "Ready", "status": "False"}, NOW)
    assert not changed
    assert result == conditions


def test_set_condition_status_change_moves_the_transition_time() -> None:
    conditions = pod(ready=False)["status"]["conditions"]
    result, changed = set_condition(conditions, {"type": "Ready", "status": "True"}, NOW)
    assert changed
    assert get_condition(result, "Ready") == {
        "type": "Ready",
        "status": "True",
        "lastTransitionTime": format_time(NOW),
    }
    explicit = {"type": "Ready", "status": "True", "lastTransitionTime": ago(2)}
    result, _ = set_condition(conditions, explicit, NOW)
    assert get_condition(result, "Ready") == explicit


def test_set_condition_same_status_ignores_a_given_transition_time() -> None:
    conditions = pod(ready=True, ready_for=60)["status"]["conditions"]
    update = {"type": "Ready", "status": "True", "lastTransitionTime": ago(1)}
    result, changed = set_condition(conditions, update, NOW)
    assert not changed
    assert get_condition(result, "Ready") == {
        "type": "Ready",
        "status": "True",
        "lastTransitionTime": ago(60),
    }


def test_set_condition_on_an_empty_list() -> None:
    result, changed = set_condition(None, {"type": "FailedUpdate", "status": "True"}, NOW)
    assert changed
    assert result == [
        {"type": "FailedUpdate", "status": "True", "lastTransitionTime": format_time(NOW)}
    ]


def test_remove_condition() -> None:
    conditions = pod()["status"]["conditions"]
    result = remove_condition(conditions, "InPlaceUpdateReady")
    assert [c["type"] for c in result] == ["PodScheduled", "Ready"]
    assert len(conditions) == 3
    assert remove_condition(None, "Ready") == []
