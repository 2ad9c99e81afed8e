"""Runs on schedule: one child per run, named for its time, for both template kinds;
missed runs, the starting deadline and pause."""

from __future__ import annotations

from support.advancedcronjob import (
    BROADCASTJOBS,
    Harness,
    defaulted_acj,
    next_minute,
)

from kruise.runtime.reconcile import Result
from kruise.util.pods import format_time, parse_time


async def first_run(harness: Harness, name: str) -> float:
    """The first scheduled minute of ``name``, an every-minute AdvancedCronJob."""
    acj = await harness.get(name)
    created = parse_time(acj["metadata"]["creationTimestamp"])
    assert created is not None
    return next_minute(max(created, harness.clock.wall()))


async def test_each_run_creates_one_child_named_for_its_time(harness: Harness) -> None:
    await harness.create(defaulted_acj("cron", "* * * * *"))
    s1 = await first_run(harness, "cron")
    await harness.advance_to(s1)
    [job] = await harness.wait_children("cron", [f"cron-{int(s1)}"])
    meta = job["metadata"]
    assert meta["annotations"]["apps.kruise.io/scheduled-at"] == format_time(s1)
    assert meta["labels"]["run"] == "cron"
    [owner] = meta["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("AdvancedCronJob", "cron", True)
    acj = await harness.wait_status("cron", type="Job", lastScheduleTime=format_time(s1))
    assert [r["name"] for r in acj["status"]["active"]] == [f"cron-{int(s1)}"]
    created = await harness.wait_event("cron", "SuccessfulCreate")
    assert created["message"] == f"Created job cron-{int(s1)}"
    assert harness.skew_count() == 1

    await harness.advance_to(s1 + 60)
    await harness.wait_children("cron", [f"cron-{int(s1)}", f"cron-{int(s1 + 60)}"])
    await harness.wait_status("cron", lastScheduleTime=format_time(s1 + 60))


async def test_a_broadcastjob_template_creates_broadcastjobs(harness: Harness) -> None:
    await harness.create(defaulted_acj("bcron", "* * * * *", broadcast=True))
    s1 = await first_run(harness, "bcron")
    await harness.advance_to(s1)
    [child] = await harness.wait_children("bcron", [f"bcron-{int(s1)}"], BROADCASTJOBS)
    assert child["kind"] == "BroadcastJob"
    assert child["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.36"
    assert child["metadata"]["annotations"]["apps.kruise.io/scheduled-at"] == format_time(s1)
    await harness.wait_status("bcron", type="BroadcastJob", lastScheduleTime=format_time(s1))
    assert harness.skew_count("BroadcastJob") == 1

    await harness.finish(f"bcron-{int(s1)}", BROADCASTJOBS)
    await harness.wait_status("bcron", active=None)
    await harness.wait_event("bcron", "SawCompletedJob")


async def test_only_the_latest_missed_run_starts(harness: Harness) -> None:
    await harness.create(defaulted_acj("late", "* * * * *"))
    s1 = await first_run(harness, "late")
    # Ten runs pass while nothing reconciles; only the last one starts.
    await harness.advance_to(s1 + 9 * 60 + 5)
    await harness.wait_children("late", [f"late-{int(s1 + 9 * 60)}"])
    await harness.wait_status("late", lastScheduleTime=format_time(s1 + 9 * 60))
    await harness.reconcile("late")
    assert await harness.child_names("late") == [f"late-{int(s1 + 9 * 60)}"]


async def test_a_run_past_its_starting_deadline_is_missed(harness: Harness) -> None:
    await harness.create(defaulted_acj("strict", "* * * * *", startingDeadlineSeconds=30))
    s1 = await first_run(harness, "strict")
    await harness.advance_to(s1 + 45)
    missed = await harness.wait_event("strict", "MissSchedule")
    assert missed["type"] == "Warning"
    assert missed["message"].startswith("Missed scheduled time to start a job: ")
    assert await harness.child_names("strict") == []
    assert "lastScheduleTime" not in ((await harness.get("strict")).get("status") or {})

    # The next run is within its deadline when the clock reaches it.
    await harness.advance_to(s1 + 60 + 20)
    await harness.wait_children("strict", [f"strict-{int(s1 + 60)}"])


async def test_too_many_missed_runs_warn_and_the_latest_starts(harness: Harness) -> None:
    await harness.create(defaulted_acj("wedged", "* * * * *"))
    s1 = await first_run(harness, "wedged")
    latest = s1 + 150 * 60
    await harness.advance_to(latest + 1)
    warning = await harness.wait_event("wedged", "TooManyMissedTimes")
    assert warning["type"] == "Warning"
    assert "Set or decrease .spec.startingDeadlineSeconds" in warning["message"]
    await harness.wait_children("wedged", [f"wedged-{int(latest)}"])


async def test_paused_starts_nothing_and_resuming_starts_the_latest_owed_run(
    harness: Harness,
) -> None:
    await harness.create(defaulted_acj("held", "* * * * *", paused=True))
    s1 = await first_run(harness, "held")
    await harness.advance_to(s1 + 3 * 60 + 5)
    assert await harness.reconcile("held") == Result()
    assert await harness.child_names("held") == []
    await harness.wait_status("held", type="Job")

    await harness.patch("held", {"spec": {"paused": False}})
    await harness.wait_children("held", [f"held-{int(s1 + 3 * 60)}"])
    await harness.advance_to(s1 + 4 * 60)
    await harness.wait_children("held", [f"held-{int(s1 + 3 * 60)}", f"held-{int(s1 + 4 * 60)}"])
