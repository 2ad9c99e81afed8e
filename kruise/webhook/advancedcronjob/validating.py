"""The AdvancedCronJob validating webhook."""

from __future__ import annotations

from kruise.apis.apps.validation.advancedcronjob import validate_advancedcronjob
from kruise.apis.apps.validation.field import aggregate, causes
from kruise.apis.apps.validation.meta import in_namespace
from kruise.runtime.log import get_logger
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse

log = get_logger("webhook.advancedcronjob")


class AdvancedCronJobValidator:
    """Validates AdvancedCronJobs on create and update."""

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        if request.operation not in ("CREATE", "UPDATE") or request.sub_resource:
            return AdmissionResponse.allow()
        if not isinstance(request.object, dict):
            return AdmissionResponse.deny(
                "the request carries no AdvancedCronJob object", code=400, reason="BadRequest"
            )
        old = None
        if request.operation == "UPDATE":
            if not isinstance(request.old_object, dict):
                return AdmissionResponse.deny(
                    "the update request carries no old AdvancedCronJob object",
                    code=400,
                    reason="BadRequest",
                )
            old = in_namespace(request.old_object, request.namespace)
        try:
            errors = validate_advancedcronjob(in_namespace(request.object, request.namespace), old)
        except Exception as err:  # a validation bug must not become a 500
            log.exception("validation failed", namespace=request.namespace, name=request.name)
            return AdmissionResponse.deny(
                f"cannot validate AdvancedCronJob: {err}", code=400, reason="BadRequest"
            )
        if errors:
            return AdmissionResponse.invalid(causes(errors), message=aggregate(errors))
        return AdmissionResponse.allow()
