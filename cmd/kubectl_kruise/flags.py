"""Flag values as kubectl spells them: Go durations (``90s``, ``1m30s``), booleans
(``--watch=false``), comma lists and ordinals (``1,3-5``)."""

from __future__ import annotations

import argparse
import re

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_TRUE = {"1", "t", "true", "yes", "y", "on"}
_FALSE = {"0", "f", "false", "no", "n", "off"}
_RANGE = re.compile(r"^(\d+)-(\d+)$")


def duration(text: str) -> float:
    """Seconds in a Go duration (``0``, ``30s``, ``1m30s``, ``1.5h``); a bare number is
    seconds."""
    value = text.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if seconds < 0:
            raise argparse.ArgumentTypeError(f"invalid duration {text!r}: must not be negative")
        return seconds
    position, total = 0, 0.0
    for match in _DURATION_PART.finditer(value):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if not value or position != len(value):
        raise argparse.ArgumentTypeError(f'invalid duration "{text}": use e.g. 30s, 5m or 1h')
    return total


def parse_bool(text: str) -> bool:
    """``true``/``false`` and the other spellings Go's strconv.ParseBool takes."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"invalid boolean {text!r}: use true or false")


def names(text: str) -> list[str]:
    """``a,b,,c`` -> ``["a", "b", "c"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def replicas(text: str) -> int:
    """A replica count: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid replicas {text!r}: not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid replicas {text!r}: must not be negative")
    return value


def positive(text: str) -> int:
    """An integer >= 1."""
    value = replicas(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: must be at least 1")
    return value


def ordinals(words: list[str]) -> list[int]:
    """``["1", "3-5", "7,8"]`` -> ``[1, 3, 4, 5, 7, 8]``, sorted, without repeats."""
    found: set[int] = set()
    for word in words:
        for part in names(word):
            if part.isdecimal():
                found.add(int(part))
                continue
            match = _RANGE.match(part)
            if match is None or int(match.group(1)) > int(match.group(2)):
                raise ValueError(f'invalid ordinal "{part}": use a number or a range like 3-5')
            found.update(range(int(match.group(1)), int(match.group(2)) + 1))
    if not found:
        raise ValueError("at least one ordinal is required")
    return sorted(found)
