"""Event handlers turn an object's event into reconcile requests on a queue."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from kruise.runtime.reconcile import Request

Obj = dict[str, Any]


class RequestQueue(Protocol):
    """Where handlers put requests: the controller's work queue, or a list in a test."""

    def add(self, item: Request) -> None:
        """Enqueue ``item``; a request already waiting is not queued twice."""
        ...


class EventHandler(Protocol):
    """Maps each event of a watched kind to the requests it should trigger."""

    def create(self, obj: Obj, queue: RequestQueue) -> None:
        """An object was added (also every existing object when the watch starts)."""
        ...

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        """An object changed; ``old`` is the state before the change."""
        ...

    def delete(self, obj: Obj, queue: RequestQueue) -> None:
        """An object was deleted; ``obj`` is the last state seen."""
        ...

    def generic(self, obj: Obj, queue: RequestQueue) -> None:
        """An event from outside the API server, such as a ``Channel`` source."""
        ...


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
        """The object's own namespace and name."""
        return [Request.from_object(obj)]

    def update(self, old: Obj, new: Obj, queue: RequestQueue) -> None:
        """Enqueue the new object only: an update cannot change its name."""
        queue.add(Request.from_object(new))


@dataclass
class EnqueueRequestForOwner(_PerObject):
    """Reconcile the owner of the given group and kind (only the controlling owner by
    default), so a CloneSet hears about its pods."""

    owner_group: str
    owner_kind: str
    only_controller: bool = True

    def requests(self, obj: Obj) -> Iterable[Request]:
        """One request per matching owner reference, in the object's namespace."""
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
        """What ``map_fn`` returns for ``obj``."""
        return list(self.map_fn(obj))
