"""AdmissionReview and ConversionReview bodies as the API server sends them.

The admission request is a CREATE of ConfigMap ``ns/cm``; the conversion request carries
``example.io`` Widgets, whose v1 ``spec.size`` (a string) is v2's ``spec.replicas``.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]
ADMISSION_UID = "0df28fbd-5f5f-11e8-bc74-36e6bb280816"
CONVERSION_UID = "u-1"


def configmap(labels: dict[str, str] | None = None) -> Obj:
    metadata: Obj = {"name": "cm"}
    if labels is not None:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}


def admission_review(
    api_version: str = "admission.k8s.io/v1",
    *,
    labels: dict[str, str] | None = None,
    **request: Any,
) -> Obj:
    """An AdmissionReview creating ``configmap(labels)``; ``request`` replaces fields of
    the request (``uid``, ``operation``, ``object``...)."""
    body: Obj = {
        "uid": ADMISSION_UID,
        "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
        "resource": {"group": "", "version": "v1", "resource": "configmaps"},
        "name": "cm",
        "namespace": "ns",
        "operation": "CREATE",
        "userInfo": {"username": "admin", "groups": ["system:masters"]},
        "object": configmap(labels),
        "oldObject": None,
        "dryRun": False,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
    }
    body.update(request)
    return {"apiVersion": api_version, "kind": "AdmissionReview", "request": body}


def widget(version: str, name: str = "w", **spec: Any) -> Obj:
    return {
        "apiVersion": f"example.io/{version}",
        "kind": "Widget",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": spec,
    }


def widgets(count: int) -> list[Obj]:
    """``count`` v1 Widgets ``w0``, ``w1``... of size 0, 1..."""
    return [widget("v1", f"w{i}", size=str(i)) for i in range(count)]


def conversion_review(
    objects: Any,
    *,
    desired: Any = "example.io/v2",
    api_version: str = "apiextensions.k8s.io/v1",
) -> Obj:
    """A ConversionReview of ``objects`` to ``desired`` (any values: tests send bad ones)."""
    return {
        "apiVersion": api_version,
        "kind": "ConversionReview",
        "request": {"uid": CONVERSION_UID, "desiredAPIVersion": desired, "objects": objects},
    }
