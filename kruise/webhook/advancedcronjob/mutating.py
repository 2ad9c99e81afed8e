"""The AdvancedCronJob mutating webhook: fills defaults and answers with the JSON patch."""

from __future__ import annotations

from kruise.apis.apps.defaults import default_advancedcronjob
from kruise.runtime.log import get_logger
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse

log = get_logger("webhook.advancedcronjob")


class AdvancedCronJobDefaulter:
    """Defaults AdvancedCronJobs on create and update."""

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        if request.operation not in ("CREATE", "UPDATE") or request.sub_resource:
            return AdmissionResponse.allow()
        if not isinstance(request.object, dict):
            return AdmissionResponse.deny(
                "the request carries no AdvancedCronJob object", code=400, reason="BadRequest"
            )
        try:
            defaulted = default_advancedcronjob(request.object)
        except Exception as err:  # a defaulting bug must not become a 500
            log.exception("defaulting failed", namespace=request.namespace, name=request.name)
            return AdmissionResponse.deny(
                f"cannot default AdvancedCronJob: {err}", code=400, reason="BadRequest"
            )
        return AdmissionResponse.patch_from(request.object, defaulted)
