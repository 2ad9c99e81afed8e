"""The StatefulSet fields OpenKruise added after v0.7.0 exist only in v1beta1: they travel in
the carrier annotation on v1alpha1 and survive a read-modify-write through it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kruise.apis.apps.conversion import (
    CARRIED_FIELDS_ANNOTATION,
    V1ALPHA1,
    V1BETA1,
    StatefulSetConverter,
)

converter = StatefulSetConverter()

LATER_SPEC = {
    "reserveOrdinals": [1, "3-4"],
    "ordinals": {"start": 2},
    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"},
    "scaleStrategy": {"maxUnavailable": "50%"},
    "lifecycle": {
        "preDelete": {"labelsHandler": {"example.com/hold": "true"}},
        "inPlaceUpdate": {"finalizersHandler": ["example.com/drain"]},
    },
}
LATER_STATUS = {"updatedReadyReplicas": 2, "updatedAvailableReplicas": 1}


def beta(
    spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "apiVersion": V1BETA1,
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": "default", "resourceVersion": "7"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}},
            "podManagementPolicy": "Parallel",
            **copy.deepcopy(spec or {}),
        },
        "status": {"replicas": 3, "readyReplicas": 3, **(status or {})},
    }


def carried(obj: dict[str, Any]) -> Any:
    return json.loads(obj["metadata"]["annotations"][CARRIED_FIELDS_ANNOTATION])


@pytest.mark.parametrize("field", sorted(LATER_SPEC))
def test_each_later_spec_field_travels_alone(field: str) -> None:
    obj = beta({field: LATER_SPEC[field]})
    alpha = converter.convert(obj, V1ALPHA1)
    assert field not in alpha["spec"]
    assert carried(alpha) == {"spec": {field: LATER_SPEC[field]}}
    assert converter.convert(alpha, V1BETA1) == obj


@pytest.mark.parametrize("field", sorted(LATER_STATUS))
def test_each_later_status_field_travels_alone(field: str) -> None:
    obj = beta(status={field: LATER_STATUS[field]})
    alpha = converter.convert(obj, V1ALPHA1)
    assert field not in alpha["status"]
    assert carried(alpha) == {"status": {field: LATER_STATUS[field]}}
    assert converter.convert(alpha, V1BETA1) == obj


def test_all_together_in_one_canonical_annotation() -> None:
    alpha = converter.convert(beta(LATER_SPEC, LATER_STATUS), V1ALPHA1)
    raw = alpha["metadata"]["annotations"][CARRIED_FIELDS_ANNOTATION]
    assert raw == json.dumps(
        {"spec": LATER_SPEC, "status": LATER_STATUS}, sort_keys=True, separators=(",", ":")
    )
    assert '"reserveOrdinals":[1,"3-4"]' in raw


def test_a_v1alpha1_read_modify_write_keeps_every_later_field() -> None:
    """A v1alpha1 client that knows none of them scales the set and writes it back."""
    read = converter.convert(beta(LATER_SPEC, LATER_STATUS), V1ALPHA1)
    read["spec"]["replicas"] = 5
    read["spec"]["updateStrategy"] = {"type": "OnDelete"}
    written = converter.convert(read, V1BETA1)
    assert written["spec"]["replicas"] == 5
    assert written["spec"]["updateStrategy"] == {"type": "OnDelete"}
    assert {k: written["spec"][k] for k in LATER_SPEC} == LATER_SPEC
    assert {k: written["status"][k] for k in LATER_STATUS} == LATER_STATUS
    assert "annotations" not in written["metadata"]


def test_a_v1alpha1_client_editing_the_annotation_changes_the_field() -> None:
    read = converter.convert(beta(LATER_SPEC), V1ALPHA1)
    payload = carried(read)
    payload["spec"]["ordinals"] = {"start": 7}
    del payload["spec"]["lifecycle"]
    read["metadata"]["annotations"][CARRIED_FIELDS_ANNOTATION] = json.dumps(payload)
    written = converter.convert(read, V1BETA1)
    assert written["spec"]["ordinals"] == {"start": 7}
    assert "lifecycle" not in written["spec"]
    assert written["spec"]["reserveOrdinals"] == [1, "3-4"]
