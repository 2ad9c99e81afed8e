"""``failurePolicy``: FailFast, Continue and Pause, and the restart limit of OnFailure pods."""

from __future__ import annotations

from support.broadcastjob import Harness, defaulted_job
from support.pods import condition


async def test_fail_fast_fails_the_job_and_stops_its_pods(harness: Harness) -> None:
    await harness.create_node("a")
    await harness.create_node("b")
    await harness.create(defaulted_job("fast"))
    pods = await harness.by_node("fast", 2)
    await harness.set_phase(pods["b"], "Running")

    await harness.set_phase(pods["a"], "Failed")

    job = await harness.status_is("fast", phase="failed")
    failed = condition(job, "Failed")
    assert failed is not None
    assert failed["status"] == "True"
    assert job["status"]["completionTime"]
    # The running pod was stopped, and counts as failed with the one that failed.
    assert job["status"]["failed"] == 2
    assert job["status"]["active"] == 0
    await harness.live_pods("fast", 1)
    await harness.has_event("fast", "failed pod is found")


async def test_continue_completes_with_the_failures_counted(harness: Harness) -> None:
    await harness.create_node("a")
    await harness.create_node("b")
    await harness.create(defaulted_job("cont", failurePolicy={"type": "Continue"}))
    pods = await harness.by_node("cont", 2)

    await harness.set_phase(pods["a"], "Failed")
    await harness.set_phase(pods["b"], "Succeeded")

    job = await harness.status_is("cont", phase="completed", failed=1, succeeded=1)
    assert condition(job, "Complete") is not None


async def test_pause_persists_paused_and_resuming_goes_on(harness: Harness) -> None:
    for short in "abc":
        await harness.create_node(short)
    await harness.create(defaulted_job("pause", parallelism=1, failurePolicy={"type": "Pause"}))
    [first] = await harness.live_pods("pause", 1)

    await harness.set_phase(first, "Failed")

    job = await harness.status_is("pause", phase="paused", failed=1)
    assert job["spec"]["paused"] is True
    await harness.has_event("pause", "Paused")
    assert len(await harness.pods("pause")) == 1

    await harness.patch("pause", {"spec": {"paused": False}})

    # The known failure does not pause it again: the next node gets its pod.
    await harness.live_pods("pause", 2)
    await harness.has_event("pause", "Continue")
    job = await harness.status_is("pause", phase="running", failed=1, active=1)
    assert job["spec"]["paused"] is False


async def test_an_on_failure_pod_past_its_restart_limit_counts_as_failed(harness: Harness) -> None:
    await harness.create_node("a")
    job = defaulted_job("restarts", failurePolicy={"type": "FailFast", "restartLimit": 2})
    job["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    await harness.create(job)
    [pod] = await harness.live_pods("restarts", 1)

    await harness.set_phase(pod, "Running", restarts=2)
    await harness.status_is("restarts", phase="running", active=1, failed=0)

    await harness.set_phase(pod, "Running", restarts=3)
    await harness.status_is("restarts", phase="failed", failed=1)
