"""Cron schedules and time zones of AdvancedCronJobs.

The grammar is the one OpenKruise v0.7.0 accepts (robfig/cron's ``ParseStandard``): exactly
five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week
0-6 or sun-sat), each a comma-separated list of ``*`` or ``?``, a number or name, or a
range ``a-b``, any of them with a ``/step``; or one of the descriptors ``@yearly``,
``@annually``, ``@monthly``, ``@weekly``, ``@daily``, ``@midnight`` and ``@hourly``. Six or
seven fields (seconds, years) are rejected, as v0.7.0 rejects them.

Three departures: ``@every <duration>`` (which v0.7.0 accepts) is rejected, because the
controller computes run times with croniter, which has no such form; a schedule must also
be one croniter evaluates, so the webhook never admits a schedule the controller cannot
run; and a schedule that can never fire (``0 0 30 2 *``: no February has a 30th) is
rejected, so an admitted AdvancedCronJob always has a next run. Extensions croniter has
and v0.7.0 lacks (``L``, ``W``, ``#``, day 7) stay rejected. Time zones go in
``spec.timeZone``, not in a ``TZ=`` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter

DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


_FIELDS = (
    _Field("minute", 0, 59, {}),
    _Field("hour", 0, 23, {}),
    _Field("day of month", 1, 31, {}),
    _Field("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}),
    _Field("day of week", 0, 6, {d: i for i, d in enumerate(_DAYS)}),
)


def schedule_problem(schedule: str) -> str:
    """Why ``schedule`` is not a usable schedule, or "" when it is."""
    text = schedule.strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        return "a time zone cannot be part of the schedule: set spec.timeZone instead"
    if text.startswith("@"):
        if text.startswith("@every"):
            return "@every is not supported: write the interval as a five-field schedule"
        if text not in DESCRIPTORS:
            return f"unknown descriptor {text}: use one of {', '.join(DESCRIPTORS)}"
        return ""
    problem = _fields_problem(text.split())
    if problem:
        return problem
    if not croniter.is_valid(text):
        return "croniter cannot evaluate this schedule"
    if _never_fires(text):
        return "never fires: no month it names has that day of the month"
    return ""


def _fields_problem(fields: list[str]) -> str:
    """What is wrong with the five fields, or "" when each is right."""
    if len(fields) != len(_FIELDS):
        return (
            "expected exactly 5 fields (minute, hour, day of month, month, day of week), "
            f"found {len(fields)}"
        )
    for value, field in zip(fields, _FIELDS, strict=True):
        for item in value.split(","):
            problem = _item_problem(item, field)
            if problem:
                return f"{field.name} field {value}: {problem}"
    return ""


def _never_fires(text: str) -> bool:
    """Whether croniter finds no run at all. Every schedule repeats at least every eight
    years (a February 29th), well inside croniter's search; 2000 is a leap year."""
    try:
        croniter(text, datetime(2000, 1, 1, tzinfo=UTC)).get_next(float)
    except CroniterBadDateError:
        return True
    return False


def _item_problem(item: str, field: _Field) -> str:
    """Why one comma-separated item of ``field`` is wrong, or "" when it is right. The
    range is read first, then the step, then the range is held to the field's limits."""
    if not item:
        return "empty list item"
    range_part, *steps = item.split("/")
    if len(steps) > 1:
        return f"too many slashes in {item}"
    span = _span(item, range_part, field, stepped=bool(steps))
    if isinstance(span, str):
        return span
    if steps and not _number(steps[0], {}):
        return f"the step of {item} must be a positive number"
    return _limits_problem(item, *span, field)


def _span(item: str, range_part: str, field: _Field, *, stepped: bool) -> tuple[int, int] | str:
    """The first and last value ``range_part`` (of ``item``) names, or why it names none."""
    if range_part in ("*", "?"):
        return field.low, field.high
    bounds = range_part.split("-")
    if len(bounds) > 2:
        return f"too many hyphens in {item}"
    if "" in bounds:
        return f"{item} is not a number or a range"
    numbers = [_number(b, field.names) for b in bounds]
    if None in numbers:
        bad = bounds[numbers.index(None)]
        return f"{bad!r} is not a number" + (" or a name" if field.names else "")
    start = numbers[0] or 0
    end = numbers[-1] or 0
    if stepped and len(bounds) == 1:  # "a/n" means "a-high/n"
        end = field.high
    return start, end


def _limits_problem(item: str, start: int, end: int, field: _Field) -> str:
    if start < field.low:
        return f"{start} is below the minimum {field.low}"
    if end > field.high:
        return f"{end} is above the maximum {field.high}"
    if start > end:
        return f"the range {item} starts after it ends"
    return ""


def _number(text: str, names: dict[str, int]) -> int | None:
    named = names.get(text.lower())
    if named is not None:
        return named
    return int(text) if text.isascii() and text.isdigit() else None


def time_zone_problem(name: str) -> str:
    """Why ``name`` is not an IANA time zone, or "" when it is one."""
    if not name:
        return 'must be an IANA time zone name such as "Europe/Berlin"'
    if name.lower() == "local":
        return "must be an explicit IANA time zone name, not the manager's local time"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return "unknown time zone: not in the IANA time zone database"
    return ""
