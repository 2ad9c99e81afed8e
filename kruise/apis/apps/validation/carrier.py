"""The annotation ``apps.kruise.io/v1beta1-fields`` on a v1alpha1 object must be readable.

It carries what v1alpha1 cannot hold (:mod:`kruise.apis.apps.conversion.lossless`). For a
kind stored as v1alpha1, an unreadable one would be stored as it is and then fail every
v1beta1 read of the object, and every v1beta1 list of its namespace; so a v1alpha1 write
that brings one in is refused. Its content needs no check: the converter applies only what
leaves the object's v1alpha1 meaning unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.conversion import CARRIED_FIELDS_ANNOTATION, CarrierError, decode
from kruise.apis.apps.validation._json import obj
from kruise.apis.apps.validation.field import ErrorList, invalid, path
from kruise.apis.apps.validation.meta import introduced

_AT = path("metadata", "annotations").key(CARRIED_FIELDS_ANNOTATION)


def validate_carried_fields(
    new: Mapping[str, Any], old: Mapping[str, Any] | None = None
) -> ErrorList:
    """An error when ``new``'s carrier annotation cannot be read (and ``old``'s could, or
    differed)."""
    errors = _errors(new)
    return errors if old is None else introduced(errors, _errors(old))


def _errors(kruise_object: Mapping[str, Any]) -> ErrorList:
    annotations = obj(obj(kruise_object.get("metadata")).get("annotations"))
    if CARRIED_FIELDS_ANNOTATION not in annotations:
        return []
    raw = annotations[CARRIED_FIELDS_ANNOTATION]
    try:
        decode(raw)
    except CarrierError as err:
        return [invalid(_AT, raw, err.detail)]
    return []
