"""Which ordinals an Advanced StatefulSet runs: ``ordinals.start``, ``reserveOrdinals``
(numbers, or ranges such as ``"3-5"``) and ``replicas``.

``replicas`` is always the number of pods that run. Counting up from the start ordinal,
reserved ordinals are skipped until ``replicas`` ordinals are found, so a reserved ordinal
beyond that range has no effect: replicas 3 with ``[5]`` runs 0, 1, 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


class InvalidReservedOrdinal(ValueError):
    """An entry of ``reserveOrdinals`` that is neither a number >= 0 nor a range "a-b"."""

    def __init__(self, index: int, entry: object, reason: str) -> None:
        super().__init__(f"reserveOrdinals[{index}]: {entry!r}: {reason}")
        self.index = index
        self.entry = entry
        self.reason = reason


def parse_entry(index: int, entry: object) -> range:
    """The ordinals one entry reserves; raises InvalidReservedOrdinal."""
    if isinstance(entry, bool):
        raise InvalidReservedOrdinal(index, entry, 'must be an integer or a range like "3-5"')
    if isinstance(entry, int):
        if entry < 0:
            raise InvalidReservedOrdinal(index, entry, "must be greater than or equal to 0")
        return range(entry, entry + 1)
    if isinstance(entry, str):
        if entry.strip().isdecimal():
            number = int(entry)
            return range(number, number + 1)
        match = _RANGE.match(entry)
        if match is None:
            raise InvalidReservedOrdinal(index, entry, 'must be an integer or a range like "3-5"')
        first, last = int(match.group(1)), int(match.group(2))
        if first > last:
            raise InvalidReservedOrdinal(
                index, entry, "the start of a range must not be greater than its end"
            )
        return range(first, last + 1)
    raise InvalidReservedOrdinal(index, entry, 'must be an integer or a range like "3-5"')


def reserved_ordinals(entries: Iterable[object] | None) -> frozenset[int]:
    """Every ordinal ``reserveOrdinals`` names; raises InvalidReservedOrdinal on the first
    malformed entry."""
    reserved: set[int] = set()
    for index, entry in enumerate(entries or ()):
        reserved.update(parse_entry(index, entry))
    return frozenset(reserved)


def start_ordinal(spec: Mapping[str, Any]) -> int:
    """``spec.ordinals.start``, 0 when unset."""
    return int((spec.get("ordinals") or {}).get("start") or 0)


@dataclass(frozen=True)
class OrdinalRange:
    """The ordinals a set runs: ``start`` up to ``end`` (exclusive), minus ``reserved``."""

    start: int
    end: int
    reserved: frozenset[int]

    def __contains__(self, ordinal: object) -> bool:
        return (
            isinstance(ordinal, int)
            and self.start <= ordinal < self.end
            and ordinal not in self.reserved
        )

    def ordinals(self) -> list[int]:
        """The ordinals that run, ascending."""
        return [o for o in range(self.start, self.end) if o not in self.reserved]


def ordinal_range(spec: Mapping[str, Any]) -> OrdinalRange:
    """The ordinals ``spec`` runs; raises InvalidReservedOrdinal for a malformed entry."""
    reserved = reserved_ordinals(spec.get("reserveOrdinals"))
    start = start_ordinal(spec)
    replicas = spec.get("replicas")
    wanted = 1 if replicas is None else max(int(replicas), 0)
    end, found = start, 0
    while found < wanted:
        if end not in reserved:
            found += 1
        end += 1
    return OrdinalRange(start, end, reserved)
