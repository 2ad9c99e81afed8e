"""Admission requests for kruise's webhook handlers as the API server sends them, and
sample objects (not yet defaulted) to put in them."""

from __future__ import annotations

import copy
from typing import Any

from kruise.runtime.webhook import jsonpatch
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse, encode_response
from support import workloads

UID = "0d6c4b52-1111-4000-8000-00000000abcd"
NS = "default"
IMAGE = "nginx:1.19"


def request(
    obj: dict[str, Any] | None,
    *,
    operation: str = "CREATE",
    old: dict[str, Any] | None = None,
    kind: str = "",
    version: str = "v1alpha1",
    namespace: str = "default",
    sub_resource: str = "",
) -> AdmissionRequest:
    source = obj or old or {}
    kind = kind or str(source.get("kind", ""))
    metadata = source.get("metadata")
    return AdmissionRequest(
        uid="req-1",
        kind={"group": workloads.GROUP, "version": version, "kind": kind},
        resource={
            "group": workloads.GROUP,
            "version": version,
            "resource": workloads.PLURALS.get(kind, ""),
        },
        sub_resource=sub_resource,
        name=str(metadata.get("name", "")) if isinstance(metadata, dict) else "",
        namespace=namespace,
        operation=operation,
        user_info={"username": "tester"},
        object=copy.deepcopy(obj),
        old_object=copy.deepcopy(old),
        dry_run=False,
        api_version="admission.k8s.io/v1",
    )


def patched(req: AdmissionRequest, response: AdmissionResponse) -> Any:
    """The request's object after the response's patch."""
    assert response.allowed, response.message
    return jsonpatch.apply(copy.deepcopy(req.object), response.patch or [])


async def wire(handler: Any, req: AdmissionRequest) -> dict[str, Any]:
    """The AdmissionReview response the server would send for ``req``."""
    response: dict[str, Any] = encode_response(req, await handler.handle(req))["response"]
    return response


def cloneset(**spec: Any) -> dict[str, Any]:
    return workloads.cloneset(**{"replicas": 3, **spec}, image=IMAGE, namespace=NS, uid=UID)


def statefulset(version: str = "v1beta1", **spec: Any) -> dict[str, Any]:
    return workloads.statefulset(
        **{"replicas": 3, **spec}, version=version, image=IMAGE, namespace=NS, uid=UID
    )


def broadcastjob(restart_policy: str = "Never", **spec: Any) -> dict[str, Any]:
    return workloads.broadcastjob(restart_policy=restart_policy, image=IMAGE, namespace=NS, **spec)


def advancedcronjob(schedule: str = "*/5 * * * *", **spec: Any) -> dict[str, Any]:
    return workloads.advancedcronjob(schedule=schedule, image=IMAGE, namespace=NS, **spec)
