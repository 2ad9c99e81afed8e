"""Which run of an AdvancedCronJob is due now: pure arithmetic on its schedule.

A run is owed when the schedule fired after ``since`` (the latest scheduled time already
started, or the object's creation) and at or before now. Only the latest owed run is ever
started, never a backlog. With ``startingDeadlineSeconds``, a run older than the deadline
is missed instead. More than ``MAX_MISSED`` owed runs (counted from the deadline when one
is set) is reported, as native CronJobs do, and the latest still starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from kruise.controller.advancedcronjob.cron import CronSchedule

MAX_MISSED = 100


@dataclass(frozen=True)
class Plan:
    """What the schedule asks for at one moment."""

    next_run: float
    """The first run after now: when to look again."""
    due: float | None = None
    """The scheduled time of the run to start now, if one is owed and not too late."""
    missed: float | None = None
    """The owed run whose starting deadline has passed, if that is why nothing is due."""
    too_many: bool = False
    """More than ``MAX_MISSED`` runs were owed."""


def plan(schedule: CronSchedule, *, since: float, now: float, deadline: int | None) -> Plan:
    """The plan at ``now`` for a schedule whose runs up to ``since`` are done, with
    ``deadline`` the starting deadline in seconds (None: no deadline)."""
    next_run = schedule.next_after(now)
    latest = schedule.latest_at_or_before(now)
    if latest <= since:
        return Plan(next_run)
    if deadline is not None and latest + deadline < now:
        return Plan(next_run, missed=latest)
    floor = since if deadline is None else max(since, now - deadline)
    return Plan(next_run, due=latest, too_many=owed(schedule, floor, now) > MAX_MISSED)


def owed(schedule: CronSchedule, since: float, now: float) -> int:
    """How many runs fall after ``since`` and at or before ``now``, counting no further
    than ``MAX_MISSED + 1``."""
    count, run = 0, since
    while count <= MAX_MISSED:
        run = schedule.next_after(run)
        if run > now:
            break
        count += 1
    return count
