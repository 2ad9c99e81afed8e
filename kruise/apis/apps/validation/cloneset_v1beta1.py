"""v1beta1 CloneSet validation: the v1alpha1 rules, reported in v1beta1's field paths.

A v1beta1 CloneSet is converted to v1alpha1 (losslessly: :mod:`kruise.apis.apps.conversion`)
and judged by :func:`validate_cloneset`, so both versions obey one set of rules; each error's
path is then respelled for v1beta1 (``spec.updateStrategy.partition`` is reported as
``spec.updateStrategy.rollingUpdate.partition``, the update type as ``podUpdatePolicy``).
The fields only v1beta1 has are checked here, as OpenKruise v1.9 checks them:
``inPlaceUpdateStrategy``'s ``imagePreDownloadParallelism`` (a count, not a percentage),
``imagePreDownloadTimeoutSeconds`` and ``imagePreDownloadMinUpdatedReadyPods`` (not negative).
kruise-py accepts them but does not pre-download images.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.conversion import V1ALPHA1, V1BETA1
from kruise.apis.apps.conversion.cloneset import KIND, CloneSetConverter, field_path_in_v1beta1
from kruise.apis.apps.validation._json import obj
from kruise.apis.apps.validation.cloneset import PodLookup, validate_cloneset
from kruise.apis.apps.validation.field import ErrorList, FieldError, invalid, path
from kruise.apis.apps.validation.meta import introduced, validate_nonnegative

_converter = CloneSetConverter()
_UPDATE_TYPE = "spec.updateStrategy.type"
_IN_PLACE = path("spec", "updateStrategy", "rollingUpdate", "inPlaceUpdateStrategy")


def as_v1alpha1(cloneset: Mapping[str, Any]) -> dict[str, Any]:
    """A v1beta1 CloneSet as v1alpha1; ValueError when it cannot be read as one."""
    return _converter.convert({**cloneset, "apiVersion": V1BETA1, "kind": KIND}, V1ALPHA1)


def validate_cloneset_v1beta1(
    cloneset: Mapping[str, Any],
    old: Mapping[str, Any] | None = None,
    pods: Mapping[str, PodLookup] | None = None,
) -> ErrorList:
    """All errors of the v1beta1 ``cloneset`` (``old``, ``pods``: as for
    :func:`validate_cloneset`); ValueError when either object cannot be read as a CloneSet."""
    alpha = as_v1alpha1(cloneset)
    errors = validate_cloneset(alpha, None if old is None else as_v1alpha1(old), pods)
    kind = obj(obj(alpha.get("spec")).get("updateStrategy")).get("type")
    respelled = [_in_v1beta1(error, kind) for error in errors]
    only = _v1beta1_only_errors(cloneset)
    if old is not None:
        only = introduced(only, _v1beta1_only_errors(old))
    return respelled + only


def _in_v1beta1(error: FieldError, kind: object) -> FieldError:
    detail = error.detail.replace(_UPDATE_TYPE, field_path_in_v1beta1(_UPDATE_TYPE, kind))
    return dataclasses.replace(error, field=field_path_in_v1beta1(error.field, kind), detail=detail)


def _v1beta1_only_errors(cloneset: Mapping[str, Any]) -> ErrorList:
    strategy = obj(obj(cloneset.get("spec")).get("updateStrategy"))
    in_place = obj(obj(strategy.get("rollingUpdate")).get("inPlaceUpdateStrategy"))
    errors = _parallelism_errors(in_place.get("imagePreDownloadParallelism"))
    for name in ("imagePreDownloadTimeoutSeconds", "imagePreDownloadMinUpdatedReadyPods"):
        errors += validate_nonnegative(in_place.get(name), _IN_PLACE.child(name))
    return errors


def _parallelism_errors(value: object) -> ErrorList:
    """A count of nodes; unlike OpenKruise v1.9, not "5" (kruise-py's int-or-percent rule:
    a string is a percentage)."""
    at = _IN_PLACE.child("imagePreDownloadParallelism")
    if isinstance(value, str):
        if value.endswith("%"):
            return [invalid(at, value, "must be a number of nodes, not a percentage")]
        return [invalid(at, value, "must be an integer, not a string")]
    return validate_nonnegative(value, at)
