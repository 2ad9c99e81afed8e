"""spec.progressDeadlineSeconds of a CloneSet: OpenKruise v1.9's rules (not negative, above
minReadySeconds unless maxInt32), no default, and changeable on update."""

from __future__ import annotations

from typing import Any

import pytest
from support.fields import DELETE, with_field, with_fields
from support.validation import cloneset, messages

from kruise.apis.apps.defaults import default_cloneset
from kruise.apis.apps.validation.cloneset import validate_cloneset

MAX_INT32 = 2**31 - 1
AT = "spec.progressDeadlineSeconds"
ABOVE_MIN_READY = "must be greater than minReadySeconds"


def with_deadline(deadline: Any, min_ready: int | None = None) -> dict[str, Any]:
    changes: dict[str, Any] = {AT: deadline}
    if min_ready is not None:
        changes["spec.minReadySeconds"] = min_ready
    return with_fields(cloneset(), changes)


@pytest.mark.parametrize(
    ("deadline", "min_ready"),
    [
        (1, None),
        (600, None),
        (11, 10),
        (MAX_INT32, None),
        (MAX_INT32, MAX_INT32),  # maxInt32 means no deadline, whatever minReadySeconds is
        (MAX_INT32 - 1, MAX_INT32 - 2),
    ],
)
def test_accepted(deadline: int, min_ready: int | None) -> None:
    assert validate_cloneset(with_deadline(deadline, min_ready)) == []


def test_unset_is_accepted_and_not_defaulted() -> None:
    obj = cloneset()
    assert "progressDeadlineSeconds" not in obj["spec"]
    assert validate_cloneset(obj) == []
    assert default_cloneset(with_deadline(30))["spec"]["progressDeadlineSeconds"] == 30


@pytest.mark.parametrize(
    ("deadline", "min_ready", "expected"),
    [
        (0, None, [f"{AT}: Invalid value: 0: {ABOVE_MIN_READY}"]),
        (10, 10, [f"{AT}: Invalid value: 10: {ABOVE_MIN_READY}"]),
        (5, 10, [f"{AT}: Invalid value: 5: {ABOVE_MIN_READY}"]),
        (MAX_INT32 - 1, MAX_INT32, [f"{AT}: Invalid value: {MAX_INT32 - 1}: {ABOVE_MIN_READY}"]),
        (
            -1,
            None,
            [
                f"{AT}: Invalid value: -1: must be greater than or equal to 0",
                f"{AT}: Invalid value: -1: {ABOVE_MIN_READY}",
            ],
        ),
        ("600", None, [f'{AT}: Invalid value: "600": must be an integer']),
        (2**31, None, [f"{AT}: Invalid value: {2**31}: must be less than or equal to {MAX_INT32}"]),
    ],
)
def test_refused(deadline: Any, min_ready: int | None, expected: list[str]) -> None:
    assert messages(validate_cloneset(with_deadline(deadline, min_ready))) == expected


@pytest.mark.parametrize(("before", "after"), [(None, 600), (600, MAX_INT32), (600, None)])
def test_changeable_on_update(before: int | None, after: int | None) -> None:
    old = cloneset() if before is None else with_deadline(before)
    new = with_field(old, AT, DELETE if after is None else after)
    assert validate_cloneset(new, old) == []


def test_an_update_that_raises_min_ready_seconds_to_the_deadline_is_refused() -> None:
    old = with_deadline(30, 10)
    new = with_field(old, "spec.minReadySeconds", 30)
    assert messages(validate_cloneset(new, old)) == [f"{AT}: Invalid value: 30: {ABOVE_MIN_READY}"]
