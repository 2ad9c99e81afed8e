"""Which run is due: the latest owed one, unless past its starting deadline."""

from __future__ import annotations

from datetime import UTC, datetime

from kruise.controller.advancedcronjob.cron import CronSchedule
from kruise.controller.advancedcronjob.plan import MAX_MISSED, Plan, owed, plan

EVERY_MINUTE = CronSchedule.parse("* * * * *")
T0 = datetime(2027, 1, 1, tzinfo=UTC).timestamp()  # a run of every schedule below


def test_nothing_owed_waits_for_the_next_run() -> None:
    assert plan(EVERY_MINUTE, since=T0, now=T0 + 30, deadline=None) == Plan(next_run=T0 + 60)


def test_the_run_at_this_instant_is_due() -> None:
    assert plan(EVERY_MINUTE, since=T0, now=T0 + 60, deadline=None) == Plan(
        next_run=T0 + 120, due=T0 + 60
    )


def test_only_the_latest_missed_run_is_due() -> None:
    got = plan(EVERY_MINUTE, since=T0, now=T0 + 10 * 60 + 5, deadline=None)
    assert got == Plan(next_run=T0 + 11 * 60, due=T0 + 10 * 60)


def test_a_run_done_is_not_due_again() -> None:
    assert plan(EVERY_MINUTE, since=T0 + 60, now=T0 + 90, deadline=None).due is None


def test_a_run_within_its_deadline_is_due() -> None:
    got = plan(EVERY_MINUTE, since=T0, now=T0 + 60 + 30, deadline=30)
    assert got.due == T0 + 60
    assert got.missed is None


def test_a_run_past_its_deadline_is_missed() -> None:
    got = plan(EVERY_MINUTE, since=T0, now=T0 + 60 + 31, deadline=30)
    assert got == Plan(next_run=T0 + 120, missed=T0 + 60)


def test_a_zero_deadline_allows_only_the_exact_instant() -> None:
    assert plan(EVERY_MINUTE, since=T0, now=T0 + 60, deadline=0).due == T0 + 60
    assert plan(EVERY_MINUTE, since=T0, now=T0 + 60.5, deadline=0).missed == T0 + 60


def test_more_than_a_hundred_missed_runs_warn_and_the_latest_still_starts() -> None:
    now = T0 + (MAX_MISSED + 1) * 60
    got = plan(EVERY_MINUTE, since=T0, now=now, deadline=None)
    assert got == Plan(next_run=now + 60, due=now, too_many=True)


def test_exactly_a_hundred_missed_runs_do_not_warn() -> None:
    now = T0 + MAX_MISSED * 60
    assert not plan(EVERY_MINUTE, since=T0, now=now, deadline=None).too_many


def test_the_deadline_bounds_the_missed_count() -> None:
    now = T0 + 1000 * 60
    got = plan(EVERY_MINUTE, since=T0, now=now, deadline=600)
    assert got == Plan(next_run=now + 60, due=now)


def test_owed_counts_no_further_than_needed() -> None:
    assert owed(EVERY_MINUTE, T0, T0 + 3 * 60) == 3
    assert owed(EVERY_MINUTE, T0, T0 + 10**6) == MAX_MISSED + 1


def test_a_yearly_schedule_long_after_creation() -> None:
    yearly = CronSchedule.parse("@yearly")
    now = datetime(2030, 6, 1, tzinfo=UTC).timestamp()
    got = plan(yearly, since=T0, now=now, deadline=None)
    assert got.due == datetime(2030, 1, 1, tzinfo=UTC).timestamp()
    assert got.next_run == datetime(2031, 1, 1, tzinfo=UTC).timestamp()
    assert not got.too_many
