"""Completion, the active deadline, the time to live, ``Never`` and ``paused``."""

from __future__ import annotations

from support.broadcastjob import Harness, defaulted_job
from support.pods import condition
from support.polling import eventually

from kruise.runtime.client import NotFound


async def test_a_job_completes_once_every_node_ran_its_pod(harness: Harness) -> None:
    await harness.create_node("a")
    await harness.create_node("b")
    await harness.create(defaulted_job("done"))
    pods = await harness.by_node("done", 2)
    await harness.set_phase(pods["a"], "Succeeded")
    await harness.status_is("done", phase="running", succeeded=1, active=1)

    await harness.set_phase(pods["b"], "Succeeded")

    job = await harness.status_is("done", phase="completed", succeeded=2, active=0, desired=2)
    complete = condition(job, "Complete")
    assert complete is not None
    assert complete["status"] == "True"
    assert complete["reason"] == "Complete"
    assert job["status"]["startTime"]
    assert job["status"]["completionTime"]
    await harness.has_event("done", "JobComplete")
    assert {"SuccessfulCreate", "JobComplete"} <= await harness.reasons("done")


async def test_the_active_deadline_fails_the_job(harness: Harness) -> None:
    await harness.create_node("a")
    # The deadline starts long and is cut once the pod is seen: a 1 s deadline from the start
    # can delete the pod before a busy test run ever lists it.
    await harness.create(
        defaulted_job("late", completionPolicy={"type": "Always", "activeDeadlineSeconds": 3600})
    )
    [pod] = await harness.live_pods("late", 1)
    await harness.set_phase(pod, "Running")
    await harness.status_is("late", phase="running", active=1)
    await harness.patch("late", {"spec": {"completionPolicy": {"activeDeadlineSeconds": 1}}})

    job = await harness.status_is("late", phase="failed")
    assert condition(job, "Failed") is not None
    await harness.has_event("late", "DeadlineExceeded")
    await harness.live_pods("late", 0)


async def test_a_finished_job_deletes_itself_and_its_pods_after_its_ttl(harness: Harness) -> None:
    await harness.create_node("a")
    await harness.create(
        defaulted_job("ttl", completionPolicy={"type": "Always", "ttlSecondsAfterFinished": 1})
    )
    [pod] = await harness.live_pods("ttl", 1)
    await harness.set_phase(pod, "Succeeded")

    async def gone() -> bool:
        try:
            await harness.get("ttl")
        except NotFound:
            return True
        return False

    await eventually(gone, what="the job deleted")
    assert await harness.pods("ttl") == []


async def test_never_keeps_running_after_every_pod_finished(harness: Harness) -> None:
    await harness.create_node("a")
    await harness.create(defaulted_job("forever", completionPolicy={"type": "Never"}))
    [pod] = await harness.live_pods("forever", 1)
    await harness.set_phase(pod, "Succeeded")
    await harness.status_is("forever", succeeded=1, phase="running")

    await harness.create_node("b")

    await harness.live_pods("forever", 2)
    job = await harness.status_is("forever", desired=2, active=1, phase="running")
    assert condition(job, "Complete") is None


async def test_a_paused_job_starts_no_pods_until_resumed(harness: Harness) -> None:
    await harness.create_node("a")
    await harness.create(defaulted_job("held", paused=True))
    await harness.status_is("held", phase="paused", desired=1, active=0)
    assert await harness.pods("held") == []

    await harness.patch("held", {"spec": {"paused": False}})

    await harness.live_pods("held", 1)
    await harness.status_is("held", phase="running", active=1)
    await harness.has_event("held", "Continue")
