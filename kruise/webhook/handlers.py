"""Admission handlers for kinds whose webhook is just "default it" or "validate it".

A kind with nothing special (no live reads, both versions spelled alike) names its
function; the checks every handler shares live here once: only CREATE and UPDATE of the
object itself are judged, a request without the object is a 400, and a bug in a default or
validation function becomes a 400 with its message, never a 500. The kinds served here
are stored as v1alpha1, so a v1alpha1 write must also bring a readable
``apps.kruise.io/v1beta1-fields`` annotation, if any (:mod:`~kruise.apis.apps.validation.carrier`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kruise.apis.apps.validation.carrier import validate_carried_fields
from kruise.apis.apps.validation.field import FieldError, aggregate, causes
from kruise.apis.apps.validation.meta import in_namespace
from kruise.runtime.log import get_logger
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse
from kruise.webhook.versions import V1ALPHA1, request_api_version

Defaults = Callable[[Mapping[str, Any]], dict[str, Any]]
Validation = Callable[[Mapping[str, Any], Mapping[str, Any] | None], list[FieldError]]

log = get_logger("webhook")


def _bad_request(message: str) -> AdmissionResponse:
    return AdmissionResponse.deny(message, code=400, reason="BadRequest")


def _judged(request: AdmissionRequest) -> bool:
    return request.operation in ("CREATE", "UPDATE") and not request.sub_resource


class ObjectDefaulter:
    """Answers with the JSON patch from the object to its defaulted form."""

    def __init__(self, kind: str, defaults: Defaults) -> None:
        self.kind = kind
        self.defaults = defaults

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        if not _judged(request):
            return AdmissionResponse.allow()
        if not isinstance(request.object, dict):
            return _bad_request(f"the request carries no {self.kind} object")
        try:
            defaulted = self.defaults(request.object)
        except Exception as err:  # a defaulting bug must not become a 500
            log.exception("defaulting failed", kind=self.kind, name=request.name)
            return _bad_request(f"cannot default {self.kind}: {err}")
        return AdmissionResponse.patch_from(request.object, defaulted)


class ObjectValidator:
    """Answers allowed, or 422 Invalid with one cause per field error."""

    def __init__(self, kind: str, validate: Validation) -> None:
        self.kind = kind
        self.validate = validate

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        if not _judged(request):
            return AdmissionResponse.allow()
        if not isinstance(request.object, dict):
            return _bad_request(f"the request carries no {self.kind} object")
        old = None
        if request.operation == "UPDATE":
            if not isinstance(request.old_object, dict):
                return _bad_request(f"the update request carries no old {self.kind} object")
            old = in_namespace(request.old_object, request.namespace)
        new = in_namespace(request.object, request.namespace)
        try:
            errors = self.validate(new, old)
            if request_api_version(request, request.object) == V1ALPHA1:
                errors += validate_carried_fields(new, old)
        except Exception as err:  # a validation bug must not become a 500
            log.exception("validation failed", kind=self.kind, name=request.name)
            return _bad_request(f"cannot validate {self.kind}: {err}")
        if errors:
            return AdmissionResponse.invalid(causes(errors), message=aggregate(errors))
        return AdmissionResponse.allow()
