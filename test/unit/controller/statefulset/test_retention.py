"""persistentVolumeClaimRetentionPolicy: the owners a claim should have."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.controller.statefulset import retention

Obj = dict[str, Any]
SET: Obj = {"metadata": {"name": "web", "uid": "set-uid"}}
POD: Obj = {"metadata": {"name": "web-1", "uid": "pod-uid"}}


def _set(when_deleted: str, when_scaled: str) -> Obj:
    policy = {"whenDeleted": when_deleted, "whenScaled": when_scaled}
    return {**SET, "spec": {"persistentVolumeClaimRetentionPolicy": policy}}


def _kinds(claim: Obj) -> list[tuple[str, str]]:
    return [(r["kind"], r["uid"]) for r in claim["metadata"]["ownerReferences"]]


@pytest.mark.parametrize(
    ("deleted", "scaled", "scaled_in", "owners"),
    [
        ("Retain", "Retain", False, []),
        ("Retain", "Retain", True, []),
        ("Delete", "Retain", False, [("StatefulSet", "set-uid")]),
        ("Delete", "Retain", True, [("StatefulSet", "set-uid")]),
        ("Retain", "Delete", False, []),
        ("Retain", "Delete", True, [("Pod", "pod-uid")]),
        ("Delete", "Delete", False, [("StatefulSet", "set-uid")]),
        ("Delete", "Delete", True, [("Pod", "pod-uid")]),
    ],
)
def test_owners_follow_the_policy(
    deleted: str, scaled: str, scaled_in: bool, owners: list[tuple[str, str]]
) -> None:
    sts = _set(deleted, scaled)
    claim: Obj = {"metadata": {"name": "data-web-1"}}
    fixed = retention.with_owners(claim, sts, POD, scaled_in=scaled_in)
    assert _kinds(fixed) == owners
    assert retention.owners_up_to_date(fixed, sts, POD, scaled_in=scaled_in)
    if owners:
        assert not retention.owners_up_to_date(claim, sts, POD, scaled_in=scaled_in)


def test_another_controller_is_never_joined() -> None:
    sts = _set("Delete", "Retain")
    other = {"apiVersion": "apps.kruise.io/v1beta1", "kind": "StatefulSet", "name": "db"}
    claim: Obj = {
        "metadata": {"name": "c", "ownerReferences": [{**other, "uid": "x", "controller": True}]}
    }
    assert retention.owners_up_to_date(claim, sts, POD, scaled_in=False)
    assert _kinds(retention.with_owners(claim, sts, POD, scaled_in=False)) == [("StatefulSet", "x")]


def test_a_stale_reference_is_left_alone() -> None:
    sts = _set("Delete", "Delete")
    old = {"apiVersion": "v1", "kind": "Pod", "name": "web-1", "uid": "old", "controller": True}
    claim: Obj = {"metadata": {"name": "c", "ownerReferences": [old]}}
    assert retention.owners_up_to_date(claim, sts, POD, scaled_in=False)


def test_unknown_values_mean_retain() -> None:
    assert retention.policy_of({"spec": {}}).retains_all
    assert retention.policy_of(_set("Sometimes", "Never")).retains_all
