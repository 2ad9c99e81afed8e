"""Webhook handlers for the webhook server's tests: a mutating, a validating and a
converting one. Label ``explode`` makes the mutating one raise, ``slow`` makes it hang."""

from __future__ import annotations

import asyncio
import copy
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
