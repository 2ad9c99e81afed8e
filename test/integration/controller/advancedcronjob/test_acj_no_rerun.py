"""A finished slot never runs again (OpenKruise #792, #862, #1039): whichever way its child
goes, status.lastScheduleTime remembers the run, and a restarted controller starts a
missed run once."""

from __future__ import annotations

from support.advancedcronjob import (
    BROADCASTJOBS,
    Harness,
    defaulted_acj,
    next_minute,
    running_harness,
)

from kruise.runtime.client import JOBS, Client, Resource
from kruise.runtime.envtest import ControlPlane
from kruise.util.pods import format_time, parse_time


async def first_run(harness: Harness, name: str) -> float:
    acj = await harness.get(name)
    created = parse_time(acj["metadata"]["creationTimestamp"])
    assert created is not None
    return next_minute(max(created, harness.clock.wall()))


async def assert_not_rerun(
    harness: Harness, name: str, run: float, resource: Resource = JOBS
) -> None:
    """Reconcile from a cache without the child, still within the run's minute: nothing is
    created, and the run stays the last scheduled one."""
    await harness.reconcile(name)
    assert await harness.child_names(name, resource) == []
    acj = await harness.get(name)
    assert acj["status"]["lastScheduleTime"] == format_time(run)
    assert not acj["status"].get("active")


async def test_a_child_deleted_by_its_ttl_is_not_created_again(harness: Harness) -> None:
    acj = defaulted_acj("ttl", "*/5 * * * *", broadcast=True)
    acj["spec"]["template"]["broadcastJobTemplate"]["spec"]["completionPolicy"] = {
        "type": "Always",
        "ttlSecondsAfterFinished": 0,
    }
    await harness.create(acj)
    created = parse_time((await harness.get("ttl"))["metadata"]["creationTimestamp"])
    assert created is not None
    run = (created // 300 + 1) * 300
    await harness.advance_to(run)
    [child] = await harness.wait_children("ttl", [f"ttl-{int(run)}"], BROADCASTJOBS)
    await harness.wait_status("ttl", lastScheduleTime=format_time(run))
    await harness.finish(child["metadata"]["name"], BROADCASTJOBS)
    await harness.wait_status("ttl", active=None)
    # The BroadcastJob controller deletes a finished job whose TTL is 0.
    await harness.delete_child(child["metadata"]["name"], BROADCASTJOBS)
    await harness.advance_to(run + 30)
    await assert_not_rerun(harness, "ttl", run, BROADCASTJOBS)


async def test_a_history_limit_of_zero_does_not_bring_the_child_back(harness: Harness) -> None:
    await harness.create(defaulted_acj("zero", "* * * * *", successfulJobsHistoryLimit=0))
    s1 = await first_run(harness, "zero")
    await harness.advance_to(s1)
    [child] = await harness.wait_children("zero", [f"zero-{int(s1)}"])
    await harness.wait_status("zero", lastScheduleTime=format_time(s1))
    await harness.finish(child["metadata"]["name"])
    # The controller itself deletes the finished child...
    await harness.wait_children("zero", [])
    await harness.wait_event("zero", "SuccessfulDelete")

    await harness.wait_uncached(child["metadata"]["name"])
    # ...and the reconciles its deletion brings start nothing for the same minute.
    await assert_not_rerun(harness, "zero", s1)
    await harness.advance_to(s1 + 60)
    await harness.wait_children("zero", [f"zero-{int(s1 + 60)}"])


async def test_a_running_child_deleted_by_hand_is_not_created_again(harness: Harness) -> None:
    await harness.create(defaulted_acj("manual", "* * * * *"))
    s1 = await first_run(harness, "manual")
    await harness.advance_to(s1)
    [child] = await harness.wait_children("manual", [f"manual-{int(s1)}"])
    await harness.wait_status("manual", lastScheduleTime=format_time(s1))
    await harness.delete_child(child["metadata"]["name"])
    await harness.advance_to(s1 + 20)
    await assert_not_rerun(harness, "manual", s1)
    await harness.wait_event("manual", "MissingJob")


async def test_a_restarted_controller_starts_a_missed_run_once(
    kruise_crds: ControlPlane, client: Client, namespace: str
) -> None:
    async with running_harness(client, namespace) as first:
        await first.create(defaulted_acj("restart", "* * * * *"))
        s1 = await first_run(first, "restart")
        await first.advance_to(s1)
        await first.wait_children("restart", [f"restart-{int(s1)}"])
        await first.wait_status("restart", lastScheduleTime=format_time(s1))
    # Down for three runs; the next manager starts only the latest of them, once.
    missed = s1 + 3 * 60
    for _ in range(2):
        async with running_harness(client, namespace, wall_start=missed + 10) as again:
            await again.wait_children("restart", [f"restart-{int(s1)}", f"restart-{int(missed)}"])
            await again.wait_status("restart", lastScheduleTime=format_time(missed))
            await again.reconcile("restart")
            assert await again.child_names("restart") == [
                f"restart-{int(s1)}",
                f"restart-{int(missed)}",
            ]
