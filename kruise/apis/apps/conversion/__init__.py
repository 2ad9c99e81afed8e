"""Lossless conversion between apps.kruise.io/v1alpha1 and v1beta1, one module per kind.

Every kind serves both versions; :mod:`.lossless` is the mechanism they share (fields one
version cannot hold travel in the annotation ``apps.kruise.io/v1beta1-fields`` of the
v1alpha1 form). :class:`KruiseConverter` converts any of the four kinds, picking the
converter by ``kind``: the one ``/convert`` webhook serves every CRD.
"""

from __future__ import annotations

from typing import Any

from kruise.apis.apps.conversion.cloneset import CloneSetConverter
from kruise.apis.apps.conversion.jobs import AdvancedCronJobConverter, BroadcastJobConverter
from kruise.apis.apps.conversion.lossless import (
    CARRIED_FIELDS_ANNOTATION,
    V1ALPHA1,
    V1BETA1,
    CarrierError,
    LosslessConverter,
    decode,
)
from kruise.apis.apps.conversion.statefulset import (
    KIND,
    V1BETA1_ONLY_FIELDS,
    StatefulSetConverter,
)


class KruiseConverter:
    """Converts CloneSets, StatefulSets, BroadcastJobs and AdvancedCronJobs."""

    def __init__(self) -> None:
        converters: list[LosslessConverter] = [
            CloneSetConverter(),
            StatefulSetConverter(),
            BroadcastJobConverter(),
            AdvancedCronJobConverter(),
        ]
        self._by_kind = {c.kind: c for c in converters}

    def for_kind(self, kind: str) -> LosslessConverter:
        """The converter of ``kind``; ValueError for a kind none converts."""
        converter = self._by_kind.get(kind)
        if converter is None:
            supported = ", ".join(repr(k) for k in sorted(self._by_kind))
            raise ValueError(f"kind: Unsupported value: {kind!r}: supported values: {supported}")
        return converter

    def convert(self, obj: dict[str, Any], desired_api_version: str) -> dict[str, Any]:
        """``obj`` converted by its kind's converter; ValueError as the converters raise it."""
        if not isinstance(obj, dict):
            raise ValueError(f"object must be a JSON object, not {type(obj).__name__}")
        return self.for_kind(str(obj.get("kind"))).convert(obj, desired_api_version)


__all__ = [
    "CARRIED_FIELDS_ANNOTATION",
    "KIND",
    "V1ALPHA1",
    "V1BETA1",
    "V1BETA1_ONLY_FIELDS",
    "AdvancedCronJobConverter",
    "BroadcastJobConverter",
    "CarrierError",
    "CloneSetConverter",
    "KruiseConverter",
    "LosslessConverter",
    "StatefulSetConverter",
    "decode",
]
