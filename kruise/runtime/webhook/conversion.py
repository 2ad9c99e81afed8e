"""Conversion reviews: ``apiextensions.k8s.io/v1`` and ``v1beta1`` ConversionReviews.

Every object is converted to ``desiredAPIVersion`` (objects already there pass through);
the answer is ``Success`` with the converted objects, or ``Failure`` with the first
error. Both are HTTP 200: only a malformed review is refused with 400.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kruise.runtime.log import get_logger
from kruise.runtime.webhook._review import (
    ReviewError,
    describe,
    dump,
    error_text,
    required,
    review_envelope,
    short,
)

log = get_logger("webhook.conversion")

CONVERSION_VERSIONS = frozenset({"apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"})
_YIELD_EVERY = 100  # objects converted between yields to the event loop


class ConversionError(Exception):
    """An object that cannot be converted; its message is returned to the API server."""


class Converter(Protocol):
    """Converts one custom resource between the versions its CRD serves."""

    def convert(self, obj: dict[str, Any], desired_api_version: str) -> dict[str, Any]:
        """``obj`` in ``desired_api_version``; raise ``ConversionError`` when it cannot be done."""
        ...


@dataclass(frozen=True)
class ConversionRequest:
    """What a ConversionReview asks: every object, to be converted to one version."""

    uid: str
    desired_api_version: str
    objects: list[dict[str, Any]]
    api_version: str  # of the ConversionReview


def decode_request(body: Any) -> ConversionRequest:
    """A ConversionRequest from a parsed ConversionReview; ReviewError if malformed."""
    api_version, req = review_envelope(body, "ConversionReview", CONVERSION_VERSIONS)
    where = "request."
    uid = required(req, "uid", str, where)
    desired = required(req, "desiredAPIVersion", str, where)
    if not desired:
        raise ReviewError("request.desiredAPIVersion is empty")
    objects = required(req, "objects", list, where)
    for i, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise ReviewError(f"request.objects[{i}] must be an object, got {describe(obj)}")
        for key in ("apiVersion", "kind"):
            if not isinstance(obj.get(key), str) or not obj[key]:
                raise ReviewError(f"request.objects[{i}].{key} must be a non-empty string")
    return ConversionRequest(uid, desired, objects, api_version)


def _response(request: ConversionRequest, converted: list[dict[str, Any]], error: str) -> bytes:
    result = {"status": "Failure", "message": error} if error else {"status": "Success"}
    body = {
        "uid": request.uid,
        "convertedObjects": [] if error else converted,
        "result": result,
    }
    return dump({"apiVersion": request.api_version, "kind": "ConversionReview", "response": body})


def _describe(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = "/".join(str(p) for p in (meta.get("namespace"), meta.get("name")) if p)
    kind = str(obj["kind"])[:60]
    return f"{kind} {name[:120]}" if name else kind


def _convert_one(converter: Converter, obj: dict[str, Any], desired: str) -> dict[str, Any]:
    out = converter.convert(obj, desired)
    if not isinstance(out, dict):
        raise TypeError(f"converter returned {type(out).__name__}, not a dict")
    if out.get("apiVersion") != desired:
        raise TypeError(f"converter returned apiVersion {short(out.get('apiVersion'))}")
    if out.get("kind") != obj["kind"]:
        raise TypeError(f"converter changed kind to {short(out.get('kind'))}")
    return out


async def review(
    converter: Converter,
    request: ConversionRequest,
    *,
    on_panic: Callable[[], None] | None = None,
) -> bytes:
    """Convert every object of ``request``; the encoded ConversionReview that answers it.

    A ConversionError becomes a Failure with its message; any other exception, or a
    converter answer of the wrong shape, a Failure counted as a panic.
    """
    desired = request.desired_api_version
    converted: list[dict[str, Any]] = []
    for i, obj in enumerate(request.objects):
        if i and i % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a long list must not stall other requests
        if obj["apiVersion"] == desired:
            converted.append(obj)
            continue
        try:
            converted.append(_convert_one(converter, obj, desired))
        except ConversionError as err:
            message = f"converting {_describe(obj)} to {desired}: {err}"
            log.info("conversion refused", uid=request.uid, error=message)
            return _response(request, [], message)
        except Exception as err:
            if on_panic is not None:
                on_panic()
            log.exception("converter failed", uid=request.uid, object=_describe(obj))
            message = f"internal error converting {_describe(obj)} to {desired}: {error_text(err)}"
            return _response(request, [], message)
    try:
        return _response(request, converted, "")
    except (TypeError, ValueError, RecursionError) as err:  # not JSON
        if on_panic is not None:
            on_panic()
        log.error("converted objects are not JSON", uid=request.uid, error=error_text(err))
        return _response(request, [], f"internal error: {error_text(err)}")
