"""Advanced StatefulSets arrive as v1alpha1 or v1beta1; the webhooks work on v1beta1.

The request's ``resource.version`` says which one the client wrote (the object's own
``apiVersion`` when the request does not say). v1alpha1 objects go through the lossless
:class:`StatefulSetConverter` both ways, so fields only v1beta1 has (``reserveOrdinals``,
``ordinals``, the retention policy and the rest, carried in an annotation on v1alpha1) are
defaulted and validated too.
"""

from __future__ import annotations

from typing import Any

from kruise.apis.apps.conversion import KIND, V1ALPHA1, V1BETA1, StatefulSetConverter
from kruise.webhook.versions import request_api_version

__all__ = ["from_v1beta1", "request_api_version", "to_v1beta1"]

_converter = StatefulSetConverter()


def to_v1beta1(obj: dict[str, Any], api_version: str) -> dict[str, Any]:
    """``obj`` (in ``api_version``) as a v1beta1 object; ValueError if it cannot convert."""
    typed = {**obj, "apiVersion": api_version, "kind": obj.get("kind") or KIND}
    return _converter.convert(typed, V1BETA1)


def from_v1beta1(obj: dict[str, Any], api_version: str, like: dict[str, Any]) -> dict[str, Any]:
    """A v1beta1 object back in ``api_version``, with ``apiVersion`` and ``kind`` present
    exactly when they are in ``like`` (the object as the request sent it)."""
    converted = _converter.convert(obj, api_version) if api_version == V1ALPHA1 else dict(obj)
    for key in ("apiVersion", "kind"):
        if key in like:
            converted[key] = like[key]
        else:
            converted.pop(key, None)
    return converted
