"""Pod and claim events: settle expectations, then wake the owning CloneSet.

A create settles a scale-create expectation, a delete (or a deletion timestamp, which is
when the controller's delete took effect) a scale-delete one; every pod update feeds the
resourceVersion expectations. Pods and claims of no CloneSet are ignored: a CloneSet
only manages what it created (OpenKruise lists pods by owner UID and never adopts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.v1alpha1 import GROUP
from kruise.controller.cloneset.instances import CLONESET_KIND
from kruise.runtime.controller.handler import RequestQueue
from kruise.runtime.expectations import (
    ResourceVersionExpectations,
    ScaleAction,
    ScaleExpectations,
    UpdateExpectations,
)
from kruise.runtime.meta import name_of, namespace_of, resource_version_of
from kruise.runtime.reconcile import Request
from kruise.util.controllerref import controller_of
from kruise.util.pods import is_terminating

Obj = dict[str, Any]


def owner_request(obj: Mapping[str, Any]) -> Request | None:
    """The CloneSet that controls ``obj``, if one does."""
    ref = controller_of(obj)
    if ref is None or ref.get("kind") != CLONESET_KIND:
        return None
    if str(ref.get("apiVersion", "")).rpartition("/")[0] != GROUP:
        return None
    return Request(namespace_of(obj), str(ref["name"]))


class PodEventHandler:
    def __init__(
        self,
        scale: ScaleExpectations,
        update: UpdateExpectations,
        resource_versions: ResourceVersionExpectations,
    ) -> None:
        self.scale = scale
        self.update_expectations = update
        self.resource_versions = resource_versions

    def create(self, obj: Obj, queue: RequestQueue) -> None:
        if is_terminating(obj):
            self.delete(obj, queue)
            return
        request = owner_request(obj)
        if request is not None:
            self.scale.observe_scale(str(request), ScaleAction.CREATE, name_of(obj))
            queue.add(request)

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        if resource_version_of(old) == resource_version_of(new):
            return  # a resync: nothing changed
        self.resource_versions.observe(new)
        old_request, request = owner_request(old), owner_request(new)
        if is_terminating(new) and request is not None:
            self.scale.observe_scale(str(request), ScaleAction.DELETE, name_of(new))
        if old_request is not None and old_request != request:
            queue.add(old_request)
        if request is not None:
            queue.add(request)

    def delete(self, obj: Obj, queue: RequestQueue) -> None:
        self.resource_versions.delete(obj)
        request = owner_request(obj)
        if request is None:
            return
        key = str(request)
        self.scale.observe_scale(key, ScaleAction.DELETE, name_of(obj))
        self.update_expectations.delete_object(key, obj)
        queue.add(request)

    def generic(self, obj: Obj, queue: RequestQueue) -> None:
        request = owner_request(obj)
        if request is not None:
            queue.add(request)


class ClaimEventHandler:
    """PersistentVolumeClaims: settle scale expectations and wake the owner, which may
    be waiting for exactly this claim."""

    def __init__(self, scale: ScaleExpectations) -> None:
        self.scale = scale

    def create(self, obj: Obj, queue: RequestQueue) -> None:
        if is_terminating(obj):
            self.delete(obj, queue)
            return
        request = owner_request(obj)
        if request is not None:
            self.scale.observe_scale(str(request), ScaleAction.CREATE, name_of(obj))
            queue.add(request)

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        if is_terminating(new) and not is_terminating(old):
            self.delete(new, queue)

    def delete(self, obj: Obj, queue: RequestQueue) -> None:
        request = owner_request(obj)
        if request is not None:
            self.scale.observe_scale(str(request), ScaleAction.DELETE, name_of(obj))
            queue.add(request)

    def generic(self, obj: Obj, queue: RequestQueue) -> None:
        return None
