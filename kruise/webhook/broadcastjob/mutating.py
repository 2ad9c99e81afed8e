"""The BroadcastJob mutating webhook: fills defaults and answers with the JSON patch."""

from __future__ import annotations

from kruise.apis.apps.defaults import default_broadcastjob
from kruise.runtime.log import get_logger
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse

log = get_logger("webhook.broadcastjob")


class BroadcastJobDefaulter:
    """Defaults BroadcastJobs on create and update."""

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        if request.operation not in ("CREATE", "UPDATE") or request.sub_resource:
            return AdmissionResponse.allow()
        if not isinstance(request.object, dict):
            return AdmissionResponse.deny(
                "the request carries no BroadcastJob object", code=400, reason="BadRequest"
            )
        try:
            defaulted = default_broadcastjob(request.object)
        except Exception as err:  # a defaulting bug must not become a 500
            log.exception("defaulting failed", namespace=request.namespace, name=request.name)
            return AdmissionResponse.deny(
                f"cannot default BroadcastJob: {err}", code=400, reason="BadRequest"
            )
        return AdmissionResponse.patch_from(request.object, defaulted)
