"""The Advanced StatefulSet mutating webhook (v1alpha1 and v1beta1).

The object is defaulted in its v1beta1 form, its status is dropped (the API server keeps
the stored status anyway), and for a v1alpha1 request it is converted back before the
patch is computed against what the client sent.

The pod and claim templates are defaulted on a create, and on an update only when the
pod template changes, as OpenKruise v1.9 does under its default feature gates
(``TemplateNoDefaults`` off): an update that leaves the template alone, such as a scale,
must not rewrite a template OpenKruise stored, which would make a new revision. The
template is the same field in v1alpha1 and v1beta1, so it is compared as sent.
"""

from __future__ import annotations

from kruise.apis.apps.defaults import default_statefulset
from kruise.runtime.log import get_logger
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse
from kruise.webhook.statefulset.versions import from_v1beta1, request_api_version, to_v1beta1
from kruise.webhook.templates import template_changed
from kruise.webhook.versions import unreadable

log = get_logger("webhook.statefulset")


class StatefulSetDefaulter:
    """Defaults Advanced StatefulSets on create and update."""

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        if request.operation not in ("CREATE", "UPDATE") or request.sub_resource:
            return AdmissionResponse.allow()
        original = request.object
        if not isinstance(original, dict):
            return AdmissionResponse.deny(
                "the request carries no StatefulSet object", code=400, reason="BadRequest"
            )
        api_version = request_api_version(request, original)
        try:
            old = request.old_object if request.operation == "UPDATE" else None
            defaulted = default_statefulset(
                to_v1beta1(original, api_version),
                inject_template_defaults=template_changed(original, old),
            )
            defaulted.pop("status", None)
            mutated = from_v1beta1(defaulted, api_version, original)
        except ValueError as err:  # the object cannot be read as v1beta1: the user's to fix
            return unreadable(err)
        except Exception as err:  # a defaulting bug must not become a 500
            log.exception("defaulting failed", namespace=request.namespace, name=request.name)
            return AdmissionResponse.deny(
                f"cannot default StatefulSet: {err}", code=400, reason="BadRequest"
            )
        return AdmissionResponse.patch_from(original, mutated)
