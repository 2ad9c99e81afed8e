"""CloneSet's scale-strategy fields from OpenKruise v1.x: scaleStrategy.maxUnavailable and
disablePVCReuse, and the preNormal lifecycle hook."""

from __future__ import annotations

from typing import Any

import pytest
from support.fields import with_field
from support.validation import cloneset, messages

from kruise.apis.apps.validation.cloneset import validate_cloneset

AT = "spec.scaleStrategy.maxUnavailable"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, None),
        (100, None),
        ("1%", None),
        ("100%", None),
        (
            0,
            f"{AT}: Invalid value: 0: must be greater than 0 (0 stops every scale-out; "
            "unset: no limit)",
        ),
        (
            "0%",
            f'{AT}: Invalid value: "0%": must be greater than 0 (0 stops every scale-out; '
            "unset: no limit)",
        ),
        (-1, f"{AT}: Invalid value: -1: must be greater than or equal to 0"),
        ("101%", f'{AT}: Invalid value: "101%": must be between 0% and 100%'),
        (
            "2",
            f'{AT}: Invalid value: "2": a string must be a percentage such as "2%"; '
            "write a count as the number 2, without quotes",
        ),
    ],
)
def test_scale_max_unavailable(value: Any, expected: str | None) -> None:
    errors = messages(validate_cloneset(with_field(cloneset(), AT, value)))
    assert errors == ([expected] if expected else [])


def test_the_new_fields_are_accepted() -> None:
    obj = with_field(cloneset(), "spec.scaleStrategy.disablePVCReuse", True)
    obj = with_field(
        obj,
        "spec.lifecycle.preNormal",
        {"labelsHandler": {"example.com/ready": "true"}, "finalizersHandler": ["example.com/f"]},
    )
    assert validate_cloneset(obj) == []


def test_an_update_may_keep_a_zero_limit_admitted_before() -> None:
    # Stored before the rule existed: scaling the CloneSet must still be possible.
    old = with_field(cloneset(), AT, 0)
    new = with_field(old, "spec.replicas", 7)
    assert validate_cloneset(new, old) == []
    assert messages(validate_cloneset(with_field(old, AT, "0%"), old)) == [
        f'{AT}: Invalid value: "0%": must be greater than 0 (0 stops every scale-out; '
        "unset: no limit)"
    ]
