"""Event handlers: plain callables the informer calls as it applies each change.

Handlers run inline on the event loop, in the order changes are applied, so they
must be quick and must not block: the usual handler computes a key and adds it to a
work queue. The objects they get are the cache's own; do not change them. An
exception in a handler is logged and the informer carries on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kruise.runtime.cache.store import object_key
from kruise.runtime.client.types import KubeObject
from kruise.runtime.log import get_logger

OnAdd = Callable[[KubeObject], object]
OnUpdate = Callable[[KubeObject, KubeObject], object]
OnDelete = Callable[[KubeObject], object]

log = get_logger("kruise.runtime.cache")


@dataclass(eq=False)
class EventHandler:
    """The callables for one registration; any may be None. Returned by
    ``Informer.add_event_handler`` and accepted by ``remove_event_handler``."""

    on_add: OnAdd | None = None
    on_update: OnUpdate | None = None
    on_delete: OnDelete | None = None


class Handlers:
    """The registered handlers of one informer, and the fan-out to them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[EventHandler] = []

    def __len__(self) -> int:
        return len(self._handlers)

    def add(self, handler: EventHandler, existing: Iterable[KubeObject]) -> None:
        """Register ``handler`` and give it every ``existing`` object as an add."""
        self._handlers.append(handler)
        if handler.on_add is not None:
            for obj in existing:
                self._call("add", handler.on_add, obj)

    def remove(self, handler: EventHandler) -> bool:
        """Unregister ``handler``; False if it was not registered."""
        try:
            self._handlers.remove(handler)
        except ValueError:
            return False
        return True

    def added(self, obj: KubeObject) -> None:
        """Call every ``on_add`` with ``obj``."""
        for handler in self._handlers:
            if handler.on_add is not None:
                self._call("add", handler.on_add, obj)

    def updated(self, old: KubeObject, new: KubeObject) -> None:
        """Call every ``on_update`` with the old and the new object."""
        for handler in self._handlers:
            if handler.on_update is not None:
                self._call("update", handler.on_update, old, new)

    def deleted(self, obj: KubeObject) -> None:
        """Call every ``on_delete`` with the deleted object."""
        for handler in self._handlers:
            if handler.on_delete is not None:
                self._call("delete", handler.on_delete, obj)

    def _call(self, event: str, fn: Callable[..., object], *objs: KubeObject) -> None:
        try:
            fn(*objs)
        except Exception:
            log.exception(
                "event handler failed",
                informer=self.name,
                event_type=event,
                key=object_key(objs[-1]),
            )
