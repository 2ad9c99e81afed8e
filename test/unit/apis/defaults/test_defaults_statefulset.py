"""Advanced StatefulSet defaults for the fields OpenKruise added after v0.7.0."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.apis.apps.defaults import default_statefulset

RETAIN_BOTH = {"whenDeleted": "Retain", "whenScaled": "Retain"}


def spec_of(**spec: Any) -> dict[str, Any]:
    out: dict[str, Any] = default_statefulset({"spec": spec})["spec"]
    return out


def test_retention_policy_defaults_to_retain_both() -> None:
    assert spec_of()["persistentVolumeClaimRetentionPolicy"] == RETAIN_BOTH


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"whenDeleted": "Delete"}, {"whenDeleted": "Delete", "whenScaled": "Retain"}),
        ({"whenScaled": "Delete"}, {"whenDeleted": "Retain", "whenScaled": "Delete"}),
        ({"whenDeleted": "", "whenScaled": None}, RETAIN_BOTH),
        (None, RETAIN_BOTH),
        ({"whenDeleted": "Delete", "whenScaled": "Delete"}, None),
    ],
)
def test_retention_policy_fills_what_is_unset(given: Any, expected: Any) -> None:
    policy = spec_of(persistentVolumeClaimRetentionPolicy=given)
    assert policy["persistentVolumeClaimRetentionPolicy"] == (expected or given)


def test_a_retention_policy_of_the_wrong_type_is_left_for_validation() -> None:
    spec = spec_of(persistentVolumeClaimRetentionPolicy="Delete")
    assert spec["persistentVolumeClaimRetentionPolicy"] == "Delete"


def test_ordinals_start_defaults_to_zero_only_when_ordinals_is_set() -> None:
    assert "ordinals" not in spec_of()
    assert spec_of(ordinals={})["ordinals"] == {"start": 0}
    assert spec_of(ordinals={"start": 4})["ordinals"] == {"start": 4}


def test_no_scale_limit_and_no_hooks_by_default() -> None:
    spec = spec_of()
    assert "scaleStrategy" not in spec
    assert "lifecycle" not in spec
    assert spec_of(scaleStrategy={})["scaleStrategy"] == {}


def test_reserve_ordinals_are_kept_as_given() -> None:
    assert spec_of(reserveOrdinals=[1, "3-5"])["reserveOrdinals"] == [1, "3-5"]
