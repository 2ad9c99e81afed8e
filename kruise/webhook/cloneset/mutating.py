"""The CloneSet mutating webhook: fills defaults and answers with the JSON patch.

A v1alpha1 request gets v1alpha1's defaults, a v1beta1 one v1beta1's (OpenKruise v1.9's
``SetDefaultsCloneSetV1beta1``: the same values in v1beta1's spelling).

The pod and claim templates are defaulted on a create, and on an update only when the
pod template changes, as OpenKruise v1.9 does under its default feature gates
(``TemplateNoDefaults`` off): an update that leaves the template alone, such as a scale,
must not rewrite a template OpenKruise stored, which would make a new revision.
"""

from __future__ import annotations

from kruise.apis.apps.defaults import default_cloneset, default_cloneset_v1beta1
from kruise.runtime.log import get_logger
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse
from kruise.webhook.templates import template_changed
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
            old = request.old_object if request.operation == "UPDATE" else None
            inject = template_changed(request.object, old)
            defaulted = defaults(request.object, inject_template_defaults=inject)
        except Exception as err:  # a defaulting bug must not become a 500
            log.exception("defaulting failed", namespace=request.namespace, name=request.name)
            return AdmissionResponse.deny(
                f"cannot default CloneSet: {err}", code=400, reason="BadRequest"
            )
        return AdmissionResponse.patch_from(request.object, defaulted)
