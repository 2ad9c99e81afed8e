"""``parallelism``: how many pods run at once, as a count or a percentage of the
desired nodes rounded up."""

from __future__ import annotations

from support.broadcastjob import Harness, defaulted_job


async def _finish_all(harness: Harness, job: str, count: int) -> None:
    for pod in await harness.live_pods(job, count):
        if pod.get("status", {}).get("phase") != "Succeeded":
            await harness.set_phase(pod, "Succeeded")


async def test_parallelism_as_a_number_runs_that_many_at_once(harness: Harness) -> None:
    for short in "abcd":
        await harness.create_node(short)
    await harness.create(defaulted_job("par", parallelism=2))

    await harness.live_pods("par", 2)
    await harness.status_is("par", active=2, desired=4)
    await _finish_all(harness, "par", 2)

    await harness.status_is("par", active=2, succeeded=2)
    await _finish_all(harness, "par", 4)
    await harness.status_is("par", phase="completed", succeeded=4, active=0)


async def test_parallelism_as_a_percentage_rounds_up(harness: Harness) -> None:
    for short in "abc":
        await harness.create_node(short)
    await harness.create(defaulted_job("pct", parallelism="50%"))

    # 50 % of 3 nodes is 1.5: two pods at once.
    await harness.live_pods("pct", 2)
    await harness.status_is("pct", active=2, desired=3)
    await _finish_all(harness, "pct", 2)
    await harness.live_pods("pct", 3)
    await harness.status_is("pct", active=1, succeeded=2)
