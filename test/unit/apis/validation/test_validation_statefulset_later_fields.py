"""Advanced StatefulSet validation of the fields OpenKruise added after v0.7.0: reserveOrdinals
with ranges, scaleStrategy, the claim retention policy, ordinals and lifecycle hooks."""

from __future__ import annotations

from typing import Any

import pytest
from support.fields import with_field, with_fields
from support.validation import messages, statefulset

from kruise.apis.apps.validation.field import render_value
from kruise.apis.apps.validation.statefulset import MAX_RESERVED_ORDINALS, validate_statefulset

RESERVED = "spec.reserveOrdinals"
SCALE = "spec.scaleStrategy.maxUnavailable"
RETENTION = "spec.persistentVolumeClaimRetentionPolicy"
FORM = 'must be an integer or a range like "3-5"'
MAX_INT32 = 2**31 - 1


def errors_with(changes: dict[str, Any]) -> list[str]:
    return messages(validate_statefulset(with_fields(statefulset(), changes)))


@pytest.mark.parametrize(
    ("replicas", "reserved"),
    [
        (4, [1]),
        (4, [1, 3]),
        # The release's third example: v0.7.0 refused it (3 is not below replicas).
        (3, [1, 3]),
        # Beyond the range a reserved ordinal has no effect (#746), so it is harmless.
        (3, [5]),
        (3, [1, "3-5"]),
        (3, ["0-0", "2-2"]),
        (3, [1, "1-3", 1]),  # overlaps, as OpenKruise allows
        (0, [0]),
        (3, [MAX_INT32]),
        (3, [f"{MAX_INT32 - 1}-{MAX_INT32}"]),
        (3, []),
    ],
)
def test_reserve_ordinals_accepted(replicas: int, reserved: list[Any]) -> None:
    assert errors_with({"spec.replicas": replicas, RESERVED: reserved}) == []


@pytest.mark.parametrize(
    ("entry", "detail"),
    [
        (-1, "must be greater than or equal to 0"),
        ("5-3", "the start of a range must not be greater than its end"),
        ("a-b", FORM),
        ("3-", FORM),
        ("-1", FORM),
        ("-1-3", FORM),
        (" 3-5", FORM),  # OpenKruise refuses spaces too
        ("3 - 5", FORM),
        ("", FORM),
        ("\u0663-\u0665", FORM),  # Arabic-Indic digits: digits, but not ASCII ones
        ("\u00b2", FORM),  # superscript two
        (True, FORM),
        (1.5, FORM),
        (None, FORM),
        ({"start": 1}, FORM),
        (
            "7",
            'a string must be a range like "7-7"; write one ordinal as the number 7, '
            "without quotes",
        ),
        (MAX_INT32 + 1, f"must be less than or equal to {MAX_INT32}"),
        (f"0-{MAX_INT32 + 1}", f"must be less than or equal to {MAX_INT32}"),
        ("1-" + "9" * 5000, f"must be less than or equal to {MAX_INT32}"),
    ],
)
def test_a_malformed_entry_is_refused_by_its_index(entry: Any, detail: str) -> None:
    errors = errors_with({RESERVED: [0, "1-2", entry, 9]})
    assert errors == [f"{RESERVED}[2]: Invalid value: {render_value(entry)}: {detail}"]


def test_every_malformed_entry_is_reported() -> None:
    assert errors_with({RESERVED: [-2, 1, "4-2"]}) == [
        f"{RESERVED}[0]: Invalid value: -2: must be greater than or equal to 0",
        f'{RESERVED}[2]: Invalid value: "4-2": the start of a range must not be greater than '
        "its end",
    ]


def test_reserve_ordinals_must_be_a_list() -> None:
    """Only a v1alpha1 object can get here (its annotation is not checked by the schema)."""
    assert errors_with({RESERVED: 3}) == [
        f"{RESERVED}: Invalid value: 3: must be a list of ordinals"
    ]


def test_the_list_names_a_bounded_number_of_ordinals() -> None:
    at_limit = [f"0-{MAX_RESERVED_ORDINALS - 1}"]
    assert errors_with({RESERVED: at_limit}) == []
    over = [f"0-{MAX_RESERVED_ORDINALS - 2}", 5, "100-200", 7]
    assert errors_with({RESERVED: over}) == [
        f'{RESERVED}[2]: Invalid value: "100-200": the list may name at most '
        f"{MAX_RESERVED_ORDINALS} ordinals in all"
    ]


@pytest.mark.parametrize("value", [1, "1%", "100%"])
def test_scale_max_unavailable_is_the_number_1_unless_parallel(value: Any) -> None:
    """As rollingUpdate.maxUnavailable, and as OpenKruise v1.9: even a percentage that
    resolves to 1 is refused without Parallel."""
    assert errors_with({SCALE: value}) == ([] if value == 1 else [_not_parallel(value)])


def _not_parallel(value: Any) -> str:
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    return f"{SCALE}: Invalid value: {shown}: must be 1 unless podManagementPolicy is Parallel"


@pytest.mark.parametrize("value", [2, "50%"])
def test_scale_max_unavailable_above_one_needs_parallel(value: Any) -> None:
    assert errors_with({SCALE: value}) == [_not_parallel(value)]
    assert errors_with({SCALE: value, "spec.podManagementPolicy": "Parallel"}) == []


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        (0, "must be at least 1, or a percentage above 0%"),
        ("0%", "must be at least 1, or a percentage above 0%"),
        (-1, "must be greater than or equal to 0"),
        ("101%", "must be between 0% and 100%"),
        (
            "2",
            'a string must be a percentage such as "2%"; write a count as the number 2, '
            "without quotes",
        ),
    ],
)
def test_scale_max_unavailable_refused(value: Any, detail: str) -> None:
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    assert errors_with({SCALE: value, "spec.podManagementPolicy": "Parallel"}) == [
        f"{SCALE}: Invalid value: {shown}: {detail}"
    ]


def test_scale_strategy_without_max_unavailable_is_valid() -> None:
    assert errors_with({"spec.scaleStrategy": {}}) == []


def test_scale_strategy_must_be_an_object() -> None:
    assert errors_with({"spec.scaleStrategy": [1]}) == [
        "spec.scaleStrategy: Invalid value: [1]: must be an object"
    ]


@pytest.mark.parametrize(
    "policy",
    [
        {"whenDeleted": "Retain", "whenScaled": "Retain"},
        {"whenDeleted": "Delete", "whenScaled": "Delete"},
        {"whenDeleted": "Retain", "whenScaled": "Delete"},
    ],
)
def test_retention_policies_accepted(policy: dict[str, str]) -> None:
    assert errors_with({RETENTION: policy}) == []


def test_retention_policy_values_are_retain_or_delete() -> None:
    supported = 'supported values: "Retain", "Delete"'
    assert errors_with({RETENTION: {"whenDeleted": "Keep", "whenScaled": "delete"}}) == [
        f'{RETENTION}.whenDeleted: Unsupported value: "Keep": {supported}',
        f'{RETENTION}.whenScaled: Unsupported value: "delete": {supported}',
    ]


def test_a_set_retention_policy_names_both_cases() -> None:
    """As OpenKruise: defaulting fills both, so an empty one is only seen undefaulted."""
    assert errors_with({RETENTION: {"whenDeleted": "Delete"}}) == [
        f'{RETENTION}.whenScaled: Unsupported value: "": supported values: "Retain", "Delete"'
    ]


def test_retention_policy_must_be_an_object() -> None:
    assert errors_with({RETENTION: "Delete"}) == [
        f'{RETENTION}: Invalid value: "Delete": must be an object'
    ]


@pytest.mark.parametrize("start", [0, 1, 1000])
def test_ordinals_start_accepted(start: int) -> None:
    assert errors_with({"spec.ordinals": {"start": start}}) == []


@pytest.mark.parametrize(
    ("ordinals", "expected"),
    [
        (
            {"start": -1},
            "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0",
        ),
        ({"start": "1"}, 'spec.ordinals.start: Invalid value: "1": must be an integer'),
        ([1], "spec.ordinals: Invalid value: [1]: must be an object"),
    ],
)
def test_ordinals_refused(ordinals: Any, expected: str) -> None:
    assert errors_with({"spec.ordinals": ordinals}) == [expected]


def test_lifecycle_hooks_accepted() -> None:
    lifecycle = {
        "preDelete": {"labelsHandler": {"example.com/hold": "true"}, "markPodNotReady": True},
        "inPlaceUpdate": {"finalizersHandler": ["example.com/drain"]},
        "preNormal": {},
    }
    assert errors_with({"spec.lifecycle": lifecycle}) == []


@pytest.mark.parametrize(
    ("lifecycle", "expected"),
    [
        ("hold", 'spec.lifecycle: Invalid value: "hold": must be an object'),
        (
            {"preDelete": ["x"]},
            'spec.lifecycle.preDelete: Invalid value: ["x"]: must be an object',
        ),
        (
            {"inPlaceUpdate": {"labelsHandler": {"a": 1}}},
            'spec.lifecycle.inPlaceUpdate.labelsHandler: Invalid value: {"a":1}: '
            "must be a map of strings",
        ),
        (
            {"preDelete": {"finalizersHandler": "example.com/x"}},
            'spec.lifecycle.preDelete.finalizersHandler: Invalid value: "example.com/x": '
            "must be a list of strings",
        ),
        (
            {"preNormal": {"finalizersHandler": [1]}},
            "spec.lifecycle.preNormal.finalizersHandler: Invalid value: [1]: "
            "must be a list of strings",
        ),
    ],
)
def test_lifecycle_shape(lifecycle: Any, expected: str) -> None:
    """Only a v1alpha1 object can get here (its annotation is not checked by the schema)."""
    assert errors_with({"spec.lifecycle": lifecycle}) == [expected]


def test_an_update_keeps_a_stored_entry_it_does_not_touch() -> None:
    """An object admitted under looser rules stays editable; a new bad entry is refused."""
    old = with_field(statefulset(), RESERVED, ["7"])
    assert validate_statefulset(with_field(old, "spec.replicas", 5), old) == []
    worse = with_field(old, RESERVED, ["7", -1])
    assert messages(validate_statefulset(worse, old)) == [
        f"{RESERVED}[1]: Invalid value: -1: must be greater than or equal to 0"
    ]
