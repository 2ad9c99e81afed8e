"""Children as built and read, and a status that never moves lastScheduleTime back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kruise.controller.advancedcronjob.children import (
    BROADCAST_JOB,
    JOB,
    age_key,
    build_child,
    child_name,
    finished_as,
    format_scheduled,
    kind_of,
    scheduled_time_of,
)
from kruise.controller.advancedcronjob.status import desired, merged

T = datetime(2027, 3, 14, 6, 30, tzinfo=UTC).timestamp()
UTC_ZONE = ZoneInfo("UTC")


def acj(template: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "AdvancedCronJob",
        "metadata": {"name": "nightly", "namespace": "ns", "uid": "u-1"},
        "spec": {"schedule": "30 1 * * *", "template": template},
    }


JOB_TEMPLATE = {
    "jobTemplate": {
        "metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": []}}},
    }
}


def test_kind_of_each_template() -> None:
    assert kind_of(acj(JOB_TEMPLATE)) is JOB
    assert kind_of(acj({"broadcastJobTemplate": {"spec": {}}})) is BROADCAST_JOB
    assert kind_of(acj({})) is None


def test_the_child_is_named_for_its_run_and_carries_the_template() -> None:
    child = build_child(acj(JOB_TEMPLATE), JOB, T, ZoneInfo("America/New_York"))
    assert child["apiVersion"] == "batch/v1"
    assert child["kind"] == "Job"
    meta = child["metadata"]
    assert meta["name"] == child_name("nightly", T) == f"nightly-{int(T)}"
    assert meta["namespace"] == "ns"
    assert meta["labels"] == {"team": "a"}
    assert meta["annotations"] == {
        "note": "x",
        "apps.kruise.io/scheduled-at": "2027-03-14T01:30:00-05:00",
    }
    assert meta["ownerReferences"] == [
        {
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "AdvancedCronJob",
            "name": "nightly",
            "uid": "u-1",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert child["spec"] == JOB_TEMPLATE["jobTemplate"]["spec"]
    assert child["spec"] is not JOB_TEMPLATE["jobTemplate"]["spec"]
    assert scheduled_time_of(child) == T


def test_a_broadcastjob_child() -> None:
    template = {"broadcastJobTemplate": {"spec": {"parallelism": 2}}}
    child = build_child(acj(template), BROADCAST_JOB, T, UTC_ZONE)
    assert (child["apiVersion"], child["kind"]) == ("apps.kruise.io/v1alpha1", "BroadcastJob")
    assert child["spec"] == {"parallelism": 2}
    assert child["metadata"]["annotations"] == {
        "apps.kruise.io/scheduled-at": "2027-03-14T06:30:00Z"
    }


def test_scheduled_at_is_written_in_the_zone() -> None:
    assert format_scheduled(T, UTC_ZONE) == "2027-03-14T06:30:00Z"
    assert format_scheduled(T, ZoneInfo("Asia/Kolkata")) == "2027-03-14T12:00:00+05:30"
    assert format_scheduled(T, ZoneInfo("America/St_Johns")) == "2027-03-14T04:00:00-02:30"


def test_finished_only_on_a_true_complete_or_failed_condition() -> None:
    def with_conditions(*conditions: tuple[str, str]) -> dict[str, Any]:
        return {"status": {"conditions": [{"type": t, "status": s} for t, s in conditions]}}

    assert finished_as(with_conditions(("Complete", "True"))) == "Complete"
    assert finished_as(with_conditions(("Suspended", "True"), ("Failed", "True"))) == "Failed"
    assert finished_as(with_conditions(("Complete", "False"))) is None
    assert finished_as({}) is None


def test_oldest_first_by_start_then_schedule_then_name() -> None:
    def child(name: str, started: str | None, scheduled: str) -> dict[str, Any]:
        return {
            "metadata": {"name": name, "annotations": {"apps.kruise.io/scheduled-at": scheduled}},
            "status": {"startTime": started} if started else {},
        }

    children = [
        child("never-started", None, "2027-01-01T00:00:00Z"),
        child("b", "2027-01-01T00:02:00Z", "2027-01-01T00:01:00Z"),
        child("a", "2027-01-01T00:02:00Z", "2027-01-01T00:01:00Z"),
        child("first", "2027-01-01T00:01:00Z", "2027-01-01T00:02:00Z"),
    ]
    ordered = [c["metadata"]["name"] for c in sorted(children, key=age_key)]
    assert ordered == ["first", "a", "b", "never-started"]


def test_desired_status() -> None:
    refs = [{"name": "b"}, {"name": "a"}]
    assert desired("Job", refs, T) == {
        "type": "Job",
        "active": [{"name": "a"}, {"name": "b"}],
        "lastScheduleTime": "2027-03-14T06:30:00Z",
    }
    assert desired("BroadcastJob", [], None) == {"type": "BroadcastJob"}


def test_merged_never_moves_last_schedule_time_back() -> None:
    stored = {"lastScheduleTime": "2027-03-14T06:30:00Z", "active": [{"name": "x"}], "other": 1}
    got = merged(stored, desired("Job", [], T - 86400))
    assert got == {"type": "Job", "lastScheduleTime": "2027-03-14T06:30:00Z", "other": 1}
    assert merged(stored, desired("Job", [], T + 60))["lastScheduleTime"] == "2027-03-14T06:31:00Z"
