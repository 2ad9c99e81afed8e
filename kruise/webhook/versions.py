"""Which apps.kruise.io version an admission request is in.

Every kind is served as v1alpha1 and v1beta1, and one webhook path serves both: the
request's ``resource.version`` says which one the client wrote (the object's own
``apiVersion`` when the request does not say).
"""

from __future__ import annotations

import re
from typing import Any, Final

from kruise.apis.apps.conversion import V1ALPHA1, V1BETA1
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse

GROUP: Final = "apps.kruise.io"

__all__ = ["V1ALPHA1", "V1BETA1", "request_api_version", "unreadable"]

# A field path as conversion errors begin: metadata.annotations[apps.kruise.io/x], kind...
_FIELD_PATH = re.compile(r"[A-Za-z][\w.\[\]/-]*")


def request_api_version(request: AdmissionRequest, obj: dict[str, Any] | None) -> str:
    """The apiVersion the request is in: ``apps.kruise.io/<resource.version>``."""
    version = request.resource.get("version") or request.kind.get("version")
    if version:
        return f"{GROUP}/{version}"
    api_version = obj.get("apiVersion") if isinstance(obj, dict) else None
    return str(api_version or V1BETA1)


def unreadable(err: ValueError) -> AdmissionResponse:
    """422 Invalid for an object that cannot be read in the other version; conversion
    errors say ``field: detail``, and the field becomes the cause's, as a field error's."""
    message = str(err)
    field, colon, detail = message.partition(": ")
    if not colon or not _FIELD_PATH.fullmatch(field):
        field, detail = "", message
    return AdmissionResponse.invalid({"field": field, "message": detail}, message=message)
