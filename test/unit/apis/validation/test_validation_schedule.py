"""Cron schedules: robfig/cron ParseStandard's grammar, evaluated by croniter."""

from __future__ import annotations

import pytest

from kruise.apis.apps.validation.schedule import schedule_problem, time_zone_problem


@pytest.mark.parametrize(
    "schedule",
    [
        "* * * * *",
        "*/5 * * * *",
        "0 0 * * ?",
        "5/15 * * * *",
        "0 9-17 * * mon-fri",
        "0 0 1,15 jan,JUL *",
        "59 23 31 12 6",
        "0 0 1-31/2 * *",
        "0 0 29 2 *",  # only in leap years, but it fires
        "0 0 30 2 mon",  # day of month or day of week: every Monday in February
        "0 0 31 1-2 *",
        "55/10 * * * *",
        "  0 0 * * *  ",
        *("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"),
    ],
)
def test_accepted(schedule: str) -> None:
    assert schedule_problem(schedule) == ""


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        (
            "0 0 0 * * *",
            "expected exactly 5 fields (minute, hour, day of month, month, day of week), found 6",
        ),
        (
            "0 0 0 * * * 2030",
            "expected exactly 5 fields (minute, hour, day of month, month, day of week), found 7",
        ),
        (
            "0 0 *",
            "expected exactly 5 fields (minute, hour, day of month, month, day of week), found 3",
        ),
        ("@every 1h", "@every is not supported: write the interval as a five-field schedule"),
        (
            "@fortnightly",
            "unknown descriptor @fortnightly: use one of @yearly, @annually, @monthly, @weekly, "
            "@daily, @midnight, @hourly",
        ),
        (
            "TZ=UTC 0 0 * * *",
            "a time zone cannot be part of the schedule: set spec.timeZone instead",
        ),
        (
            "CRON_TZ=UTC 0 0 * * *",
            "a time zone cannot be part of the schedule: set spec.timeZone instead",
        ),
        ("60 * * * *", "minute field 60: 60 is above the maximum 59"),
        ("* 24 * * *", "hour field 24: 24 is above the maximum 23"),
        ("* * 0 * *", "day of month field 0: 0 is below the minimum 1"),
        ("* * * 13 *", "month field 13: 13 is above the maximum 12"),
        ("* * * * 7", "day of week field 7: 7 is above the maximum 6"),
        ("* * L * *", "day of month field L: 'L' is not a number"),
        ("* * * * mon#2", "day of week field mon#2: 'mon#2' is not a number or a name"),
        ("5-1 * * * *", "minute field 5-1: the range 5-1 starts after it ends"),
        ("*/0 * * * *", "minute field */0: the step of */0 must be a positive number"),
        ("1/2/3 * * * *", "minute field 1/2/3: too many slashes in 1/2/3"),
        ("1-2-3 * * * *", "minute field 1-2-3: too many hyphens in 1-2-3"),
        ("1,,2 * * * *", "minute field 1,,2: empty list item"),
        ("-1 * * * *", "minute field -1: -1 is not a number or a range"),
        ("1-70/5 * * * *", "minute field 1-70/5: 70 is above the maximum 59"),
        # The range is read first, then the step, then the limits.
        ("1-2-3/0 * * * *", "minute field 1-2-3/0: too many hyphens in 1-2-3/0"),
        ("x/0 * * * *", "minute field x/0: 'x' is not a number"),
        ("70/0 * * * *", "minute field 70/0: the step of 70/0 must be a positive number"),
        # Valid fields whose combination never happens.
        ("0 0 30 2 *", "never fires: no month it names has that day of the month"),
        ("0 0 31 4,6,9,11 *", "never fires: no month it names has that day of the month"),
        ("0 0 30-31 feb ?", "never fires: no month it names has that day of the month"),
    ],
)
def test_refused(schedule: str, problem: str) -> None:
    assert schedule_problem(schedule) == problem


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"])
def test_time_zones(zone: str) -> None:
    assert time_zone_problem(zone) == ""


@pytest.mark.parametrize("zone", ["Mars/Base", "../etc/passwd", "/usr/share/zoneinfo/UTC", "utc "])
def test_unknown_time_zones(zone: str) -> None:
    assert time_zone_problem(zone) == "unknown time zone: not in the IANA time zone database"
