"""A fluent way to wire a controller into a manager, as controller-runtime's builder does.

Builder(manager).for_(CLONESETS).owns(PODS).with_options(workers=3).complete(reconciler)
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from kruise.runtime.client.resource import Resource
from kruise.runtime.controller.controller import Controller
from kruise.runtime.controller.handler import (
    EnqueueRequestForObject,
    EnqueueRequestForOwner,
    EventHandler,
)
from kruise.runtime.controller.predicate import Predicate
from kruise.runtime.controller.source import Channel, Kind, Source
from kruise.runtime.manager.manager import Manager
from kruise.runtime.reconcile import Reconciler
from kruise.runtime.workqueue import RateLimiter


@dataclass
class _Watch:
    resource: Resource
    handler: EventHandler
    predicates: list[Predicate]


class Builder:
    """Wires a controller into a manager: what it reconciles, what else it watches, how.

    Build with the chained calls, then ``complete(reconciler)``. The controller's informers
    come from the manager's shared cache, and it runs only in the elected leader.
    """

    def __init__(self, manager: Manager) -> None:
        self.manager = manager
        self._name: str | None = None
        self._for: _Watch | None = None
        self._watches: list[_Watch] = []
        self._channels: list[Channel] = []
        self._global_predicates: list[Predicate] = []
        self._workers = 1
        self._rate_limiter: RateLimiter | None = None
        self._cache_sync_timeout = 120.0

    def named(self, name: str) -> Builder:
        """The controller's name in logs and metrics (default: the ``for_`` kind in lower case)."""
        self._name = name
        return self

    def for_(self, resource: Resource, *predicates: Predicate) -> Builder:
        """The kind this controller reconciles; its own events enqueue it."""
        if self._for is not None:
            raise ValueError("for_() may be called only once")
        self._for = _Watch(resource, EnqueueRequestForObject(), list(predicates))
        return self

    def owns(self, resource: Resource, *predicates: Predicate) -> Builder:
        """A kind this controller creates; its events enqueue the controlling owner."""
        if self._for is None:
            raise ValueError("call for_() before owns()")
        owner = self._for.resource
        handler = EnqueueRequestForOwner(owner.group, owner.kind)
        self._watches.append(_Watch(resource, handler, list(predicates)))
        return self

    def watches(self, resource: Resource, handler: EventHandler, *predicates: Predicate) -> Builder:
        """Also watch ``resource``; ``handler`` decides which requests each event enqueues."""
        self._watches.append(_Watch(resource, handler, list(predicates)))
        return self

    def watches_channel(
        self, events: asyncio.Queue[dict[str, Any]], handler: EventHandler
    ) -> Builder:
        """Also take objects put on ``events`` (a ``Channel`` source); ``handler`` maps them."""
        self._channels.append(Channel(events, handler, self._global_predicates))
        return self

    def with_event_filter(self, predicate: Predicate) -> Builder:
        """A predicate applied to every watched kind."""
        self._global_predicates.append(predicate)
        return self

    def with_options(
        self,
        *,
        workers: int | None = None,
        rate_limiter: RateLimiter | None = None,
        cache_sync_timeout: float | None = None,
    ) -> Builder:
        """Worker count (default 1), rate limiter (default: the manager's) and cache sync timeout
        (default 120 s); options left out keep their value."""
        if workers is not None:
            if workers < 1:
                raise ValueError("workers must be at least 1")
            self._workers = workers
        self._rate_limiter = rate_limiter or self._rate_limiter
        self._cache_sync_timeout = cache_sync_timeout or self._cache_sync_timeout
        return self

    def complete(self, reconciler: Reconciler) -> Controller:
        """Build the controller and add it to the manager as a leader-only runnable."""
        if self._for is None:
            raise ValueError("a controller needs for_() before complete()")
        name = self._name or self._for.resource.kind.lower()
        controller = Controller(
            name,
            reconciler,
            workers=self._workers,
            rate_limiter=self._rate_limiter or self.manager.new_rate_limiter(),
            metrics=self.manager.controller_metrics,
            queue_metrics=self.manager.workqueue_metrics,
            cache_sync_timeout=self._cache_sync_timeout,
            clock=self.manager.clock,
        )
        for watch in [self._for, *self._watches]:
            predicates = [*self._global_predicates, *watch.predicates]
            source: Source = Kind(self.manager.cache, watch.resource, watch.handler, predicates)
            controller.watch(source)
        for channel in self._channels:
            controller.watch(channel)
        self.manager.add(controller)
        return controller
