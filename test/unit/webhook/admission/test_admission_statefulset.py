"""The Advanced StatefulSet webhooks, for v1alpha1 and v1beta1 requests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.admission import patched, request, statefulset

from kruise.apis.apps.conversion import CARRIED_FIELDS_ANNOTATION
from kruise.apis.apps.defaults import default_statefulset
from kruise.webhook import statefulset as webhook
from kruise.webhook.statefulset import StatefulSetDefaulter, StatefulSetValidator


def carrying(obj: dict[str, Any], ordinals: list[int]) -> dict[str, Any]:
    """A v1alpha1 object whose annotation carries v1beta1's reserveOrdinals."""
    payload = json.dumps({"spec": {"reserveOrdinals": ordinals}}, separators=(",", ":"))
    obj["metadata"]["annotations"] = {CARRIED_FIELDS_ANNOTATION: payload}
    return obj


def defaulted(version: str = "v1beta1", **spec: Any) -> dict[str, Any]:
    obj = default_statefulset(statefulset(version, **spec))
    obj["apiVersion"] = f"apps.kruise.io/{version}"
    return obj


def test_paths() -> None:
    assert webhook.MUTATE_PATH == "/mutate-apps-kruise-io-statefulset"
    assert webhook.VALIDATE_PATH == "/validate-apps-kruise-io-statefulset"
    assert set(webhook.handlers()) == {webhook.MUTATE_PATH, webhook.VALIDATE_PATH}


async def test_mutating_v1beta1_defaults_and_drops_status() -> None:
    obj = statefulset()
    obj["status"] = {"replicas": 7, "readyReplicas": 7}
    req = request(obj, version="v1beta1")
    result = patched(req, await StatefulSetDefaulter().handle(req))
    expected = default_statefulset(obj)
    del expected["status"]
    assert result == expected


async def test_mutating_v1alpha1_stays_v1alpha1_and_keeps_the_carrier() -> None:
    obj = carrying(statefulset("v1alpha1"), [1])
    req = request(obj, version="v1alpha1")
    response = await StatefulSetDefaulter().handle(req)
    assert all("annotations" not in op["path"] for op in response.patch or [])
    result = patched(req, response)
    assert result["apiVersion"] == "apps.kruise.io/v1alpha1"
    assert "reserveOrdinals" not in result["spec"]
    assert result["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] == 1


async def test_v1alpha1_request_is_validated_with_its_carried_fields() -> None:
    obj = carrying(defaulted("v1alpha1"), [5])
    response = await StatefulSetValidator().handle(request(obj, version="v1alpha1"))
    assert (response.allowed, response.code) == (False, 422)
    assert response.message == (
        "spec.reserveOrdinals[0]: Invalid value: 5: must be less than replicas (3)"
    )
    ok = carrying(defaulted("v1alpha1"), [2])
    assert (await StatefulSetValidator().handle(request(ok, version="v1alpha1"))).allowed


async def test_malformed_carrier_annotation_is_invalid_not_an_error() -> None:
    obj = defaulted("v1alpha1")
    obj["metadata"]["annotations"] = {CARRIED_FIELDS_ANNOTATION: "{not json"}
    for handler in (StatefulSetDefaulter(), StatefulSetValidator()):
        response = await handler.handle(request(obj, version="v1alpha1"))
        assert (response.allowed, response.code, response.reason) == (False, 422, "Invalid")
        assert response.message.startswith(f"metadata.annotations[{CARRIED_FIELDS_ANNOTATION}]")


@pytest.mark.parametrize("version", ["v1alpha1", "v1beta1"])
async def test_valid_objects_are_allowed(version: str) -> None:
    response = await StatefulSetValidator().handle(request(defaulted(version), version=version))
    assert response.allowed, response.message


async def test_update_of_an_immutable_field_is_refused() -> None:
    old = defaulted()
    new = defaulted(serviceName="other")
    response = await StatefulSetValidator().handle(
        request(new, operation="UPDATE", old=old, version="v1beta1")
    )
    assert response.code == 422
    assert [c["field"] for c in response.causes] == ["spec.serviceName"]


async def test_update_through_v1alpha1_keeps_reserve_ordinals_mutable() -> None:
    old = carrying(defaulted("v1alpha1"), [1])
    new = carrying(defaulted("v1alpha1"), [2])
    response = await StatefulSetValidator().handle(
        request(new, operation="UPDATE", old=old, version="v1alpha1")
    )
    assert response.allowed, response.message


async def test_in_place_only_refuses_more_than_images() -> None:
    gates = [{"conditionType": "InPlaceUpdateReady"}]
    old = defaulted()
    old["spec"]["updateStrategy"]["rollingUpdate"]["podUpdatePolicy"] = "InPlaceOnly"
    old["spec"]["template"]["spec"]["readinessGates"] = gates
    new = json.loads(json.dumps(old))
    new["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "IfNotPresent"
    response = await StatefulSetValidator().handle(
        request(new, operation="UPDATE", old=old, version="v1beta1")
    )
    assert response.code == 422
    assert response.causes[0]["field"] == "spec.template.spec.containers[0].imagePullPolicy"


async def test_other_operations_pass() -> None:
    response = await StatefulSetValidator().handle(
        request(None, operation="DELETE", old=defaulted(), version="v1beta1")
    )
    assert response.allowed
