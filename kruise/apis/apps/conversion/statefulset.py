"""StatefulSet conversion between ``apps.kruise.io/v1alpha1`` and ``apps.kruise.io/v1beta1``.

v1beta1 is the storage version; the API server calls the conversion webhook whenever a client
reads or writes through v1alpha1. OpenKruise v0.7.0 copies fields one by one and drops
``spec.reserveOrdinals`` on the way down, so a read-modify-write through v1alpha1 wipes it
(issues #1082 and #2102). This converter loses nothing in either direction.

Field mapping. The two versions share every field at the same path, so shared fields are kept
exactly where they are, together with any field neither version knows:

==============================================  ==============================================
v1alpha1                                        v1beta1
==============================================  ==============================================
metadata (all of it, bar the carrier below)     metadata
spec.replicas                                   spec.replicas
spec.selector                                   spec.selector
spec.template                                   spec.template
spec.volumeClaimTemplates                       spec.volumeClaimTemplates
spec.serviceName                                spec.serviceName
spec.podManagementPolicy                        spec.podManagementPolicy
spec.revisionHistoryLimit                       spec.revisionHistoryLimit
spec.updateStrategy.type                        spec.updateStrategy.type
spec.updateStrategy.rollingUpdate.<field>       spec.updateStrategy.rollingUpdate.<field>, for
                                                partition, maxUnavailable, podUpdatePolicy,
                                                paused, unorderedUpdate (priorityStrategy),
                                                inPlaceUpdateStrategy, minReadySeconds
status.<field>                                  status.<field>, for observedGeneration,
                                                replicas, readyReplicas, availableReplicas,
                                                currentReplicas, updatedReplicas,
                                                currentRevision, updateRevision,
                                                collisionCount, conditions, labelSelector
annotation ``apps.kruise.io/v1beta1-fields``    spec.reserveOrdinals
==============================================  ==============================================

The carrier annotation. Fields only v1beta1 has (:data:`V1BETA1_ONLY_FIELDS`) leave the
v1alpha1 form and travel in the annotation :data:`CARRIED_FIELDS_ANNOTATION`, as canonical
JSON (sorted keys, no spaces)::

    {"spec":{"reserveOrdinals":[1,3]}}

- v1beta1 -> v1alpha1 writes the annotation when the object has such a field and removes it
  when it has none, so it always describes the v1beta1 object exactly (a stale copy that a
  v1beta1 writer left behind never comes back to life).
- v1alpha1 -> v1beta1 removes the annotation and puts its fields back. A field the v1alpha1
  object sets itself (its key is present, even with the value null) wins over the annotation's
  copy. A client that read v1alpha1 and writes it back therefore keeps ``reserveOrdinals``, and
  one that edits or removes the annotation changes or clears it.
- The annotation never appears on a v1beta1 object the converter produces.
- When the v1beta1 object had ``metadata.annotations`` as an empty map or null, the payload
  also holds ``"emptyAnnotations": {}`` or ``null``, so that exact value comes back.

Round trips are identities: v1beta1 -> v1alpha1 -> v1beta1 for every v1beta1 object that does
not itself carry the annotation, and v1alpha1 -> v1beta1 -> v1alpha1 for every v1alpha1 object
that has no v1beta1-only field in its own body and whose annotation, if any, is as this
converter writes it (which every v1alpha1 object the API server serves is).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

KIND: Final = "StatefulSet"
V1ALPHA1: Final = "apps.kruise.io/v1alpha1"
V1BETA1: Final = "apps.kruise.io/v1beta1"

CARRIED_FIELDS_ANNOTATION: Final = "apps.kruise.io/v1beta1-fields"
"""The v1alpha1 annotation that carries the fields v1alpha1 has no place for."""

V1BETA1_ONLY_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "spec": frozenset({"reserveOrdinals"}),
}
"""Fields of v1beta1 that v1alpha1 lacks, by the part of the object (spec, status) they are in."""

_EMPTY_ANNOTATIONS: Final = "emptyAnnotations"
_ANNOTATION_PATH: Final = f"metadata.annotations[{CARRIED_FIELDS_ANNOTATION}]"


class StatefulSetConverter:
    """Converts Advanced StatefulSets between v1alpha1 and v1beta1 without losing any field."""

    def convert(self, obj: dict[str, Any], desired_api_version: str) -> dict[str, Any]:
        """Return a converted copy of ``obj``; the argument is never changed.

        Raises ValueError for anything that is not an ``apps.kruise.io`` StatefulSet in
        v1alpha1 or v1beta1, for an unknown desired version, and for a malformed object or
        carrier annotation. Converting to the object's own version returns a plain copy.
        """
        if not isinstance(obj, dict):
            raise ValueError(f"object must be a JSON object, not {type(obj).__name__}")
        kind = obj.get("kind")
        if kind != KIND:
            raise ValueError(f"kind: Unsupported value: {kind!r}: supported values: {KIND!r}")
        _check_version("apiVersion", obj.get("apiVersion"))
        _check_version("desired apiVersion", desired_api_version)
        converted: dict[str, Any] = _copy(obj)
        if obj["apiVersion"] == desired_api_version:
            return converted
        if desired_api_version == V1ALPHA1:
            _beta_to_alpha(converted)
        else:
            _alpha_to_beta(converted)
        return converted


def _check_version(what: str, version: object) -> None:
    if version not in (V1ALPHA1, V1BETA1):
        raise ValueError(
            f"{what}: Unsupported value: {version!r}: supported values: {V1ALPHA1!r}, {V1BETA1!r}"
        )


def _copy(value: Any) -> Any:
    """Deep-copy a JSON value (dicts and lists are rebuilt, scalars are immutable)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _metadata(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The object's metadata and its annotations map (None when absent or null), to edit in
    place; unlike ``kruise.runtime.meta``'s read-only accessors, a malformed one is an error."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        raise ValueError("metadata: Required value: must be an object")
    annotations = metadata.get("annotations")
    if annotations is not None and not isinstance(annotations, dict):
        raise ValueError("metadata.annotations: Invalid value: must be an object")
    return metadata, annotations


def _beta_to_alpha(obj: dict[str, Any]) -> None:
    obj["apiVersion"] = V1ALPHA1
    metadata, annotations = _metadata(obj)
    if annotations is not None:
        annotations.pop(CARRIED_FIELDS_ANNOTATION, None)

    payload: dict[str, Any] = {}
    for part, names in V1BETA1_ONLY_FIELDS.items():
        body = obj.get(part)
        if isinstance(body, dict):
            carried = {name: body.pop(name) for name in sorted(names) if name in body}
            if carried:
                payload[part] = carried
    if not payload:
        return

    if annotations is None:
        if "annotations" in metadata:
            payload[_EMPTY_ANNOTATIONS] = None
        annotations = metadata["annotations"] = {}
    elif not annotations:
        payload[_EMPTY_ANNOTATIONS] = {}
    annotations[CARRIED_FIELDS_ANNOTATION] = json.dumps(
        payload, sort_keys=True, separators=(",", ":")
    )


def _alpha_to_beta(obj: dict[str, Any]) -> None:
    obj["apiVersion"] = V1BETA1
    metadata, annotations = _metadata(obj)
    if annotations is None or CARRIED_FIELDS_ANNOTATION not in annotations:
        return
    payload = _decode(annotations.pop(CARRIED_FIELDS_ANNOTATION))

    for part in V1BETA1_ONLY_FIELDS:
        carried = payload.get(part)
        if not carried:
            continue
        body = obj.get(part)
        if body is None:
            body = obj[part] = {}
        elif not isinstance(body, dict):
            raise ValueError(f"{part}: Invalid value: must be an object")
        for name, value in carried.items():
            body.setdefault(name, value)  # a field set on the v1alpha1 object itself wins

    if not annotations:
        if _EMPTY_ANNOTATIONS in payload:
            metadata["annotations"] = payload[_EMPTY_ANNOTATIONS]
        else:
            del metadata["annotations"]


def _decode(raw: object) -> dict[str, Any]:
    """Parse and check the carrier annotation's payload."""
    if not isinstance(raw, str):
        raise ValueError(f"{_ANNOTATION_PATH}: Invalid value: must be a string")
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValueError(f"{_ANNOTATION_PATH}: Invalid value: not JSON: {err}") from None
    if not isinstance(payload, dict):
        raise ValueError(f"{_ANNOTATION_PATH}: Invalid value: must be a JSON object")
    for key, value in payload.items():
        if key == _EMPTY_ANNOTATIONS:
            if value not in (None, {}):
                raise ValueError(
                    f"{_ANNOTATION_PATH}: Invalid value: {_EMPTY_ANNOTATIONS} must be {{}} or null"
                )
            continue
        names = V1BETA1_ONLY_FIELDS.get(key)
        if names is None:
            raise ValueError(
                f"{_ANNOTATION_PATH}: Invalid value: unknown key {key!r}: "
                f"expected {sorted([*V1BETA1_ONLY_FIELDS, _EMPTY_ANNOTATIONS])}"
            )
        if not isinstance(value, dict):
            raise ValueError(f"{_ANNOTATION_PATH}: Invalid value: {key} must be a JSON object")
        unknown = sorted(set(value) - names)
        if unknown:
            raise ValueError(
                f"{_ANNOTATION_PATH}: Invalid value: {key}.{unknown[0]} is not a field that "
                f"only v1beta1 has: expected {sorted(names)}"
            )
    return payload
