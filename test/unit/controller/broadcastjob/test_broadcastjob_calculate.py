"""The BroadcastJob arithmetic: parallelism, slow-start batches, deadline and TTL."""

from __future__ import annotations

import pytest

from kruise.controller.broadcastjob.calculate import (
    deadline_left,
    is_finished,
    parallelism,
    slow_start_batches,
    to_create,
    ttl_left,
)

START = "2024-01-01T00:00:00Z"
T0 = 1704067200.0  # START in seconds


@pytest.mark.parametrize(
    ("value", "desired", "expected"),
    [
        (None, 5, 2**31 - 1),
        (3, 5, 3),
        ("50%", 3, 2),  # 1.5 rounds up
        ("50%", 4, 2),
        ("1%", 300, 3),
        ("10%", 0, 0),
        (0, 5, 0),
    ],
)
def test_parallelism(value: object, desired: int, expected: int) -> None:
    spec = {} if value is None else {"parallelism": value}
    assert parallelism(spec, desired) == expected


def test_parallelism_refuses_a_bare_string() -> None:
    with pytest.raises(ValueError, match="percentage"):
        parallelism({"parallelism": "5"}, 10)


@pytest.mark.parametrize(
    ("limit", "active", "waiting", "expected"),
    [(5, 2, 10, 3), (5, 2, 1, 1), (2, 3, 5, 0), (10, 0, 0, 0)],
)
def test_to_create(limit: int, active: int, waiting: int, expected: int) -> None:
    assert to_create(limit, active, waiting) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, []), (1, [1]), (2, [1, 1]), (3, [1, 2]), (7, [1, 2, 4]), (10, [1, 2, 4, 3])],
)
def test_slow_start_batches(count: int, expected: list[int]) -> None:
    assert slow_start_batches(count) == expected
    assert sum(slow_start_batches(count)) == count


def test_deadline_left() -> None:
    spec = {"completionPolicy": {"type": "Always", "activeDeadlineSeconds": 60}}
    assert deadline_left(spec, START, T0 + 10) == 50
    assert deadline_left(spec, START, T0 + 60) == 0
    assert deadline_left(spec, None, T0) is None
    assert deadline_left({"completionPolicy": {"type": "Always"}}, START, T0) is None
    never = {"completionPolicy": {"type": "Never", "activeDeadlineSeconds": 60}}
    assert deadline_left(never, START, T0 + 100) is None


def test_ttl_left() -> None:
    spec = {"completionPolicy": {"ttlSecondsAfterFinished": 30}}
    assert ttl_left(spec, START, T0 + 10) == 20
    assert ttl_left(spec, START, T0 + 31) == -1
    assert ttl_left(spec, None, T0) is None
    assert ttl_left({}, START, T0) is None


def _job(policy: str, *conditions: tuple[str, str]) -> dict[str, object]:
    return {
        "spec": {"completionPolicy": {"type": policy}},
        "status": {"conditions": [{"type": t, "status": s} for t, s in conditions]},
    }


def test_is_finished() -> None:
    assert is_finished(_job("Always", ("Complete", "True")))
    assert is_finished(_job("Always", ("Failed", "True")))
    assert not is_finished(_job("Always", ("Complete", "False")))
    assert not is_finished(_job("Always"))
    assert not is_finished(_job("Never", ("Failed", "True")))
