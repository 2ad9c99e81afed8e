"""Which ordinals an Advanced StatefulSet runs: the release's reserveOrdinals examples,
ranges, ordinals.start, and what a malformed entry raises."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.apis.apps.v1beta1.ordinals import (
    InvalidReservedOrdinal,
    OrdinalRange,
    ordinal_range,
    parse_entry,
    reserved_ordinals,
    start_ordinal,
)


def runs(**spec: Any) -> list[int]:
    return ordinal_range(spec).ordinals()


@pytest.mark.parametrize(
    ("replicas", "reserved", "expected"),
    [
        # The release text, step by step.
        (4, [1], [0, 2, 3, 4]),
        (4, [1, 3], [0, 2, 4, 5]),
        (3, [1, 3], [0, 2, 4]),
        # A reserved ordinal beyond the range has no effect (OpenKruise v0.7.0 ran an
        # extra pod here, issue #746).
        (3, [5], [0, 1, 2]),
        (2, [1], [0, 2]),
        (0, [0, 1], []),
        (3, [1, "3-5"], [0, 2, 6]),
        (3, ["0-1", 1], [2, 3, 4]),
    ],
)
def test_reserve_ordinals(replicas: int, reserved: list[Any], expected: list[int]) -> None:
    assert runs(replicas=replicas, reserveOrdinals=reserved) == expected


def test_replicas_default_to_one() -> None:
    assert runs() == [0]
    assert runs(reserveOrdinals=[0]) == [1]


def test_start_ordinal() -> None:
    assert start_ordinal({}) == 0
    assert start_ordinal({"ordinals": {}}) == 0
    assert start_ordinal({"ordinals": {"start": 3}}) == 3
    assert runs(replicas=3, ordinals={"start": 5}) == [5, 6, 7]
    assert runs(replicas=3, ordinals={"start": 5}, reserveOrdinals=[1, 6]) == [5, 7, 8]


def test_membership() -> None:
    rng = ordinal_range({"replicas": 3, "reserveOrdinals": [1], "ordinals": {"start": 0}})
    assert rng == OrdinalRange(0, 4, frozenset({1}))
    assert [o for o in range(-1, 6) if o in rng] == [0, 2, 3]
    assert "2" not in rng


@pytest.mark.parametrize(
    ("entry", "expected"),
    [(0, range(0, 1)), (7, range(7, 8)), ("3-5", range(3, 6)), ("4-4", range(4, 5))],
)
def test_parse_entry(entry: object, expected: range) -> None:
    assert parse_entry(0, entry) == expected


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (-1, "must be greater than or equal to 0"),
        ("5-3", "the start of a range must not be greater than its end"),
        ("x", 'must be an integer or a range like "3-5"'),
        ("3-", 'must be an integer or a range like "3-5"'),
        (True, 'must be an integer or a range like "3-5"'),
        (1.0, 'must be an integer or a range like "3-5"'),
        (None, 'must be an integer or a range like "3-5"'),
        # A digit that is not a decimal digit: an error, not a crash of int().
        ("\u00b2", 'must be an integer or a range like "3-5"'),
    ],
)
def test_parse_entry_refuses(entry: object, reason: str) -> None:
    with pytest.raises(InvalidReservedOrdinal) as err:
        parse_entry(2, entry)
    assert (err.value.index, err.value.entry, err.value.reason) == (2, entry, reason)


def test_reserved_ordinals_names_the_first_bad_entry() -> None:
    assert reserved_ordinals(None) == frozenset()
    assert reserved_ordinals([1, "3-4", 1]) == frozenset({1, 3, 4})
    with pytest.raises(InvalidReservedOrdinal) as err:
        reserved_ordinals([1, "2-3", -4, "x"])
    assert err.value.index == 2
