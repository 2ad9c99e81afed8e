"""The Advanced StatefulSet validating webhook (v1alpha1 and v1beta1, judged as v1beta1)."""

from __future__ import annotations

from typing import Any

from kruise.apis.apps.validation.field import aggregate, causes
from kruise.apis.apps.validation.meta import in_namespace
from kruise.apis.apps.validation.statefulset import validate_statefulset
from kruise.runtime.log import get_logger
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse
from kruise.webhook.statefulset.versions import request_api_version, to_v1beta1
from kruise.webhook.versions import unreadable

log = get_logger("webhook.statefulset")


class StatefulSetValidator:
    """Validates Advanced StatefulSets on create and update."""

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        if request.operation not in ("CREATE", "UPDATE") or request.sub_resource:
            return AdmissionResponse.allow()
        if not isinstance(request.object, dict):
            return AdmissionResponse.deny(
                "the request carries no StatefulSet object", code=400, reason="BadRequest"
            )
        if request.operation == "UPDATE" and not isinstance(request.old_object, dict):
            return AdmissionResponse.deny(
                "the update request carries no old StatefulSet object",
                code=400,
                reason="BadRequest",
            )
        api_version = request_api_version(request, request.object)
        try:
            new = self._beta(request.object, api_version, request.namespace)
            old = None
            if isinstance(request.old_object, dict) and request.operation == "UPDATE":
                old = self._beta(request.old_object, api_version, request.namespace)
        except ValueError as err:  # the object cannot be read as v1beta1: the user's to fix
            return unreadable(err)
        except Exception as err:
            log.exception("conversion failed", namespace=request.namespace, name=request.name)
            return AdmissionResponse.deny(
                f"cannot convert StatefulSet to v1beta1: {err}", code=400, reason="BadRequest"
            )
        try:
            errors = validate_statefulset(new, old)
        except Exception as err:  # a validation bug must not become a 500
            log.exception("validation failed", namespace=request.namespace, name=request.name)
            return AdmissionResponse.deny(
                f"cannot validate StatefulSet: {err}", code=400, reason="BadRequest"
            )
        if errors:
            return AdmissionResponse.invalid(causes(errors), message=aggregate(errors))
        return AdmissionResponse.allow()

    @staticmethod
    def _beta(obj: dict[str, Any], api_version: str, namespace: str) -> dict[str, Any]:
        return dict(in_namespace(to_v1beta1(obj, api_version), namespace))
