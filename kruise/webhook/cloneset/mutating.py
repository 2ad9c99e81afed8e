"""The CloneSet mutating webhook: fills defaults and answers with the JSON patch.

A v1alpha1 request gets v1alpha1's defaults, a v1beta1 one v1beta1's (OpenKruise v1.9's
``SetDefaultsCloneSetV1beta1``: the same values in v1beta1's spelling).
"""

from __future__ import annotations

from kruise.apis.apps.defaults import default_cloneset, default_cloneset_v1beta1
from kruise.runtime.log import get_logger
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse
from kruise.webhook.versions import V1BETA1, request_api_version

log = get_logger("webhook.cloneset")


class CloneSetDefaulter:
    """Defaults CloneSets on create and update."""

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        if request.operation not in ("CREATE", "UPDATE") or request.sub_resource:
            return AdmissionResponse.allow()
        if not isinstance(request.object, dict):
            return AdmissionResponse.deny(
                "the request carries no CloneSet object", code=400, reason="BadRequest"
            )
        v1beta1 = request_api_version(request, request.object) == V1BETA1
        defaults = default_cloneset_v1beta1 if v1beta1 else default_cloneset
        try:
            defaulted = defaults(request.object)
        except Exception as err:  # a defaulting bug must not become a 500
            log.exception("defaulting failed", namespace=request.namespace, name=request.name)
            return AdmissionResponse.deny(
                f"cannot default CloneSet: {err}", code=400, reason="BadRequest"
            )
        return AdmissionResponse.patch_from(request.object, defaulted)
