"""Concurrency policies and history limits."""

from __future__ import annotations

from support.advancedcronjob import BROADCASTJOBS, Harness, defaulted_acj, next_minute
from support.polling import eventually

from kruise.util.pods import format_time, parse_time


async def first_run(harness: Harness, name: str) -> float:
    acj = await harness.get(name)
    created = parse_time(acj["metadata"]["creationTimestamp"])
    assert created is not None
    return next_minute(max(created, harness.clock.wall()))


def names(acj: str, *runs: float) -> list[str]:
    return [f"{acj}-{int(t)}" for t in runs]


async def test_allow_runs_children_side_by_side(harness: Harness) -> None:
    await harness.create(defaulted_acj("allow", "* * * * *"))
    s1 = await first_run(harness, "allow")
    await harness.advance_to(s1)
    await harness.wait_children("allow", names("allow", s1))
    await harness.advance_to(s1 + 60)
    await harness.wait_children("allow", names("allow", s1, s1 + 60))
    acj = await harness.wait_status("allow", lastScheduleTime=format_time(s1 + 60))
    assert [r["name"] for r in acj["status"]["active"]] == names("allow", s1, s1 + 60)


async def test_forbid_skips_while_a_child_runs_then_starts_the_owed_run(
    harness: Harness,
) -> None:
    await harness.create(defaulted_acj("forbid", "* * * * *", concurrencyPolicy="Forbid"))
    s1 = await first_run(harness, "forbid")
    await harness.advance_to(s1)
    await harness.wait_children("forbid", names("forbid", s1))
    await harness.wait_status("forbid", lastScheduleTime=format_time(s1))

    await harness.advance_to(s1 + 60 + 10)
    skipped = await harness.wait_event("forbid", "JobAlreadyActive")
    assert skipped["type"] == "Normal"
    assert await harness.child_names("forbid") == names("forbid", s1)
    assert (await harness.get("forbid"))["status"]["lastScheduleTime"] == format_time(s1)

    # The run owed since s1 + 60 starts as soon as the running child finishes.
    await harness.finish(names("forbid", s1)[0])
    await harness.wait_children("forbid", names("forbid", s1, s1 + 60))
    await harness.wait_status("forbid", lastScheduleTime=format_time(s1 + 60))


async def test_replace_deletes_the_running_child_and_starts_the_next(harness: Harness) -> None:
    await harness.create(
        defaulted_acj("replace", "* * * * *", broadcast=True, concurrencyPolicy="Replace")
    )
    s1 = await first_run(harness, "replace")
    await harness.advance_to(s1)
    await harness.wait_children("replace", names("replace", s1), BROADCASTJOBS)
    await harness.wait_status("replace", lastScheduleTime=format_time(s1))

    await harness.advance_to(s1 + 60)
    await harness.wait_children("replace", names("replace", s1 + 60), BROADCASTJOBS)
    deleted = await harness.wait_event("replace", "SuccessfulDelete")
    assert deleted["message"] == f"Deleted job {names('replace', s1)[0]}"
    acj = await harness.wait_status("replace", lastScheduleTime=format_time(s1 + 60))
    assert [r["name"] for r in acj["status"]["active"]] == names("replace", s1 + 60)
    # The replaced child is not reported missing: the controller knows it deleted it.
    assert "MissingJob" not in {e["reason"] for e in await harness.events("replace")}


async def test_history_keeps_the_newest_finished_children(harness: Harness) -> None:
    acj = defaulted_acj(
        "history", "* * * * *", successfulJobsHistoryLimit=2, failedJobsHistoryLimit=1
    )
    await harness.create(acj)
    s1 = await first_run(harness, "history")
    runs = [s1 + i * 60 for i in range(5)]
    outcomes = [True, True, False, True, False]
    for run, succeeded in zip(runs, outcomes, strict=True):
        await harness.advance_to(run)
        [child] = names("history", run)

        async def created(child: str = child) -> bool:
            return child in await harness.child_names("history")

        await eventually(created, what=f"{child} created")
        await harness.finish(child, succeeded=succeeded)
    # Succeeded: runs 0, 1, 3 -> keep 1 and 3. Failed: runs 2, 4 -> keep 4.
    await harness.wait_children("history", names("history", runs[1], runs[3], runs[4]))
    await harness.wait_status("history", active=None, lastScheduleTime=format_time(runs[4]))
