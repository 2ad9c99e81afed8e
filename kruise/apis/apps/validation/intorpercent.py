"""Int-or-percent fields: a form check (no bare numeric strings) and a range check."""

from __future__ import annotations

from kruise.apis.apps.intstr import IntOrPercent, IntOrPercentError, parse_int_or_percent
from kruise.apis.apps.validation.field import ErrorList, Path, invalid
from kruise.apis.apps.validation.meta import NEGATIVE


def validate_int_or_percent(
    value: object, at: Path, *, at_most_100_percent: bool = True
) -> tuple[IntOrPercent | None, ErrorList]:
    """Parse a set value: a count must not be negative, a percentage must lie between 0%
    and 100% (or only not be negative, when more than the whole makes sense).

    Returns the parsed value, or None with the errors when it is unusable."""
    try:
        parsed = parse_int_or_percent(value)
    except IntOrPercentError as err:
        return None, [invalid(at, value, err.detail)]
    if not parsed.is_percent:
        if parsed.value < 0:
            return None, [invalid(at, value, NEGATIVE)]
        return parsed, []
    if at_most_100_percent and not 0 <= parsed.value <= 100:
        return None, [invalid(at, value, "must be between 0% and 100%")]
    if parsed.value < 0:
        return None, [invalid(at, value, "must be greater than or equal to 0%")]
    return parsed, []
