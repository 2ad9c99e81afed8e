"""Admission reviews: the request a handler sees, the response it gives, and the wire format.

``admission.k8s.io/v1`` and ``v1beta1`` AdmissionReviews have the same shape; a request
is answered in the apiVersion it came in. A handler that raises or times out denies the
request with code 500, as controller-runtime answers a recovered panic.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kruise.runtime.log import get_logger
from kruise.runtime.webhook import jsonpatch
from kruise.runtime.webhook._review import (
    ReviewError,
    dump,
    error_text,
    optional,
    required,
    review_envelope,
    short,
    string_map,
)

log = get_logger("webhook.admission")

ADMISSION_VERSIONS = frozenset({"admission.k8s.io/v1", "admission.k8s.io/v1beta1"})
OPERATIONS = frozenset({"CREATE", "UPDATE", "DELETE", "CONNECT"})

Cause = Mapping[str, str]


@dataclass(frozen=True)
class AdmissionRequest:
    """What a handler is asked: the AdmissionReview's ``request``, parsed and checked."""

    uid: str
    kind: dict[str, str]  # group, version, kind
    resource: dict[str, str]  # group, version, resource
    sub_resource: str
    name: str
    namespace: str
    operation: str  # CREATE | UPDATE | DELETE | CONNECT
    user_info: dict[str, Any]
    object: dict[str, Any] | None
    old_object: dict[str, Any] | None
    dry_run: bool
    api_version: str  # of the AdmissionReview: admission.k8s.io/v1 or v1beta1


@dataclass(frozen=True)
class AdmissionResponse:
    """A handler's answer; build it with ``allow``, ``deny``, ``invalid`` or ``patch_from``."""

    allowed: bool
    code: int = 200
    reason: str = ""
    message: str = ""
    causes: tuple[dict[str, str], ...] = ()  # {"field", "reason" (or "type"), "message"}
    patch: list[dict[str, Any]] | None = None  # RFC 6902 operations
    warnings: tuple[str, ...] = ()

    @classmethod
    def allow(cls, message: str = "", *, warnings: Iterable[str] = ()) -> AdmissionResponse:
        """Admit the request as it is."""
        if cls is AdmissionResponse and not message and warnings == ():
            return _ALLOWED  # frozen, so one instance serves every plain admission
        return cls(allowed=True, message=message, warnings=tuple(warnings))

    @classmethod
    def deny(
        cls,
        message: str,
        *,
        code: int = 403,
        reason: str = "Forbidden",
        causes: Iterable[Cause] = (),
        warnings: Iterable[str] = (),
    ) -> AdmissionResponse:
        """Refuse the request (403 Forbidden unless ``code`` and ``reason`` say otherwise)."""
        return cls(
            allowed=False,
            code=code,
            reason=reason,
            message=message,
            causes=tuple(_cause(c) for c in causes),
            warnings=tuple(warnings),
        )

    @classmethod
    def invalid(
        cls, *causes: Cause | Iterable[Cause], message: str = "", warnings: Iterable[str] = ()
    ) -> AdmissionResponse:
        """422 Invalid. Causes come one per argument or as one list; without ``message``
        they are joined the way Kubernetes prints a field error list."""
        flat = tuple(
            _cause(c)
            for group in causes
            for c in ((group,) if isinstance(group, Mapping) else group)
        )
        return cls(
            allowed=False,
            code=422,
            reason="Invalid",
            message=message or field_errors_message(flat),
            causes=flat,
            warnings=tuple(warnings),
        )

    @classmethod
    def patch_from(
        cls, original: dict[str, Any], mutated: dict[str, Any], *, warnings: Iterable[str] = ()
    ) -> AdmissionResponse:
        """Allow, with the JSON patch that turns ``original`` into ``mutated``."""
        return cls(allowed=True, patch=jsonpatch.diff(original, mutated), warnings=tuple(warnings))


_ALLOWED = AdmissionResponse(allowed=True)


class AdmissionHandler(Protocol):
    """A validating or mutating webhook, registered on a path of ``WebhookServer``.

    A handler that raises or takes too long is answered with a denial (code 500) and the
    server keeps serving.
    """

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        """The answer to one admission request."""
        ...


def _cause(cause: Cause) -> dict[str, str]:
    """A metav1.StatusCause: field, reason (``type`` is accepted for it) and message."""
    out = {"field": str(cause.get("field", ""))}
    reason = cause.get("reason", cause.get("type", ""))
    if reason:
        out["reason"] = str(reason)
    out["message"] = str(cause.get("message", ""))
    return out


def field_errors_message(causes: tuple[dict[str, str], ...]) -> str:
    """``field: message`` for one cause, ``[a, b]`` for several, as apimachinery prints."""
    parts = [f"{c['field']}: {c['message']}" if c["field"] else c["message"] for c in causes]
    if len(parts) == 1:
        return parts[0]
    return "[" + ", ".join(parts) + "]" if parts else "invalid"


def decode_request(body: Any) -> AdmissionRequest:
    """An AdmissionRequest from a parsed AdmissionReview; ReviewError if it is malformed."""
    api_version, req = review_envelope(body, "AdmissionReview", ADMISSION_VERSIONS)
    where = "request."
    operation = required(req, "operation", str, where)
    if operation not in OPERATIONS:
        raise ReviewError(
            f"request.operation {short(operation)} is not one of {sorted(OPERATIONS)}"
        )
    return AdmissionRequest(
        uid=required(req, "uid", str, where),
        kind=string_map(req, "kind", where),
        resource=string_map(req, "resource", where),
        sub_resource=optional(req, "subResource", str, where) or "",
        name=optional(req, "name", str, where) or "",
        namespace=optional(req, "namespace", str, where) or "",
        operation=operation,
        user_info=optional(req, "userInfo", dict, where) or {},
        object=optional(req, "object", dict, where),
        old_object=optional(req, "oldObject", dict, where),
        dry_run=optional(req, "dryRun", bool, where) or False,
        api_version=api_version,
    )


def encode_response(request: AdmissionRequest, response: AdmissionResponse) -> dict[str, Any]:
    """The AdmissionReview answering ``request``; raises if the response cannot be JSON."""
    status: dict[str, Any] = {"code": response.code}
    if not response.allowed:
        status["status"] = "Failure"
        if response.code < 400:  # a denial is never a success code
            status["code"] = 403
    if response.reason:
        status["reason"] = response.reason
    if response.message:
        status["message"] = response.message
    if response.causes:
        status["details"] = {"causes": [dict(c) for c in response.causes]}
    body: dict[str, Any] = {"uid": request.uid, "allowed": response.allowed, "status": status}
    if response.patch:
        if not response.allowed:
            raise ValueError("a denial cannot carry a patch")
        raw = json.dumps(response.patch, separators=(",", ":"), allow_nan=False)
        body["patch"] = base64.b64encode(raw.encode()).decode()
        body["patchType"] = "JSONPatch"
    if response.warnings:
        body["warnings"] = list(response.warnings)
    return {"apiVersion": request.api_version, "kind": "AdmissionReview", "response": body}


def errored(request: AdmissionRequest, message: str) -> bytes:
    """A denial with code 500: how a handler's own failure is answered."""
    return dump(
        encode_response(request, AdmissionResponse(allowed=False, code=500, message=message))
    )


async def review(
    handler: AdmissionHandler,
    request: AdmissionRequest,
    *,
    handler_timeout: float,
    on_panic: Callable[[], None] | None = None,
) -> bytes:
    """Run ``handler`` on ``request``; the encoded AdmissionReview that answers it.

    Never raises for the handler's faults: an exception, a timeout, a wrong return type
    or a response that is not JSON all become a denial with code 500.
    """
    deadline = asyncio.timeout(handler_timeout)
    try:
        try:
            async with deadline:
                response = await handler.handle(request)
        except TimeoutError:
            if not deadline.expired():
                raise  # the handler's own timeout: an error like any other
            log.error("admission handler timed out", uid=request.uid, timeout=handler_timeout)
            return errored(request, f"admission handler did not answer within {handler_timeout:g}s")
        if not isinstance(response, AdmissionResponse):
            raise TypeError(f"handler returned {type(response).__name__}, not AdmissionResponse")
        return dump(encode_response(request, response))
    except Exception as err:
        if on_panic is not None:
            on_panic()
        log.exception(
            "admission handler failed",
            uid=request.uid,
            kind=request.kind.get("kind", ""),
            namespace=request.namespace,
            name=request.name,
        )
        return errored(request, f"internal error: {error_text(err)}")
