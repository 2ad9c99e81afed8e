"""A shared informer for one resource: LIST, then WATCH, keeping a ``Store`` up to date
and telling event handlers what changed.

The loop follows client-go's reflector:

- The first LIST asks for resourceVersion "0" (the API server's watch cache may answer);
  it is paged with ``page_size``.
- WATCH from the list's resourceVersion with bookmarks and ``timeoutSeconds`` drawn from
  ``watch_timeout`` ([300, 600] s). Every event and bookmark advances the
  resourceVersion; when the server ends the stream, the next watch resumes from it.
- 410 Gone (or a resourceVersion the server has not reached) means RELIST, as a
  consistent read (resourceVersion ""): at once if the watch made progress, else after
  a backoff. The relist is diffed against the store, so
  handlers get exactly what changed while the watch was away: an add per new object, an
  update per changed resourceVersion, a delete (with the last state seen) per object that
  is gone, and a delete plus an add for an object that was re-created under its name.
- A watch with no event or bookmark for ``inactivity_timeout`` seconds is dropped and
  re-opened. The default is the watch's ``timeoutSeconds`` plus 60 s: by then the server
  should have ended the stream itself, so only a dead connection stays silent that long.
  Set a shorter timeout where the server sends bookmarks (about once a minute).
- Transport and server errors back off exponentially (0.8 s doubling to 30 s, with
  jitter) and retry; the watch resumes from the last resourceVersion.
- ``resync_period`` re-delivers every cached object to the handlers as an update
  (``on_update(obj, obj)``), with up to 10 % jitter. It does not call the server.

Objects pass through ``transform`` (default: strip ``managedFields``) before they are
stored; the stored dicts are shared and read-only (see ``store``).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import random
from dataclasses import dataclass

from kruise.runtime.cache.handlers import EventHandler, Handlers, OnAdd, OnDelete, OnUpdate
from kruise.runtime.cache.listwatch import EventStream, ListWatcher, needs_relist
from kruise.runtime.cache.store import IndexFunc, Store, make_key, object_key
from kruise.runtime.cache.transform import DEFAULT_TRANSFORM, Transform
from kruise.runtime.client.resource import Resource
from kruise.runtime.client.types import KubeObject
from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.log import get_logger
from kruise.runtime.meta import resource_version_of, uid_of

DEFAULT_WATCH_TIMEOUT = (300, 600)
DEFAULT_PAGE_SIZE = 500
INACTIVITY_GRACE = 60.0
BACKOFF_INITIAL = 0.8
BACKOFF_MAX = 30.0
RESYNC_JITTER = 0.1

log = get_logger("kruise.runtime.cache")


@dataclass
class InformerStats:
    """Counters for tests and diagnostics."""

    lists: int = 0
    watches: int = 0
    relists_after_gone: int = 0
    inactivity_restarts: int = 0
    errors: int = 0


class Informer:
    """Keeps ``store`` in step with the API server for one resource and scope.

    Use ``start()``/``stop()`` (or ``await run()``), ``wait_for_sync()``, and register
    handlers with ``add_event_handler``; a handler added after the start gets every
    cached object as an add first.
    """

    def __init__(
        self,
        client: ListWatcher,
        resource: Resource,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        transform: Transform | None = DEFAULT_TRANSFORM,
        resync_period: float | None = None,
        inactivity_timeout: float | None = None,
        watch_timeout: tuple[int, int] = DEFAULT_WATCH_TIMEOUT,
        page_size: int | None = DEFAULT_PAGE_SIZE,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if namespace and not resource.namespaced:
            raise ValueError(f"{resource.plural} is cluster-scoped; it has no namespace")
        if not 0 < watch_timeout[0] <= watch_timeout[1]:
            raise ValueError(f"invalid watch_timeout range {watch_timeout}")
        self.resource = resource
        self.namespace = namespace or None
        self.label_selector = label_selector or None
        self.field_selector = field_selector or None
        self.resync_period = resync_period
        self.inactivity_timeout = inactivity_timeout
        self.watch_timeout = watch_timeout
        self.page_size = page_size
        self.store = Store()
        self.resource_version = ""
        self.stats = InformerStats()
        self.name = resource.plural + (f".{resource.group}" if resource.group else "")
        if self.namespace:
            self.name += f"/{self.namespace}"
        self._client = client
        self._transform = transform
        self._clock: Clock = clock or RealClock()
        self._rng = rng or random.Random()
        self._handlers = Handlers(self.name)
        self._synced = asyncio.Event()
        self._watch_allowed = asyncio.Event()
        self._watch_allowed.set()
        self._task: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._last_event = 0.0
        self._events = 0
        self._log = log.bind(informer=self.name)

    # ---- handlers and indexes --------------------------------------------------------

    def add_event_handler(
        self,
        on_add: OnAdd | None = None,
        on_update: OnUpdate | None = None,
        on_delete: OnDelete | None = None,
    ) -> EventHandler:
        """Register callables; the returned handle removes them again."""
        handler = EventHandler(on_add, on_update, on_delete)
        self._handlers.add(handler, self.store.list())
        return handler

    def remove_event_handler(self, handler: EventHandler) -> bool:
        """Unregister a handle ``add_event_handler`` returned; False if it was not registered."""
        return self._handlers.remove(handler)

    def add_index(self, name: str, fn: IndexFunc) -> None:
        """Index the stored objects by ``fn`` under ``name`` (see ``Store.add_index``)."""
        self.store.add_index(name, fn)

    # ---- reads -----------------------------------------------------------------------

    def get(self, name: str, namespace: str | None = None) -> KubeObject | None:
        """The cached object, or None; shared and read-only."""
        return self.store.get(make_key(name, namespace))

    def list(self) -> builtins.list[KubeObject]:
        """Every cached object; shared and read-only."""
        return self.store.list()

    # ---- lifecycle -------------------------------------------------------------------

    @property
    def has_synced(self) -> bool:
        """True once the first LIST has been applied."""
        return self._synced.is_set()

    @property
    def running(self) -> bool:
        """Whether the list-and-watch task is alive."""
        return self._task is not None and not self._task.done()

    async def wait_for_sync(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until the first LIST has been applied; False if ``timeout`` seconds (of the
        informer's clock, hence no ``asyncio.timeout``) passed first."""
        return await wait_event(self._synced, timeout, self._clock)

    def start(self) -> None:
        """Run the informer in a task of the running loop (no-op if it runs already)."""
        if not self.running:
            self._task = asyncio.create_task(self.run(), name=f"informer {self.name}")

    async def stop(self) -> None:
        """Cancel the list-and-watch task and wait for it; the store keeps its objects."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        """List and watch until cancelled."""
        resync = asyncio.create_task(self._resync_loop()) if self.resync_period else None
        try:
            await self._list_and_watch()
        finally:
            if resync is not None:
                resync.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await resync

    # ---- hooks for tests and maintenance ---------------------------------------------

    def drop_watch(self) -> bool:
        """Close the current watch connection; the informer re-watches from the last
        resourceVersion. False if no watch was open."""
        task = self._watch_task
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def pause_watch(self) -> None:
        """Drop the watch and open no new one until ``resume_watch``; the store stays
        as it is, frozen at the current resourceVersion."""
        self._watch_allowed.clear()
        self.drop_watch()

    def resume_watch(self) -> None:
        """Allow watching again after ``pause_watch``."""
        self._watch_allowed.set()

    # ---- applying what the server says (no I/O; unit-testable) ----------------------

    def apply_list(self, items: builtins.list[KubeObject], resource_version: str) -> None:
        """Make the store equal to a full LIST and tell handlers the difference."""
        seen: set[str] = set()
        store, handlers = self.store, self._handlers
        for raw in items:
            obj = self._transform(raw) if self._transform else raw
            key = object_key(obj)
            seen.add(key)
            old = store.get(key)
            if old is None:
                store.put(obj, key)
                handlers.added(obj)
            elif uid_of(old) != uid_of(obj):
                store.put(obj, key)
                handlers.deleted(old)
                handlers.added(obj)
            elif resource_version_of(old) != resource_version_of(obj):
                store.put(obj, key)
                handlers.updated(old, obj)
        for key in [k for k in store.keys() if k not in seen]:  # noqa: SIM118 - a Store
            gone = store.delete(key)
            if gone is not None:
                handlers.deleted(gone)
        self.resource_version = resource_version
        self._synced.set()

    def apply_event(self, event_type: str, raw: KubeObject) -> None:
        """Apply one watch event (ADDED, MODIFIED, DELETED or BOOKMARK)."""
        rv = resource_version_of(raw)
        if event_type == "BOOKMARK":
            if rv:
                self.resource_version = rv
            return
        if event_type not in ("ADDED", "MODIFIED", "DELETED"):
            self._log.warning("unexpected watch event type", event_type=event_type)
            return
        obj = self._transform(raw) if self._transform else raw
        key = object_key(obj)
        if event_type == "DELETED":
            if self.store.delete(key) is not None:
                self._handlers.deleted(obj)
        else:
            old = self.store.put(obj, key)
            if old is None:
                self._handlers.added(obj)
            else:
                self._handlers.updated(old, obj)
        if rv:
            self.resource_version = rv

    def resync(self) -> None:
        """Re-deliver every cached object to the handlers as an update."""
        for obj in self.store.list():
            self._handlers.updated(obj, obj)

    # ---- the loop --------------------------------------------------------------------

    async def _list_and_watch(self) -> None:
        backoff = _Backoff(self._rng)
        list_rv: str | None = "0"
        while True:
            try:
                if list_rv is not None:
                    await self._list(list_rv)
                    list_rv = None
                await self._watch_allowed.wait()
                if await self._watch():
                    backoff.reset()
                    continue
                # A stream that ended without a single event: do not spin on it.
                await self._clock.sleep(backoff.next())
            except asyncio.CancelledError:
                raise
            except Exception as err:
                if needs_relist(err):
                    self.stats.relists_after_gone += 1
                    self._log.info("resourceVersion too old or too new; relisting", error=str(err))
                    list_rv = ""
                    if self._events == 0:
                        # No progress since the last (re)connect: do not spin on LISTs.
                        await self._clock.sleep(backoff.next())
                    continue
                self.stats.errors += 1
                delay = backoff.next()
                self._log.warning(
                    "list/watch failed; retrying",
                    error=str(err),
                    error_type=type(err).__name__,
                    retry_in=round(delay, 2),
                )
                await self._clock.sleep(delay)

    async def _list(self, resource_version: str) -> None:
        self.stats.lists += 1
        result = await self._client.list(
            self.resource,
            self.namespace,
            label_selector=self.label_selector,
            field_selector=self.field_selector,
            resource_version=resource_version,
            page_size=self.page_size,
        )
        self.apply_list(result.items, result.resource_version)
        self._log.debug("listed", objects=len(result.items), rv=result.resource_version)

    async def _watch(self) -> bool:
        """One watch connection; False if the server ended it before any event."""
        timeout_seconds = self._rng.randint(*self.watch_timeout)
        inactivity = self.inactivity_timeout or timeout_seconds + INACTIVITY_GRACE
        self.stats.watches += 1
        stream = self._client.watch(
            self.resource,
            self.namespace,
            resource_version=self.resource_version,
            label_selector=self.label_selector,
            field_selector=self.field_selector,
            timeout_seconds=timeout_seconds,
            allow_bookmarks=True,
            # The client's socket read timeout is only a backstop for the watchdog.
            read_timeout=inactivity + INACTIVITY_GRACE,
        )
        self._events = 0
        self._last_event = self._clock.now()
        consumer = self._watch_task = asyncio.create_task(self._consume(stream))
        watchdog = asyncio.create_task(self._watchdog(consumer, inactivity))
        try:
            await consumer
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            return True  # dropped by the watchdog or drop_watch: re-watch at once
        finally:
            self._watch_task = None
            watchdog.cancel()
            consumer.cancel()
            stream.close()
        return self._events > 0

    async def _consume(self, stream: EventStream) -> None:
        async for event_type, obj in stream:
            self._last_event = self._clock.now()
            self._events += 1
            self.apply_event(event_type, obj)

    async def _watchdog(self, consumer: asyncio.Task[None], limit: float) -> None:
        while not consumer.done():
            idle = self._clock.now() - self._last_event
            if idle >= limit:
                self.stats.inactivity_restarts += 1
                self._log.warning("watch silent; reconnecting", silent_seconds=round(idle, 1))
                consumer.cancel()
                return
            await self._clock.sleep(limit - idle)

    async def _resync_loop(self) -> None:
        assert self.resync_period
        while True:
            jitter = 1 + self._rng.random() * RESYNC_JITTER
            await self._clock.sleep(self.resync_period * jitter)
            if self.has_synced:
                self.resync()


class _Backoff:
    """client-go's reflector backoff: 0.8 s doubling to 30 s, plus up to 100 % jitter."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._delay = 0.0

    def next(self) -> float:
        self._delay = min(BACKOFF_MAX, self._delay * 2) if self._delay else BACKOFF_INITIAL
        return self._delay * (1 + self._rng.random())

    def reset(self) -> None:
        self._delay = 0.0


async def wait_event(event: asyncio.Event, seconds: float | None, clock: Clock) -> bool:
    """Wait for ``event`` at most ``seconds`` of ``clock`` time."""
    if event.is_set():
        return True
    waiter = asyncio.ensure_future(event.wait())
    if seconds is None:
        await waiter
        return True
    timer = asyncio.ensure_future(clock.sleep(seconds))
    try:
        await asyncio.wait((waiter, timer), return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        timer.cancel()
    return event.is_set()
