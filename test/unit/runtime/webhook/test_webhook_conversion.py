"""ConversionReview decoding, and Success or Failure answers for every converter outcome."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.reviews import conversion_review, widget
from support.webhook_handlers import SizeConverter

from kruise.runtime.webhook._review import ReviewError
from kruise.runtime.webhook.conversion import decode_request, review


async def answer(body: dict[str, Any], converter: Any = None) -> tuple[dict[str, Any], int]:
    panics: list[int] = []
    raw = await review(
        converter or SizeConverter(), decode_request(body), on_panic=lambda: panics.append(1)
    )
    out = json.loads(raw)
    assert out["apiVersion"] == body["apiVersion"]
    assert out["kind"] == "ConversionReview"
    assert out["response"]["uid"] == "u-1"
    return out["response"], len(panics)


@pytest.mark.parametrize("version", ["apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"])
async def test_converts_every_object(version: str) -> None:
    objects = [widget("v1", "a", size="3"), widget("v2", "b", replicas=1), widget("v1", "c")]
    response, panics = await answer(conversion_review(objects, api_version=version))
    assert response["result"] == {"status": "Success"}
    assert [o["spec"] for o in response["convertedObjects"]] == [
        {"replicas": 3},
        {"replicas": 1},
        {"replicas": 0},
    ]
    assert {o["apiVersion"] for o in response["convertedObjects"]} == {"example.io/v2"}
    assert panics == 0


async def test_conversion_error_is_a_failure_with_its_message() -> None:
    response, panics = await answer(conversion_review([widget("v1", "a", size="many")]))
    assert response["convertedObjects"] == []
    assert response["result"] == {
        "status": "Failure",
        "message": "converting Widget ns/a to example.io/v2: spec.size 'many' is not a number",
    }
    assert panics == 0


class Broken:
    def __init__(self, result: Any) -> None:
        self.result = result

    def convert(self, obj: dict[str, Any], desired_api_version: str) -> dict[str, Any]:
        if isinstance(self.result, Exception):
            raise self.result
        result: dict[str, Any] = self.result
        return result


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (ZeroDivisionError("division by zero"), "ZeroDivisionError: division by zero"),
        (["not", "a", "dict"], "converter returned list, not a dict"),
        (widget("v1"), "converter returned apiVersion 'example.io/v1'"),
        ({**widget("v2"), "kind": "Gadget"}, "converter changed kind to 'Gadget'"),
        ({**widget("v2"), "spec": {1, 2}}, "internal error: TypeError"),
    ],
)
async def test_converter_faults_are_failures_counted_as_panics(result: Any, message: str) -> None:
    response, panics = await answer(conversion_review([widget("v1")]), Broken(result))
    assert response["result"]["status"] == "Failure"
    assert message in response["result"]["message"]
    assert panics == 1


async def test_empty_list_is_a_success() -> None:
    response, _ = await answer(conversion_review([]))
    assert response == {"uid": "u-1", "convertedObjects": [], "result": {"status": "Success"}}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("review", "ConversionReview must be an object, got a string"),
        (conversion_review([], api_version="v1"), "unsupported apiVersion 'v1'"),
        ({**conversion_review([]), "request": 3}, "request must be an object, got a number"),
        (conversion_review([], desired=""), "request.desiredAPIVersion is empty"),
        (conversion_review([], desired=["v2"]), "request.desiredAPIVersion must be a string"),
        (conversion_review({"a": 1}), "request.objects must be an array, got an object"),
        (conversion_review(None), "request.objects is required"),
        (conversion_review([widget("v1"), "w"]), "request.objects[1] must be an object"),
        (conversion_review([{"kind": "Widget"}]), "request.objects[0].apiVersion must be a"),
        (conversion_review([{**widget("v1"), "kind": 5}]), "request.objects[0].kind must be a"),
    ],
)
def test_malformed_reviews_are_refused(body: Any, message: str) -> None:
    with pytest.raises(ReviewError) as caught:
        decode_request(body)
    assert message in str(caught.value)
