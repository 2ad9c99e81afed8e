"""Schedule arithmetic: croniter in the AdvancedCronJob's time zone, with Vixie cron's
daylight-saving rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kruise.controller.advancedcronjob.cron import CronSchedule, ScheduleError

NEW_YORK = "America/New_York"


def at(text: str) -> float:
    """Seconds since the epoch of a UTC time written ``2027-03-14T06:30``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def utc(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M")


def runs(schedule: CronSchedule, start: str, count: int) -> list[str]:
    out, t = [], at(start)
    for _ in range(count):
        t = schedule.next_after(t)
        out.append(utc(t))
    return out


def test_no_time_zone_means_utc() -> None:
    schedule = CronSchedule.parse("30 1 * * *")
    assert runs(schedule, "2027-03-13T00:00", 2) == ["2027-03-13T01:30", "2027-03-14T01:30"]


def test_a_time_zone_shifts_the_runs() -> None:
    schedule = CronSchedule.parse("0 9 * * *", "Asia/Shanghai")
    assert runs(schedule, "2027-01-01T00:00", 2) == ["2027-01-01T01:00", "2027-01-02T01:00"]


def test_next_after_is_strictly_after() -> None:
    schedule = CronSchedule.parse("* * * * *")
    assert utc(schedule.next_after(at("2027-01-01T00:00"))) == "2027-01-01T00:01"
    assert utc(schedule.next_after(at("2027-01-01T00:00") - 0.5)) == "2027-01-01T00:00"


def test_latest_at_or_before_includes_the_instant_itself() -> None:
    schedule = CronSchedule.parse("*/5 * * * *")
    assert utc(schedule.latest_at_or_before(at("2027-01-01T00:10"))) == "2027-01-01T00:10"
    assert utc(schedule.latest_at_or_before(at("2027-01-01T00:10") + 299.5)) == "2027-01-01T00:10"
    assert utc(schedule.latest_at_or_before(at("2027-01-01T00:10") - 0.5)) == "2027-01-01T00:05"


# America/New_York springs forward on 2027-03-14 at 02:00 EST (07:00 UTC) to 03:00 EDT
# and falls back on 2027-11-07 at 02:00 EDT (06:00 UTC) to 01:00 EST.


def test_spring_forward_keeps_the_local_time_of_day() -> None:
    schedule = CronSchedule.parse("30 1 * * *", NEW_YORK)
    # 01:30 EST, 01:30 EST on the day of the change, then 01:30 EDT: 23 hours later.
    assert runs(schedule, "2027-03-13T00:00", 3) == [
        "2027-03-13T06:30",
        "2027-03-14T06:30",
        "2027-03-15T05:30",
    ]


def test_a_time_the_clocks_skip_runs_when_they_jump() -> None:
    schedule = CronSchedule.parse("30 2 * * *", NEW_YORK)
    # 02:30 does not exist on 2027-03-14: the run starts at 03:00 EDT (07:00 UTC).
    assert runs(schedule, "2027-03-13T12:00", 2) == ["2027-03-14T07:00", "2027-03-15T06:30"]


def test_fall_back_runs_a_time_of_day_once() -> None:
    schedule = CronSchedule.parse("30 1 * * *", NEW_YORK)
    # 01:30 EDT (05:30 UTC) runs; 01:30 EST an hour later does not; next day 01:30 EST.
    assert runs(schedule, "2027-11-06T12:00", 2) == ["2027-11-07T05:30", "2027-11-08T06:30"]


def test_fall_back_from_inside_the_repeated_hour() -> None:
    schedule = CronSchedule.parse("30 1 * * *", NEW_YORK)
    # 06:10 UTC is 01:10 EST, the second pass through 01:xx: 01:30 EST already ran as EDT.
    assert runs(schedule, "2027-11-07T06:10", 1) == ["2027-11-08T06:30"]
    assert utc(schedule.latest_at_or_before(at("2027-11-07T07:00"))) == "2027-11-07T05:30"


def test_fall_back_runs_intervals_through_the_repeated_hour() -> None:
    schedule = CronSchedule.parse("*/30 * * * *", NEW_YORK)
    assert runs(schedule, "2027-11-07T05:10", 4) == [
        "2027-11-07T05:30",
        "2027-11-07T06:00",
        "2027-11-07T06:30",
        "2027-11-07T07:00",
    ]
    assert utc(schedule.latest_at_or_before(at("2027-11-07T06:45"))) == "2027-11-07T06:30"


def test_hourly_counts_elapsed_hours_and_daily_is_a_time_of_day() -> None:
    hourly = CronSchedule.parse("@hourly", NEW_YORK)
    assert runs(hourly, "2027-11-07T04:30", 3) == [
        "2027-11-07T05:00",
        "2027-11-07T06:00",
        "2027-11-07T07:00",
    ]
    assert not hourly.time_of_day
    assert CronSchedule.parse("@daily", NEW_YORK).time_of_day


@pytest.mark.parametrize(
    ("schedule", "zone"),
    [
        ("0 0 30 2 *", None),
        ("61 * * * *", None),
        ("not a schedule", None),
        ("* * * * *", "Mars/Olympus_Mons"),
    ],
)
def test_unusable_schedules_and_zones_are_refused(schedule: str, zone: str | None) -> None:
    with pytest.raises(ScheduleError):
        CronSchedule.parse(schedule, zone)


def test_a_leap_day_schedule_is_usable() -> None:
    schedule = CronSchedule.parse("0 0 29 2 *")
    assert runs(schedule, "2027-01-01T00:00", 1) == ["2028-02-29T00:00"]
