"""Event handlers turn an object's event into reconcile requests on a queue."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from kruise.runtime.reconcile import Request

Obj = dict[str, Any]


class RequestQueue(Protocol):
    def add(self, item: Request) -> None: ...


class EventHandler(Protocol):
    def create(self, obj: Obj, queue: RequestQueue) -> None: ...
    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None: ...
    def delete(self, obj: Obj, queue: RequestQueue) -> None: ...
    def generic(self, obj: Obj, queue: RequestQueue) -> None: ...


class _PerObject(abc.ABC):
    """Handlers whose requests depend on one object at a time (both, for updates)."""

    @abc.abstractmethod
    def requests(self, obj: Obj) -> Iterable[Request]: ...

    def create(self, obj: Obj, queue: RequestQueue) -> None:
        for request in self.requests(obj):
            queue.add(request)

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        for request in {*self.requests(old), *self.requests(new)}:
            queue.add(request)

    def delete(self, obj: Obj, queue: RequestQueue) -> None:
        self.create(obj, queue)

    def generic(self, obj: Obj, queue: RequestQueue) -> None:
        self.create(obj, queue)


class EnqueueRequestForObject(_PerObject):
    """Reconcile the object the event is about."""

    def requests(self, obj: Obj) -> Iterable[Request]:
        return [Request.from_object(obj)]

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        queue.add(Request.from_object(new))


@dataclass
class EnqueueRequestForOwner(_PerObject):
    """Reconcile the owner of the given group and kind (only the controlling owner by
    default), so a CloneSet hears about its pods."""

    owner_group: str
    owner_kind: str
    only_controller: bool = True

    def requests(self, obj: Obj) -> Iterable[Request]:
        meta = obj.get("metadata") or {}
        namespace = str(meta.get("namespace") or "")
        found = []
        for ref in meta.get("ownerReferences") or []:
            if self.only_controller and not ref.get("controller"):
                continue
            group = str(ref.get("apiVersion", "")).rpartition("/")[0]
            if ref.get("kind") == self.owner_kind and group == self.owner_group:
                found.append(Request(namespace, str(ref["name"])))
        return found


@dataclass
class EnqueueRequestsFromMapFunc(_PerObject):
    """Reconcile whatever ``map_fn`` says an object concerns."""

    map_fn: Callable[[Obj], Iterable[Request]]

    def requests(self, obj: Obj) -> Iterable[Request]:
        return list(self.map_fn(obj))
