"""Int-or-percent values (Kubernetes IntOrString) and how each Kruise field resolves them.

A value is either a count (the JSON number ``5``) or a percentage of some total (the JSON
string ``"5%"``). The webhook refuses a string without ``%`` (``"5"``, which OpenKruise
v0.7.0 read as 5 %): it is almost always a quoting mistake, and guessing either way
surprises someone.

Percentages round per field, as OpenKruise does:

=============================  ============  ===========================================
field                          of            rounding (unset means)
=============================  ============  ===========================================
CloneSet partition             replicas      up, but below replicas when under 100 % and
                                             replicas > 1; at most replicas (0)
CloneSet maxSurge              replicas      up (0)
CloneSet maxUnavailable        replicas      up, or down when maxSurge resolves above 0
                                             ("20%")
StatefulSet maxUnavailable     replicas      down, and at least 1 (1)
BroadcastJob parallelism       desired       up (2147483647)
=============================  ============  ===========================================

Parsing checks only the form. Ranges (a partition of 120 %, a negative count) are the
validating webhook's business; ``IntOrPercent`` exposes what it needs to judge them.

Stored objects are read leniently (``parse_stored_int_or_percent``): a CloneSet written
before the webhook refused bare numeric strings may hold ``partition: "2"``, which
OpenKruise read as 2 %. The CloneSet resolvers below read it the same way, so such an
object keeps working; the controller says once that the form is deprecated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

IntOrString = int | str

MAX_INT32 = 2**31 - 1
CLONESET_DEFAULT_PARTITION: IntOrString = 0
CLONESET_DEFAULT_MAX_SURGE: IntOrString = 0
CLONESET_DEFAULT_MAX_UNAVAILABLE: IntOrString = "20%"
STATEFULSET_DEFAULT_MAX_UNAVAILABLE: IntOrString = 1
BROADCASTJOB_DEFAULT_PARALLELISM: IntOrString = MAX_INT32

_PERCENT = re.compile(r"-?[0-9]+%")
_BARE_INTEGER = re.compile(r"-?[0-9]+")


class IntOrPercentError(ValueError):
    """A value that is neither an integer nor a percentage string.

    ``detail`` is the reason alone, ready for a field error such as
    ``spec.updateStrategy.partition: Invalid value: "5": <detail>``.
    """

    def __init__(self, value: object, detail: str) -> None:
        super().__init__(f"invalid int-or-percent {value!r}: {detail}")
        self.value = value
        self.detail = detail


@dataclass(frozen=True)
class IntOrPercent:
    """A parsed value: ``value`` is a count, or a percentage when ``is_percent``."""

    value: int
    is_percent: bool

    def scaled(self, total: int, *, round_up: bool) -> int:
        """The count this value stands for when the whole is ``total``."""
        if not self.is_percent:
            return self.value
        product = self.value * total
        return -(-product // 100) if round_up else product // 100

    def __str__(self) -> str:
        return f"{self.value}%" if self.is_percent else str(self.value)


def parse_int_or_percent(value: object) -> IntOrPercent:
    """Parse a JSON int-or-string; raise ``IntOrPercentError`` for any other form."""
    if isinstance(value, bool):
        raise IntOrPercentError(value, 'must be an integer or a percentage such as "20%"')
    if isinstance(value, int):
        return IntOrPercent(value, is_percent=False)
    if isinstance(value, str):
        if _PERCENT.fullmatch(value):
            return IntOrPercent(int(value[:-1]), is_percent=True)
        if _BARE_INTEGER.fullmatch(value):
            raise IntOrPercentError(
                value,
                f'a string must be a percentage such as "{value}%"; '
                f"write a count as the number {value}, without quotes",
            )
    raise IntOrPercentError(value, 'must be an integer or a percentage such as "20%"')


def parse_stored_int_or_percent(value: object) -> IntOrPercent:
    """``parse_int_or_percent`` for values already stored: a bare numeric string such as
    ``"2"`` is the percentage ``2%``, as OpenKruise read it; anything else malformed
    still raises ``IntOrPercentError``."""
    if isinstance(value, str) and _BARE_INTEGER.fullmatch(value):
        return IntOrPercent(int(value), is_percent=True)
    return parse_int_or_percent(value)


def is_deprecated_int_or_percent(value: object) -> bool:
    """Whether ``value`` is a bare numeric string, read as a percentage but deprecated."""
    return isinstance(value, str) and _BARE_INTEGER.fullmatch(value) is not None


def scaled_value(value: object, total: int, *, round_up: bool) -> int:
    """Parse ``value`` and resolve it against ``total``."""
    return parse_int_or_percent(value).scaled(total, round_up=round_up)


def stored_scaled_value(value: object, total: int, *, round_up: bool) -> int:
    """``scaled_value`` with the lenient reading of ``parse_stored_int_or_percent``."""
    return parse_stored_int_or_percent(value).scaled(total, round_up=round_up)


def cloneset_partition(partition: IntOrString | None, replicas: int) -> int:
    """Pods a CloneSet keeps at old revisions, from 0 to ``replicas``.

    A percentage rounds up, so any percentage above 0 % keeps at least one old pod; but
    one below 100 % of more than one replica updates at least one pod (4 replicas with
    "99%" keep 3, where rounding alone would keep all 4), as OpenKruise v1.9 does.
    """
    value = CLONESET_DEFAULT_PARTITION if partition is None else partition
    parsed = parse_stored_int_or_percent(value)
    kept = parsed.scaled(replicas, round_up=True)
    if parsed.is_percent and parsed.value < 100 and replicas > 1 and kept >= replicas:
        kept = replicas - 1
    return max(0, min(kept, replicas))


def cloneset_max_surge(max_surge: IntOrString | None, replicas: int) -> int:
    """Pods a CloneSet may run above replicas while updating; a percentage rounds up."""
    value = CLONESET_DEFAULT_MAX_SURGE if max_surge is None else max_surge
    return stored_scaled_value(value, replicas, round_up=True)


def cloneset_max_unavailable(
    max_unavailable: IntOrString | None, max_surge: IntOrString | None, replicas: int
) -> int:
    """Pods a CloneSet update may make unavailable.

    A percentage rounds up, except when maxSurge resolves above 0: then it rounds down,
    so that surge pods rather than unavailable ones carry a small update.
    """
    value = CLONESET_DEFAULT_MAX_UNAVAILABLE if max_unavailable is None else max_unavailable
    round_up = cloneset_max_surge(max_surge, replicas) == 0
    return stored_scaled_value(value, replicas, round_up=round_up)


def statefulset_max_unavailable(max_unavailable: IntOrString | None, replicas: int) -> int:
    """Pods an Advanced StatefulSet update may make unavailable: rounds down, at least 1."""
    value = STATEFULSET_DEFAULT_MAX_UNAVAILABLE if max_unavailable is None else max_unavailable
    return max(1, scaled_value(value, replicas, round_up=False))


def broadcastjob_parallelism(parallelism: IntOrString | None, desired: int) -> int:
    """Pods a BroadcastJob runs at once; a percentage of the desired nodes rounds up."""
    value = BROADCASTJOB_DEFAULT_PARALLELISM if parallelism is None else parallelism
    return scaled_value(value, desired, round_up=True)
