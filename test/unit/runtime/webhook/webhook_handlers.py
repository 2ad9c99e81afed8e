"""Handlers and reviews the live-server tests share."""

from __future__ import annotations

import asyncio
import copy
import uuid
from typing import Any

from kruise.runtime.webhook import AdmissionRequest, AdmissionResponse, ConversionError


class Labeller:
    """Mutating: adds ``mutated: "true"``; label ``explode`` raises, ``slow`` hangs."""

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        obj = request.object or {}
        labels = obj.get("metadata", {}).get("labels") or {}
        if "explode" in labels:
            raise RuntimeError("boom")
        if "slow" in labels:
            await asyncio.sleep(30)
        mutated = copy.deepcopy(obj)
        mutated.setdefault("metadata", {}).setdefault("labels", {})["mutated"] = "true"
        return AdmissionResponse.patch_from(obj, mutated)


class Denier:
    """Validating: refuses label ``deny: "yes"`` with a field error."""

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        labels = (request.object or {}).get("metadata", {}).get("labels") or {}
        if labels.get("deny") == "yes":
            return AdmissionResponse.invalid(
                {
                    "field": "metadata.labels.deny",
                    "reason": "FieldValueForbidden",
                    "message": 'Forbidden: "yes" is not allowed here',
                }
            )
        return AdmissionResponse.allow()


class SizeConverter:
    """example.io v1 ``spec.size`` (a string) <-> v2 ``spec.replicas`` (a number)."""

    def convert(self, obj: dict[str, Any], desired_api_version: str) -> dict[str, Any]:
        out = {**obj, "apiVersion": desired_api_version}
        spec = obj.get("spec") or {}
        if desired_api_version.endswith("/v2"):
            size = str(spec.get("size", "0"))
            if not size.isdigit():
                raise ConversionError(f"spec.size {size!r} is not a number")
            out["spec"] = {"replicas": int(size)}
        else:
            out["spec"] = {"size": str(spec.get("replicas", 0))}
        return out


def admission_review(
    api_version: str = "admission.k8s.io/v1", labels: dict[str, str] | None = None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "cm"}
    if labels is not None:
        metadata["labels"] = labels
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}
    return {
        "apiVersion": api_version,
        "kind": "AdmissionReview",
        "request": {
            "uid": str(uuid.uuid4()),
            "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
            "resource": {"group": "", "version": "v1", "resource": "configmaps"},
            "name": "cm",
            "namespace": "default",
            "operation": "CREATE",
            "userInfo": {"username": "admin"},
            "object": obj,
            "oldObject": None,
            "dryRun": False,
        },
    }


def conversion_review(
    api_version: str = "apiextensions.k8s.io/v1", desired: str = "example.io/v2", count: int = 2
) -> dict[str, Any]:
    objects = [
        {
            "apiVersion": "example.io/v1",
            "kind": "Widget",
            "metadata": {"name": f"w{i}", "namespace": "default"},
            "spec": {"size": str(i)},
        }
        for i in range(count)
    ]
    return {
        "apiVersion": api_version,
        "kind": "ConversionReview",
        "request": {"uid": str(uuid.uuid4()), "desiredAPIVersion": desired, "objects": objects},
    }
