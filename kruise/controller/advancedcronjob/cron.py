"""When an AdvancedCronJob's schedule fires: croniter, read in ``spec.timeZone`` (UTC when
unset), with times as seconds since the epoch.

Daylight saving follows Vixie cron. When the clocks go forward, a run whose local time does
not exist that day starts at the moment the clocks jump (``30 2 * * *`` in New York runs at
03:00 EDT on the day of the change). When the clocks go back, a time of day (no ``*`` in the
minute or hour field) runs once, at its first occurrence: ``30 1 * * *`` does not run again
at 01:30 EST after 01:30 EDT. A schedule with ``*`` in either field (``*/15 * * * *``,
``@hourly``) counts elapsed time, so it also runs through the repeated hour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

# The descriptors croniter expands, and what they stand for (to tell a time of day from
# an interval).
_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# More repeated occurrences than a day has minutes means a bug, not a schedule.
_MAX_SKIPPED = 24 * 60


class ScheduleError(ValueError):
    """A schedule or time zone the controller cannot evaluate (the webhook refuses them)."""


@dataclass(frozen=True)
class CronSchedule:
    """A five-field schedule (or ``@`` descriptor) read in ``zone``."""

    expression: str
    zone: ZoneInfo
    time_of_day: bool
    """No ``*`` in the minute or hour field: runs once when a local hour repeats."""

    @classmethod
    def parse(cls, schedule: str, time_zone: str | None = None) -> CronSchedule:
        """The schedule of ``spec.schedule`` and ``spec.timeZone``; ``ScheduleError`` when
        either is unusable, or the schedule can never fire."""
        expression = " ".join(schedule.split())
        try:
            zone = ZoneInfo(time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError, OSError) as err:
            raise ScheduleError(f"unknown time zone {time_zone!r}") from err
        fields = _DESCRIPTORS.get(expression.lower(), expression).split()
        parsed = cls(expression, zone, len(fields) == 5 and "*" not in fields[0] + fields[1])
        try:
            croniter(expression, datetime(2000, 1, 1, tzinfo=zone)).get_next(float)
        except (CroniterError, ValueError, KeyError) as err:
            raise ScheduleError(f"unusable schedule {schedule!r}: {err}") from err
        return parsed

    def next_after(self, t: float) -> float:
        """The first run strictly after ``t``."""
        runs = croniter(self.expression, datetime.fromtimestamp(t, self.zone))
        for _ in range(_MAX_SKIPPED):
            run = float(runs.get_next(float))
            if run > t and not self._repeated(run):
                return run
        raise ScheduleError(f"schedule {self.expression!r} has no run after {t}")

    def latest_at_or_before(self, t: float) -> float:
        """The last run at or before ``t``."""
        # Runs fall on whole seconds, so "before floor(t) + 1" is "at or before t".
        start = math.floor(t) + 1
        runs = croniter(self.expression, datetime.fromtimestamp(start, self.zone))
        for _ in range(_MAX_SKIPPED):
            run = float(runs.get_prev(float))
            if run <= t and not self._repeated(run):
                return run
        raise ScheduleError(f"schedule {self.expression!r} has no run before {t}")

    def _repeated(self, run: float) -> bool:
        """Whether ``run`` is the second occurrence of a local time of day that the clocks
        going back repeated."""
        if not self.time_of_day:
            return False
        local = datetime.fromtimestamp(run, self.zone)
        return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()
