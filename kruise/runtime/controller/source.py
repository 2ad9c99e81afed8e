"""Sources feed events into a controller: a cached kind, or a channel of objects."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

from kruise.runtime.cache import Cache
from kruise.runtime.client.resource import Resource
from kruise.runtime.controller.handler import EventHandler, RequestQueue
from kruise.runtime.controller.predicate import Predicate

Obj = dict[str, Any]


class Source(Protocol):
    """Where a controller's events come from; the controller starts and stops it."""

    def start(self, queue: RequestQueue) -> None:
        """Begin delivering events to ``queue``."""
        ...

    async def wait_for_sync(self) -> None:
        """Return once the source has delivered what existed at its start."""
        ...

    async def stop(self) -> None:
        """Stop delivering events."""
        ...


class Kind:
    """Events of one resource from the shared cache, filtered by predicates."""

    def __init__(
        self,
        cache: Cache,
        resource: Resource,
        handler: EventHandler,
        predicates: Sequence[Predicate] = (),
    ) -> None:
        self.cache = cache
        self.resource = resource
        self.handler = handler
        self.predicates = list(predicates)
        self._informer = cache.informer(resource)

    def start(self, queue: RequestQueue) -> None:
        """Register with the shared informer; objects already cached arrive as creates."""
        handler, predicates = self.handler, self.predicates

        def on_add(obj: Obj) -> None:
            if all(p.create(obj) for p in predicates):
                handler.create(obj, queue)

        def on_update(old: Obj, new: Obj) -> None:
            if all(p.update(old, new) for p in predicates):
                handler.update(old, new, queue)

        def on_delete(obj: Obj) -> None:
            if all(p.delete(obj) for p in predicates):
                handler.delete(obj, queue)

        self._registration = self._informer.add_event_handler(on_add, on_update, on_delete)

    async def wait_for_sync(self) -> None:
        """Return once the informer's first list has been applied."""
        await self._informer.wait_for_sync()

    async def stop(self) -> None:
        """Unregister from the informer, which keeps running for the cache's other users."""
        self._informer.remove_event_handler(self._registration)

    def __repr__(self) -> str:
        return f"Kind({self.resource.plural}.{self.resource.group or 'core'})"


class Channel:
    """Generic events pushed by code outside the cache (a timer, another controller)."""

    def __init__(
        self,
        events: asyncio.Queue[Obj],
        handler: EventHandler,
        predicates: Sequence[Predicate] = (),
    ) -> None:
        self.events = events
        self.handler = handler
        self.predicates = list(predicates)
        self._task: asyncio.Task[None] | None = None

    def start(self, queue: RequestQueue) -> None:
        """Start passing objects from ``events`` to the handler as generic events."""
        self._task = asyncio.create_task(self._pump(queue))

    async def _pump(self, queue: RequestQueue) -> None:
        while True:
            obj = await self.events.get()
            if all(p.generic(obj) for p in self.predicates):
                self.handler.generic(obj, queue)

    async def wait_for_sync(self) -> None:
        """Return at once: a channel has nothing to catch up on."""
        return None

    async def stop(self) -> None:
        """Stop reading ``events``; objects still on it stay there."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
