"""Schedules read in spec.timeZone, across America/New_York's daylight-saving changes.

The controller's clock is set a day before the next change after today, whatever today
is; a starting deadline keeps the months between the object's creation (real time) and
that clock out of the count of missed runs.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from support.advancedcronjob import (
    Harness,
    defaulted_acj,
    next_transition,
    running_harness,
)

from kruise.runtime.client import Client
from kruise.runtime.envtest import ControlPlane
from kruise.util.pods import format_time

NEW_YORK = "America/New_York"
HOUR = 3600.0
DEADLINE = 600  # seconds


@pytest.fixture
def spring_forward() -> float:
    """02:00 EST, when New York's clocks next jump to 03:00 EDT (07:00 UTC)."""
    return next_transition(NEW_YORK, forward=True, after=time.time())


@pytest.fixture
def fall_back() -> float:
    """02:00 EDT, when New York's clocks next go back to 01:00 EST (06:00 UTC)."""
    return next_transition(NEW_YORK, forward=False, after=time.time())


@pytest.fixture
async def spring(
    kruise_crds: ControlPlane, client: Client, namespace: str, spring_forward: float
) -> AsyncIterator[Harness]:
    async with running_harness(client, namespace, wall_start=spring_forward - 20 * HOUR) as h:
        yield h


@pytest.fixture
async def autumn(
    kruise_crds: ControlPlane, client: Client, namespace: str, fall_back: float
) -> AsyncIterator[Harness]:
    async with running_harness(client, namespace, wall_start=fall_back - 20 * HOUR) as h:
        yield h


async def run_at(harness: Harness, name: str, run: float, expected: list[float]) -> None:
    """Move the clock to ``run`` and see the children for ``expected`` runs, no more."""
    await harness.advance_to(run)
    await harness.wait_children(name, [f"{name}-{int(t)}" for t in expected])
    await harness.wait_status(name, lastScheduleTime=format_time(expected[-1]))


async def test_spring_forward_keeps_01_30_local(spring: Harness, spring_forward: float) -> None:
    await spring.create(
        defaulted_acj("early", "30 1 * * *", timeZone=NEW_YORK, startingDeadlineSeconds=DEADLINE)
    )
    # 01:30 EST on the day of the change is 06:30 UTC; the next day 01:30 EDT is 05:30 UTC.
    first = spring_forward - 0.5 * HOUR
    second = first + 23 * HOUR
    await run_at(spring, "early", first, [first])
    [job] = await spring.children("early")
    assert job["metadata"]["annotations"]["apps.kruise.io/scheduled-at"].endswith("T01:30:00-05:00")
    await spring.advance_to(second - 60)
    await spring.reconcile("early")
    assert len(await spring.children("early")) == 1
    await run_at(spring, "early", second, [first, second])
    [_, job] = await spring.children("early")
    assert job["metadata"]["annotations"]["apps.kruise.io/scheduled-at"].endswith("T01:30:00-04:00")


async def test_a_skipped_local_time_runs_when_the_clocks_jump(
    spring: Harness, spring_forward: float
) -> None:
    await spring.create(
        defaulted_acj("gap", "30 2 * * *", timeZone=NEW_YORK, startingDeadlineSeconds=DEADLINE)
    )
    # 02:30 does not exist that day: the run starts at 03:00 EDT, the instant of the jump.
    await run_at(spring, "gap", spring_forward, [spring_forward])


async def test_fall_back_runs_01_30_local_once(autumn: Harness, fall_back: float) -> None:
    await autumn.create(
        defaulted_acj("late", "30 1 * * *", timeZone=NEW_YORK, startingDeadlineSeconds=DEADLINE)
    )
    # 01:30 EDT is 05:30 UTC; an hour later 01:30 EST comes round again and must not run.
    first = fall_back - 0.5 * HOUR
    await run_at(autumn, "late", first, [first])
    repeat = first + HOUR
    await autumn.advance_to(repeat + 1)
    await autumn.reconcile("late")
    assert len(await autumn.children("late")) == 1
    # The next day's 01:30 EST is 25 hours after the first run.
    await run_at(autumn, "late", first + 25 * HOUR, [first, first + 25 * HOUR])


async def test_fall_back_runs_intervals_through_the_repeated_hour(
    autumn: Harness, fall_back: float
) -> None:
    await autumn.create(
        defaulted_acj("often", "0,30 * * * *", timeZone=NEW_YORK, startingDeadlineSeconds=60)
    )
    # The hour field is *, so this counts elapsed time: 01:00 and 01:30 run in both passes
    # through the repeated hour (05:00, 05:30, 06:00 and 06:30 UTC).
    runs = [fall_back - HOUR, fall_back - 0.5 * HOUR, fall_back, fall_back + 0.5 * HOUR]
    for i, run in enumerate(runs):
        await run_at(autumn, "often", run, runs[: i + 1])
