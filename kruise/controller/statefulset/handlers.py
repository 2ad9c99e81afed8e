"""Pod and claim events: settle expectations, then wake the set they belong to.

A pod wakes the Advanced StatefulSet that controls it; an orphan whose name is
``<set>-<ordinal>`` wakes the set of that name, which may adopt it. Every pod update feeds
the resourceVersion expectations; a deleted pod leaves the update expectations. A claim
wakes the set or the pod's set it is owned by (or the set its
``apps.kruise.io/owned-by-asts`` annotation names), so a pod waiting for a stale claim to
be garbage collected is created once the claim is gone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kruise.apis.apps.v1beta1 import API_VERSION
from kruise.controller.statefulset.identity import STATEFULSET_KIND, parent_and_ordinal
from kruise.controller.statefulset.retention import POD_KIND
from kruise.runtime.controller.handler import RequestQueue
from kruise.runtime.expectations import ResourceVersionExpectations, UpdateExpectations
from kruise.runtime.meta import name_of, namespace_of, owner_references_of, resource_version_of
from kruise.runtime.reconcile import Request
from kruise.util.controllerref import controller_of

Obj = dict[str, Any]
PVC_OWNED_BY_ASTS_ANNOTATION = "apps.kruise.io/owned-by-asts"
_GROUP = API_VERSION.split("/")[0]


def _is_set_ref(ref: Mapping[str, Any]) -> bool:
    return (
        ref.get("kind") == STATEFULSET_KIND
        and str(ref.get("apiVersion", "")).rpartition("/")[0] == _GROUP
    )


def owner_request(pod: Mapping[str, Any]) -> Request | None:
    """The set that controls ``pod``; for an orphan, the set its name points at."""
    ref = controller_of(pod)
    if ref is not None:
        return Request(namespace_of(pod), str(ref["name"])) if _is_set_ref(ref) else None
    parent, ordinal = parent_and_ordinal(name_of(pod))
    return Request(namespace_of(pod), parent) if ordinal >= 0 and parent else None


class PodEventHandler:
    def __init__(
        self, update: UpdateExpectations, resource_versions: ResourceVersionExpectations
    ) -> None:
        self.update_expectations = update
        self.resource_versions = resource_versions

    def create(self, obj: Obj, queue: RequestQueue) -> None:
        request = owner_request(obj)
        if request is not None:
            queue.add(request)

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        if resource_version_of(old) == resource_version_of(new):
            return  # a resync: nothing changed
        self.resource_versions.observe(new)
        old_request, request = owner_request(old), owner_request(new)
        if old_request is not None and old_request != request:
            queue.add(old_request)
        if request is not None:
            queue.add(request)

    def delete(self, obj: Obj, queue: RequestQueue) -> None:
        self.resource_versions.delete(obj)
        request = owner_request(obj)
        if request is None:
            return
        self.update_expectations.delete_object(str(request), obj)
        queue.add(request)

    def generic(self, obj: Obj, queue: RequestQueue) -> None:
        self.create(obj, queue)


def claim_requests(claim: Mapping[str, Any]) -> Iterator[Request]:
    namespace = namespace_of(claim)
    for ref in owner_references_of(claim):
        if _is_set_ref(ref):
            yield Request(namespace, str(ref.get("name")))
        elif ref.get("kind") == POD_KIND and ref.get("apiVersion") == "v1":
            parent, ordinal = parent_and_ordinal(str(ref.get("name") or ""))
            if ordinal >= 0 and parent:
                yield Request(namespace, parent)
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    owner = annotations.get(PVC_OWNED_BY_ASTS_ANNOTATION)
    if owner:
        yield Request(namespace, str(owner))


class ClaimEventHandler:
    """Claims: wake the sets they belong to when they change or go."""

    def create(self, obj: Obj, queue: RequestQueue) -> None:
        return None

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        if resource_version_of(old) == resource_version_of(new):
            return
        for request in {*claim_requests(old), *claim_requests(new)}:
            queue.add(request)

    def delete(self, obj: Obj, queue: RequestQueue) -> None:
        for request in set(claim_requests(obj)):
            queue.add(request)

    def generic(self, obj: Obj, queue: RequestQueue) -> None:
        return None
