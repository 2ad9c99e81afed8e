"""A read-only client over shared informers, like controller-runtime's informer cache.

One informer per Resource, created on first use. Reads wait until that informer has
synced (so a reconcile never sees a half-filled cache) and then return the cached
dicts themselves: shared and read-only, copy before changing. ``namespace`` restricts
every namespaced informer to one namespace (the manager's ``--namespace``);
``by_resource`` scopes single resources by namespace and label/field selectors.
"""

from __future__ import annotations

import asyncio
import builtins
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kruise.runtime import labels
from kruise.runtime.cache.informer import Informer
from kruise.runtime.cache.listwatch import ListWatcher
from kruise.runtime.cache.store import NAMESPACE_INDEX, IndexFunc, make_key
from kruise.runtime.cache.transform import DEFAULT_TRANSFORM, Transform
from kruise.runtime.client.errors import NotFound
from kruise.runtime.client.resource import Resource
from kruise.runtime.client.types import KubeObject
from kruise.runtime.clock import Clock, RealClock

# controller-runtime's default SyncPeriod.
DEFAULT_RESYNC_PERIOD = 10 * 3600.0


class CacheError(Exception):
    """A read the cache cannot answer."""


class CacheNotStarted(CacheError):
    """Reads need a started cache (controller-runtime's ErrCacheNotStarted)."""


class NamespaceNotCached(CacheError):
    """The read names a namespace outside what the cache watches."""


@dataclass(frozen=True)
class ResourceOptions:
    """How the informer for one resource is scoped. ``namespace`` None means the cache's
    namespace (or all). ``transform`` runs on every object before it is stored (see
    ``kruise.runtime.cache.transform``; the default strips managedFields and interns
    short strings); None stores objects untouched."""

    namespace: str | None = None
    label_selector: str | None = None
    field_selector: str | None = None
    transform: Transform | None = DEFAULT_TRANSFORM


class Cache:
    """Reads served from shared informers, for reconcilers (``Manager.cache``).

    Reads wait for their informer's first sync and return the cached dicts themselves,
    which are shared: copy one before changing it. Every controller of a manager shares
    one informer per resource.
    """

    def __init__(
        self,
        client: ListWatcher,
        *,
        namespace: str | None = None,
        by_resource: Mapping[Resource, ResourceOptions] | None = None,
        resync_period: float | None = DEFAULT_RESYNC_PERIOD,
        inactivity_timeout: float | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.namespace = namespace or None
        self._client = client
        self._by_resource = dict(by_resource or {})
        self._resync_period = resync_period
        self._inactivity_timeout = inactivity_timeout
        self._clock: Clock = clock or RealClock()
        self._rng = rng or random.Random()
        self._informers: dict[Resource, Informer] = {}
        self._started = False

    @property
    def started(self) -> bool:
        """Whether ``start`` has been called (and ``stop`` not since)."""
        return self._started

    def informer(self, resource: Resource) -> Informer:
        """The informer for ``resource``, created (and started, if the cache runs) on
        first use. Register event handlers and indexes on it."""
        informer = self._informers.get(resource)
        if informer is None:
            options = self._by_resource.get(resource, ResourceOptions())
            namespace = options.namespace or self.namespace
            informer = Informer(
                self._client,
                resource,
                namespace=namespace if resource.namespaced else None,
                label_selector=options.label_selector,
                field_selector=options.field_selector,
                transform=options.transform,
                resync_period=self._resync_period,
                inactivity_timeout=self._inactivity_timeout,
                clock=self._clock,
                rng=random.Random(self._rng.random()),
            )
            self._informers[resource] = informer
            if self._started:
                informer.start()
        return informer

    def informers(self) -> dict[Resource, Informer]:
        """A snapshot of the informers created so far, by resource."""
        return dict(self._informers)

    async def synced_informer(self, resource: Resource) -> Informer:
        """The informer for ``resource`` once it has synced; the cache must be started."""
        if not self._started:
            raise CacheNotStarted(f"the cache is not started; cannot read {resource.plural}")
        informer = self.informer(resource)
        if not informer.has_synced:
            await informer.wait_for_sync()
        return informer

    def add_index(self, resource: Resource, name: str, fn: IndexFunc) -> None:
        """Index ``resource`` objects by ``fn(obj) -> list[str]`` under ``name``."""
        self.informer(resource).add_index(name, fn)

    async def get(self, resource: Resource, name: str, namespace: str | None = None) -> KubeObject:
        """The cached object; raises the client's ``NotFound`` when it is not cached."""
        informer = await self.synced_informer(resource)
        namespace = self._read_namespace(informer, namespace)
        if resource.namespaced and not namespace:
            raise ValueError(f"{resource.plural} are namespaced; a namespace is required")
        obj = informer.store.get(make_key(name, namespace))
        if obj is None:
            raise _not_found(resource, name)
        return obj

    async def list(
        self,
        resource: Resource,
        namespace: str | None = None,
        label_selector: labels.Selector | str | Mapping[str, Any] | None = None,
        index: tuple[str, str] | None = None,
    ) -> builtins.list[KubeObject]:
        """Cached objects, optionally in one namespace, matching a label selector (string,
        ``Selector`` or LabelSelector dict) and/or an index entry ``(index_name, value)``."""
        selector = labels.as_selector(label_selector)
        informer = await self.synced_informer(resource)
        namespace = self._read_namespace(informer, namespace)
        store = informer.store
        if index is not None:
            objects = store.by_index(*index)
            if namespace:
                objects = [o for o in objects if o["metadata"].get("namespace") == namespace]
        elif namespace and namespace != informer.namespace:
            objects = store.by_index(NAMESPACE_INDEX, namespace)
        else:
            objects = store.list()
        if selector.empty:
            return objects
        return [o for o in objects if selector.matches_object(o)]

    async def start(self) -> None:
        """Start every informer created so far, and any created later."""
        self._started = True
        for informer in self._informers.values():
            informer.start()

    async def stop(self) -> None:
        """Stop every informer and wait for them; reads raise ``CacheNotStarted`` until restart."""
        self._started = False
        await asyncio.gather(*(i.stop() for i in self._informers.values()))

    async def wait_for_sync(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until every informer has synced; False if ``timeout`` seconds of the
        cache's clock passed first."""
        deadline = None if timeout is None else self._clock.now() + timeout
        for informer in list(self._informers.values()):
            left = None if deadline is None else max(0.0, deadline - self._clock.now())
            if not await informer.wait_for_sync(left):
                return False
        return True

    def _read_namespace(self, informer: Informer, namespace: str | None) -> str | None:
        if not informer.resource.namespaced:
            if namespace:
                raise ValueError(f"{informer.resource.plural} are cluster-scoped")
            return None
        if informer.namespace and namespace and namespace != informer.namespace:
            raise NamespaceNotCached(
                f"{informer.resource.plural} in namespace {namespace!r} are not cached "
                f"(the cache watches namespace {informer.namespace!r})"
            )
        return namespace or informer.namespace


def _not_found(resource: Resource, name: str) -> NotFound:
    qualified = f"{resource.plural}.{resource.group}" if resource.group else resource.plural
    return NotFound(
        f'{qualified} "{name}" not found',
        reason="NotFound",
        details={"name": name, "group": resource.group, "kind": resource.plural},
    )
