"""AdmissionReview decoding and encoding, and how handler faults are answered."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from support.reviews import admission_review

from kruise.runtime.webhook import AdmissionRequest, AdmissionResponse, jsonpatch
from kruise.runtime.webhook._review import ReviewError
from kruise.runtime.webhook.admission import decode_request, encode_response, review


@pytest.mark.parametrize("version", ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"])
def test_decodes_both_versions(version: str) -> None:
    request = decode_request(admission_review(version))
    assert request == AdmissionRequest(
        uid="0df28fbd-5f5f-11e8-bc74-36e6bb280816",
        kind={"group": "", "version": "v1", "kind": "ConfigMap"},
        resource={"group": "", "version": "v1", "resource": "configmaps"},
        sub_resource="",
        name="cm",
        namespace="ns",
        operation="CREATE",
        user_info={"username": "admin", "groups": ["system:masters"]},
        object={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}},
        old_object=None,
        dry_run=False,
        api_version=version,
    )


def test_optional_fields_default() -> None:
    body = admission_review(operation="DELETE", object=None, dryRun=True, subResource="status")
    for key in ("name", "namespace", "userInfo", "options"):
        del body["request"][key]
    request = decode_request(body)
    assert (request.name, request.namespace, request.user_info) == ("", "", {})
    assert request.object is None
    assert request.dry_run is True
    assert request.sub_resource == "status"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "AdmissionReview must be an object, got an array"),
        ({"kind": "AdmissionReview"}, "apiVersion is required"),
        (admission_review("admission.k8s.io/v2"), "unsupported apiVersion 'admission.k8s.io/v2'"),
        ({**admission_review(), "kind": "ConversionReview"}, "kind must be AdmissionReview"),
        ({**admission_review(), "request": None}, "request is required"),
        ({**admission_review(), "request": []}, "request must be an object, got an array"),
        (admission_review(uid=7), "request.uid must be a string, got a number"),
        (admission_review(uid=None), "request.uid is required"),
        (admission_review(object="cm"), "request.object must be an object, got a string"),
        (admission_review(oldObject=[]), "request.oldObject must be an object, got an array"),
        (admission_review(kind={"kind": 1}), "request.kind['kind'] must be a string"),
        (admission_review(kind="ConfigMap"), "request.kind must be an object"),
        (admission_review(operation="PATCH"), "request.operation 'PATCH' is not one of"),
        (admission_review(operation=True), "request.operation must be a string, got a boolean"),
        (admission_review(dryRun="yes"), "request.dryRun must be a boolean, got a string"),
        (admission_review(userInfo="admin"), "request.userInfo must be an object"),
    ],
)
def test_malformed_reviews_are_refused_in_one_line(body: Any, message: str) -> None:
    with pytest.raises(ReviewError) as caught:
        decode_request(body)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_long_client_values_are_cut_in_messages() -> None:
    with pytest.raises(ReviewError) as caught:
        decode_request(admission_review("x" * 10_000))
    assert len(str(caught.value)) < 200


def test_allowed_response_echoes_uid_and_version() -> None:
    request = decode_request(admission_review("admission.k8s.io/v1beta1"))
    out = encode_response(request, AdmissionResponse.allow(warnings=["deprecated field"]))
    assert out == {
        "apiVersion": "admission.k8s.io/v1beta1",
        "kind": "AdmissionReview",
        "response": {
            "uid": request.uid,
            "allowed": True,
            "status": {"code": 200},
            "warnings": ["deprecated field"],
        },
    }


def test_patch_is_base64_json_patch() -> None:
    request = decode_request(admission_review())
    assert request.object is not None
    mutated = {**request.object, "metadata": {"name": "cm", "labels": {"a": "b"}}}
    out = encode_response(request, AdmissionResponse.patch_from(request.object, mutated))
    response = out["response"]
    assert response["patchType"] == "JSONPatch"
    patch = json.loads(base64.b64decode(response["patch"]))
    assert patch == [{"op": "add", "path": "/metadata/labels", "value": {"a": "b"}}]
    assert jsonpatch.apply(request.object, patch) == mutated


def test_unchanged_object_sends_no_patch() -> None:
    request = decode_request(admission_review())
    assert request.object is not None
    response = AdmissionResponse.patch_from(request.object, request.object)
    assert "patch" not in encode_response(request, response)["response"]


def test_denial_carries_status_and_causes() -> None:
    request = decode_request(admission_review())
    cause = {"field": "metadata.labels.deny", "type": "FieldValueForbidden", "message": "no"}
    out = encode_response(request, AdmissionResponse.deny("not here", causes=[cause]))
    assert out["response"] == {
        "uid": request.uid,
        "allowed": False,
        "status": {
            "code": 403,
            "status": "Failure",
            "reason": "Forbidden",
            "message": "not here",
            "details": {
                "causes": [
                    {
                        "field": "metadata.labels.deny",
                        "reason": "FieldValueForbidden",
                        "message": "no",
                    }
                ]
            },
        },
    }


def test_denial_without_an_error_code_gets_403() -> None:
    request = decode_request(admission_review())
    out = encode_response(request, AdmissionResponse(allowed=False, message="no"))
    assert out["response"]["status"] == {"code": 403, "status": "Failure", "message": "no"}


def test_denial_cannot_carry_a_patch() -> None:
    request = decode_request(admission_review())
    patch = [{"op": "add", "path": "/x", "value": 1}]
    with pytest.raises(ValueError, match="cannot carry a patch"):
        encode_response(request, AdmissionResponse(allowed=False, patch=patch))


def test_invalid_joins_causes_like_a_field_error_list() -> None:
    one = {"field": "spec.replicas", "reason": "FieldValueInvalid", "message": "must be >= 0"}
    two = {"field": "spec.selector", "reason": "FieldValueRequired", "message": "Required value"}
    single = AdmissionResponse.invalid(one)
    assert (single.code, single.reason) == (422, "Invalid")
    assert single.message == "spec.replicas: must be >= 0"
    assert AdmissionResponse.invalid(one, two).message == (
        "[spec.replicas: must be >= 0, spec.selector: Required value]"
    )
    assert AdmissionResponse.invalid([one, two]) == AdmissionResponse.invalid(one, two)
    assert AdmissionResponse.invalid(one, message="custom").message == "custom"


class Handler:
    def __init__(self, behaviour: Any) -> None:
        self.behaviour = behaviour

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        result: AdmissionResponse = await self.behaviour(request)
        return result


async def _raises(request: AdmissionRequest) -> AdmissionResponse:
    raise KeyError("spec")


async def _sleeps(request: AdmissionRequest) -> AdmissionResponse:
    await asyncio.sleep(10)
    return AdmissionResponse.allow()


async def _own_timeout(request: AdmissionRequest) -> AdmissionResponse:
    raise TimeoutError("upstream")


async def _wrong_type(request: AdmissionRequest) -> Any:
    return {"allowed": True}


async def _unserialisable(request: AdmissionRequest) -> AdmissionResponse:
    return AdmissionResponse(allowed=True, patch=[{"op": "add", "path": "/x", "value": {1, 2}}])


@pytest.mark.parametrize(
    ("behaviour", "message", "panics"),
    [
        (_raises, "internal error: KeyError: 'spec'", 1),
        (_sleeps, "admission handler did not answer within 0.05s", 0),
        (_own_timeout, "internal error: TimeoutError: upstream", 1),
        (_wrong_type, "handler returned dict, not AdmissionResponse", 1),
        (_unserialisable, "internal error: TypeError", 1),
    ],
)
async def test_handler_faults_deny_with_500(behaviour: Any, message: str, panics: int) -> None:
    request = decode_request(admission_review())
    counted: list[int] = []
    raw = await review(
        Handler(behaviour), request, handler_timeout=0.05, on_panic=lambda: counted.append(1)
    )
    response = json.loads(raw)["response"]
    assert response["uid"] == request.uid
    assert response["allowed"] is False
    assert response["status"]["code"] == 500
    assert message in response["status"]["message"]
    assert len(counted) == panics
