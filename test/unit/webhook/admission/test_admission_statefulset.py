"""The Advanced StatefulSet webhooks, for v1alpha1 and v1beta1 requests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.admission import patched, request, statefulset

from kruise.apis.apps.conversion import (
    CARRIED_FIELDS_ANNOTATION,
    V1ALPHA1,
    V1BETA1,
    StatefulSetConverter,
)
from kruise.apis.apps.defaults import default_statefulset
from kruise.webhook import statefulset as webhook
from kruise.webhook.statefulset import StatefulSetDefaulter, StatefulSetValidator

RETAIN_BOTH = {"whenDeleted": "Retain", "whenScaled": "Retain"}


def carrying(obj: dict[str, Any], reserved: list[Any], **fields: Any) -> dict[str, Any]:
    """A v1alpha1 object whose annotation carries v1beta1's reserveOrdinals (and ``fields``,
    more v1beta1-only spec fields)."""
    spec = {"reserveOrdinals": reserved, **fields}
    payload = json.dumps({"spec": spec}, sort_keys=True, separators=(",", ":"))
    obj["metadata"]["annotations"] = {CARRIED_FIELDS_ANNOTATION: payload}
    return obj


def defaulted(version: str = "v1beta1", **spec: Any) -> dict[str, Any]:
    """Defaulted as the webhook does it: in the v1beta1 form, then (for v1alpha1) converted
    back, the defaults only v1beta1 has going into the carrier annotation. ``spec`` fields
    land in the v1alpha1 spec as given."""
    obj = default_statefulset(statefulset("v1beta1", **spec))
    obj["apiVersion"] = V1BETA1
    if version == "v1beta1":
        return obj
    alpha = StatefulSetConverter().convert(obj, V1ALPHA1)
    alpha["spec"].update(spec)
    del alpha["metadata"]["annotations"]
    return alpha


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
    obj = carrying(statefulset("v1alpha1"), [1, "3-4"])
    req = request(obj, version="v1alpha1")
    result = patched(req, await StatefulSetDefaulter().handle(req))
    assert result["apiVersion"] == "apps.kruise.io/v1alpha1"
    assert "reserveOrdinals" not in result["spec"]
    assert "persistentVolumeClaimRetentionPolicy" not in result["spec"]
    assert result["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] == 1
    # The v1beta1-only defaults travel with the carried fields.
    assert json.loads(result["metadata"]["annotations"][CARRIED_FIELDS_ANNOTATION]) == {
        "spec": {"reserveOrdinals": [1, "3-4"], "persistentVolumeClaimRetentionPolicy": RETAIN_BOTH}
    }


async def test_mutating_v1alpha1_leaves_a_complete_carrier_alone() -> None:
    obj = carrying(statefulset("v1alpha1"), [1], persistentVolumeClaimRetentionPolicy=RETAIN_BOTH)
    req = request(obj, version="v1alpha1")
    response = await StatefulSetDefaulter().handle(req)
    assert all("annotations" not in op["path"] for op in response.patch or [])


async def test_mutating_v1beta1_defaults_the_retention_policy() -> None:
    req = request(statefulset(), version="v1beta1")
    result = patched(req, await StatefulSetDefaulter().handle(req))
    assert result["spec"]["persistentVolumeClaimRetentionPolicy"] == RETAIN_BOTH


@pytest.mark.parametrize(
    ("carried", "message"),
    [
        (
            {"reserveOrdinals": [1, "5-3"]},
            'spec.reserveOrdinals[1]: Invalid value: "5-3": '
            "the start of a range must not be greater than its end",
        ),
        (
            {"reserveOrdinals": [], "ordinals": {"start": -2}},
            "spec.ordinals.start: Invalid value: -2: must be greater than or equal to 0",
        ),
        (
            {"reserveOrdinals": [], "scaleStrategy": {"maxUnavailable": 2}},
            "spec.scaleStrategy.maxUnavailable: Invalid value: 2: "
            "must be 1 unless podManagementPolicy is Parallel",
        ),
        (
            {
                "reserveOrdinals": [],
                "persistentVolumeClaimRetentionPolicy": {
                    "whenDeleted": "Retain",
                    "whenScaled": "x",
                },
            },
            'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "x": '
            'supported values: "Retain", "Delete"',
        ),
        (
            {"reserveOrdinals": [], "lifecycle": {"preDelete": {"finalizersHandler": "f"}}},
            'spec.lifecycle.preDelete.finalizersHandler: Invalid value: "f": '
            "must be a list of strings",
        ),
    ],
)
async def test_v1alpha1_request_is_validated_with_its_carried_fields(
    carried: dict[str, Any], message: str
) -> None:
    reserved = carried.pop("reserveOrdinals")
    obj = carrying(defaulted("v1alpha1"), reserved, **carried)
    response = await StatefulSetValidator().handle(request(obj, version="v1alpha1"))
    assert (response.allowed, response.code) == (False, 422)
    assert response.message == message


async def test_a_reserved_ordinal_beyond_replicas_is_allowed() -> None:
    """OpenKruise v0.7.0 refused it; the release's own example needs it (replicas 3,
    reserveOrdinals [1, 3] runs pods 0, 2 and 4)."""
    for version in ("v1alpha1", "v1beta1"):
        obj = defaulted(version)
        if version == "v1alpha1":
            obj = carrying(obj, [1, 3], persistentVolumeClaimRetentionPolicy=RETAIN_BOTH)
        else:
            obj["spec"]["reserveOrdinals"] = [1, 3]
        response = await StatefulSetValidator().handle(request(obj, version=version))
        assert response.allowed, response.message


async def test_a_malformed_entry_is_denied_naming_it() -> None:
    obj = defaulted(reserveOrdinals=[0, 1, "x-2"])
    response = await StatefulSetValidator().handle(request(obj, version="v1beta1"))
    assert (response.allowed, response.code, response.reason) == (False, 422, "Invalid")
    assert [c["field"] for c in response.causes] == ["spec.reserveOrdinals[2]"]


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


async def test_later_fields_are_mutable_through_v1alpha1() -> None:
    old = carrying(defaulted("v1alpha1"), [1], persistentVolumeClaimRetentionPolicy=RETAIN_BOTH)
    new = carrying(
        defaulted("v1alpha1", revisionHistoryLimit=3),
        ["1-2"],
        persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete", "whenScaled": "Delete"},
        ordinals={"start": 1},
        lifecycle={"preDelete": {"finalizersHandler": ["example.com/hold"]}},
    )
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


def undefaulted_template(version: str, **spec: Any) -> dict[str, Any]:
    """A StatefulSet whose pod and claim templates were stored without template defaults
    (OpenKruise with ``TemplateNoDefaults``, or an older release)."""
    claim = {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1"}}}}
    obj = defaulted(version, volumeClaimTemplates=[claim])
    obj["spec"]["template"] = statefulset(version)["spec"]["template"]
    obj["spec"].update(spec)
    return obj


@pytest.mark.parametrize("version", ["v1alpha1", "v1beta1"])
async def test_an_update_that_keeps_the_template_does_not_default_it(version: str) -> None:
    """Issue 14 item 4 (v1.9.0's TemplateNoDefaults rule): a scale through kruise-py's
    webhook must not rewrite a template OpenKruise stored, which would make a new revision
    and recreate every pod."""
    old = undefaulted_template(version)
    new = undefaulted_template(version, replicas=5)
    req = request(new, operation="UPDATE", old=old, version=version)
    result = patched(req, await StatefulSetDefaulter().handle(req))
    for field in ("template", "volumeClaimTemplates"):
        assert result["spec"][field] == new["spec"][field]


@pytest.mark.parametrize("version", ["v1alpha1", "v1beta1"])
async def test_an_update_that_changes_the_template_defaults_it_and_the_claims(
    version: str,
) -> None:
    old = undefaulted_template(version)
    new = undefaulted_template(version)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    req = request(new, operation="UPDATE", old=old, version=version)
    result = patched(req, await StatefulSetDefaulter().handle(req))
    container = result["spec"]["template"]["spec"]["containers"][0]
    assert container["terminationMessagePath"] == "/dev/termination-log"
    assert result["spec"]["volumeClaimTemplates"][0]["status"] == {"phase": "Pending"}
