"""Admission requests as the API server sends them, and sample objects to put in them."""

from __future__ import annotations

import copy
from typing import Any

from kruise.runtime.webhook import jsonpatch
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse, encode_response

GROUP = "apps.kruise.io"
UID = "0d6c4b52-1111-4000-8000-00000000abcd"
POD = {
    "metadata": {"labels": {"app": "demo"}},
    "spec": {"containers": [{"name": "main", "image": "nginx:1.19"}]},
}
_RESOURCES = {
    "CloneSet": "clonesets",
    "StatefulSet": "statefulsets",
    "BroadcastJob": "broadcastjobs",
    "AdvancedCronJob": "advancedcronjobs",
}


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
        kind={"group": GROUP, "version": version, "kind": kind},
        resource={"group": GROUP, "version": version, "resource": _RESOURCES.get(kind, "")},
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
    return {
        "apiVersion": f"{GROUP}/v1alpha1",
        "kind": "CloneSet",
        "metadata": {"name": "demo", "namespace": "default", "uid": UID},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "demo"}},
            "template": copy.deepcopy(POD),
            **spec,
        },
    }


def statefulset(version: str = "v1beta1", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{version}",
        "kind": "StatefulSet",
        "metadata": {"name": "demo", "namespace": "default", "uid": UID},
        "spec": {
            "replicas": 3,
            "serviceName": "demo",
            "selector": {"matchLabels": {"app": "demo"}},
            "template": copy.deepcopy(POD),
            **spec,
        },
    }


def broadcastjob(restart_policy: str = "Never", **spec: Any) -> dict[str, Any]:
    pod = copy.deepcopy(POD)
    pod["spec"]["restartPolicy"] = restart_policy
    return {
        "apiVersion": f"{GROUP}/v1alpha1",
        "kind": "BroadcastJob",
        "metadata": {"name": "demo", "namespace": "default"},
        "spec": {"template": pod, **spec},
    }


def advancedcronjob(schedule: str = "*/5 * * * *", **spec: Any) -> dict[str, Any]:
    pod = copy.deepcopy(POD)
    pod["spec"]["restartPolicy"] = "Never"
    return {
        "apiVersion": f"{GROUP}/v1alpha1",
        "kind": "AdvancedCronJob",
        "metadata": {"name": "demo", "namespace": "default"},
        "spec": {
            "schedule": schedule,
            "template": {"jobTemplate": {"spec": {"template": pod}}},
            **spec,
        },
    }
