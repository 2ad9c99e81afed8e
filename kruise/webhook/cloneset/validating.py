"""The CloneSet validating webhook (v1alpha1 and v1beta1).

Pods newly named in ``spec.scaleStrategy.podsToDelete`` are read through the injected
``get_pod`` (namespace, name) -> pod or None, so the handler runs without a server in
tests; everything else is pure: :func:`validate_cloneset` for v1alpha1 (plus the check that
the ``apps.kruise.io/v1beta1-fields`` annotation is readable, since CloneSets are stored as
v1alpha1), :func:`validate_cloneset_v1beta1` (the same rules, v1beta1's field paths) for
v1beta1.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from kruise.apis.apps.validation.carrier import validate_carried_fields
from kruise.apis.apps.validation.cloneset import PodLookup, pods_to_look_up, validate_cloneset
from kruise.apis.apps.validation.cloneset_v1beta1 import validate_cloneset_v1beta1
from kruise.apis.apps.validation.field import ErrorList, aggregate, causes
from kruise.apis.apps.validation.meta import in_namespace
from kruise.runtime.log import get_logger
from kruise.runtime.meta import namespace_of
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse
from kruise.webhook.versions import V1BETA1, request_api_version, unreadable

log = get_logger("webhook.cloneset")

PodGetter = Callable[[str, str], Awaitable[Mapping[str, Any] | None]]
"""Reads a pod: ``await get_pod(namespace, name)`` is the pod, or None when it does not exist."""


def _validate_v1alpha1(
    new: Mapping[str, Any], old: Mapping[str, Any] | None, pods: Mapping[str, PodLookup]
) -> ErrorList:
    return validate_cloneset(new, old, pods) + validate_carried_fields(new, old)


class CloneSetValidator:
    """Validates CloneSets on create and update."""

    def __init__(self, get_pod: PodGetter) -> None:
        self._get_pod = get_pod

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        if request.operation not in ("CREATE", "UPDATE") or request.sub_resource:
            return AdmissionResponse.allow()
        if not isinstance(request.object, dict):
            return AdmissionResponse.deny(
                "the request carries no CloneSet object", code=400, reason="BadRequest"
            )
        new = in_namespace(request.object, request.namespace)
        old = None
        if request.operation == "UPDATE":
            if not isinstance(request.old_object, dict):
                return AdmissionResponse.deny(
                    "the update request carries no old CloneSet object",
                    code=400,
                    reason="BadRequest",
                )
            old = in_namespace(request.old_object, request.namespace)
        v1beta1 = request_api_version(request, request.object) == V1BETA1
        validate = validate_cloneset_v1beta1 if v1beta1 else _validate_v1alpha1
        try:
            pods = await self._look_up(namespace_of(new), pods_to_look_up(new, old))
            errors = validate(new, old, pods)
        except ValueError as err:  # not readable as a CloneSet: the user's to fix
            return unreadable(err)
        except Exception as err:  # a validation bug must not become a 500
            log.exception("validation failed", namespace=request.namespace, name=request.name)
            return AdmissionResponse.deny(
                f"cannot validate CloneSet: {err}", code=400, reason="BadRequest"
            )
        if errors:
            return AdmissionResponse.invalid(causes(errors), message=aggregate(errors))
        return AdmissionResponse.allow()

    async def _look_up(self, namespace: str, names: list[str]) -> dict[str, PodLookup]:
        if not names:  # every create, and most updates: nothing to gather
            return {}

        async def one(name: str) -> PodLookup:
            try:
                return PodLookup(pod=await self._get_pod(namespace, name))
            except Exception as err:
                return PodLookup(error=str(err) or type(err).__name__)

        found = await asyncio.gather(*(one(name) for name in names))
        return dict(zip(names, found, strict=True))
