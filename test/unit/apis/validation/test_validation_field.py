"""Field errors print exactly as apimachinery prints them."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.apis.apps.validation.field import (
    ErrorType,
    FieldError,
    aggregate,
    causes,
    duplicate,
    forbidden,
    invalid,
    not_found,
    not_supported,
    path,
    required,
    too_long,
)

AT = path("spec", "updateStrategy").child("partition")


def test_path_rendering() -> None:
    containers = path("spec", "template", "spec", "containers")
    assert str(containers.index(0).child("image")) == "spec.template.spec.containers[0].image"
    assert str(path("metadata", "labels").key("app")) == "metadata.labels[app]"
    assert str(path()) == ""


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            invalid(AT, "120%", "must be between 0% and 100%"),
            'spec.updateStrategy.partition: Invalid value: "120%": must be between 0% and 100%',
        ),
        (
            invalid(AT, -1, "must be greater than or equal to 0"),
            "spec.updateStrategy.partition: Invalid value: -1: must be greater than or equal to 0",
        ),
        (invalid(AT, None, "x"), "spec.updateStrategy.partition: Invalid value: null: x"),
        (invalid(AT, True, "x"), "spec.updateStrategy.partition: Invalid value: true: x"),
        (invalid(AT, 1.5, "x"), "spec.updateStrategy.partition: Invalid value: 1.5: x"),
        (
            invalid(AT, {"a": [1, "b"]}, "x"),
            'spec.updateStrategy.partition: Invalid value: {"a":[1,"b"]}: x',
        ),
        (
            invalid(AT, 'say "hi"\n', "x"),
            r'spec.updateStrategy.partition: Invalid value: "say \"hi\"\n": x',
        ),
        (invalid(AT, "\x00é", "x"), 'spec.updateStrategy.partition: Invalid value: "\\x00é": x'),
        (required(AT), "spec.updateStrategy.partition: Required value"),
        (required(AT, "set it"), "spec.updateStrategy.partition: Required value: set it"),
        (forbidden(AT, "not here"), "spec.updateStrategy.partition: Forbidden: not here"),
        (duplicate(AT, "a"), 'spec.updateStrategy.partition: Duplicate value: "a"'),
        (not_found(AT, "vol"), 'spec.updateStrategy.partition: Not found: "vol"'),
        (
            not_supported(AT, "X", ["A", "B"]),
            'spec.updateStrategy.partition: Unsupported value: "X": supported values: "A", "B"',
        ),
        (not_supported(AT, "X", []), 'spec.updateStrategy.partition: Unsupported value: "X"'),
        (
            too_long(AT, "", 10),
            "spec.updateStrategy.partition: Too long: must have at most 10 bytes",
        ),
    ],
)
def test_rendering(error: FieldError, text: str) -> None:
    assert str(error) == text


def test_cause_is_a_status_cause() -> None:
    error = invalid(AT, "5", "bad")
    assert error.cause() == {
        "reason": "FieldValueInvalid",
        "message": 'Invalid value: "5": bad',
        "field": "spec.updateStrategy.partition",
    }
    assert error.type is ErrorType.INVALID


def test_aggregate_joins_and_drops_repeats() -> None:
    one, two = required(path("a")), required(path("b"))
    assert aggregate([one]) == "a: Required value"
    assert aggregate([one, two, one]) == "[a: Required value, b: Required value]"
    assert causes([one, two, one]) == (one.cause(), two.cause())


def test_unprintable_value_falls_back_to_its_type() -> None:
    cycle: dict[str, Any] = {}
    cycle["self"] = cycle
    assert str(invalid(AT, cycle, "x")) == "spec.updateStrategy.partition: Invalid value: dict: x"
