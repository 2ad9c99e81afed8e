"""The base work queue: FIFO, deduplicating, never handing one item to two workers."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar

from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.workqueue.metrics import QueueMetrics, WorkqueueMetricsProvider

T = TypeVar("T", bound=Hashable)


class ShutDown(Exception):
    """Raised by ``get`` once the queue is shutting down and holds no more items."""


def _wake_one(waiters: deque[asyncio.Future[None]]) -> bool:
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(None)
            return True
    return False


def _wake_all(waiters: deque[asyncio.Future[None]]) -> None:
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(None)


class Queue(Generic[T]):
    """A work queue with client-go semantics.

    An item waits in the queue at most once however often it is added (the dirty set).
    ``get`` moves it to the processing set; adding it again while it is processed only
    marks it dirty, and ``done`` puts it back at the end of the queue. ``add``, ``done``
    and ``shut_down`` never block, so event handlers can call them directly.
    """

    def __init__(
        self,
        name: str = "",
        *,
        clock: Clock | None = None,
        metrics: WorkqueueMetricsProvider | None = None,
    ) -> None:
        self.name = name
        self._clock: Clock = clock or RealClock()
        self._queue: deque[T] = deque()
        self._dirty: set[T] = set()
        self._processing: set[T] = set()
        self._shutting_down = False
        self._drain = False
        self._getters: deque[asyncio.Future[None]] = deque()
        # One getter at a time is woken: a worker takes items without yielding while any
        # are queued, so waking one per add would mostly wake workers to an empty queue.
        # The next is woken once the woken one took its item and yielded with items left.
        self._waking = False
        self._recheck_scheduled = False
        self._drain_waiters: deque[asyncio.Future[None]] = deque()
        # None without metrics, so the hot paths skip the calls altogether.
        self._metrics: QueueMetrics | None = (
            metrics.new_queue_metrics(name, self._clock) if metrics and name else None
        )

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def shutting_down(self) -> bool:
        """True once ``shut_down`` or ``shut_down_with_drain`` has been called."""
        return self._shutting_down

    def add(self, item: T) -> None:
        """Mark ``item`` as needing processing; ignored once shutting down."""
        dirty = self._dirty
        if self._shutting_down or item in dirty:
            return
        if self._metrics is not None:
            self._metrics.add(item)
        dirty.add(item)
        if item in self._processing:
            # ``done`` re-queues it, so no worker sees it twice at once.
            return
        self._queue.append(item)
        if self._getters and not self._waking:  # _wake_next, inline on the hottest path
            self._waking = _wake_one(self._getters)

    async def get(self) -> T:
        """Wait for the next item; raises ``ShutDown`` once shut down and empty.

        Items still queued at shutdown are handed out first, as client-go does.
        """
        if not self._queue:
            await self._wait_for_item()
        return self.get_nowait()

    def get_nowait(self) -> T:
        """The next item if one is queued, else ``asyncio.QueueEmpty`` (or ``ShutDown``
        once shut down). A worker that tries this before ``await get()`` skips creating
        a coroutine per item while the queue is busy."""
        queue = self._queue
        try:
            item = queue.popleft()
        except IndexError:
            raise ShutDown if self._shutting_down else asyncio.QueueEmpty from None
        if self._metrics is not None:
            self._metrics.get(item)
        self._processing.add(item)
        self._dirty.discard(item)
        if queue and self._getters and not self._recheck_scheduled:
            # Items are left: once this worker yields, wake another if they still are.
            self._recheck_scheduled = True
            asyncio.get_running_loop().call_soon(self._wake_if_queued)
        return item

    def _wake_if_queued(self) -> None:
        self._recheck_scheduled = False
        if self._queue:
            self._wake_next()

    def _wake_next(self) -> None:
        """Wake one waiting getter, unless one already woken has not run yet."""
        if self._getters and not self._waking:
            self._waking = _wake_one(self._getters)

    async def _wait_for_item(self) -> None:
        # Out of ``get`` so that taking a queued item, the common case, skips the loop.
        queue = self._queue
        while not queue and not self._shutting_down:
            waiter = asyncio.get_running_loop().create_future()
            self._getters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                # If we were woken and then cancelled, pass the wake-up on so the item
                # does not sit in the queue while another getter waits.
                if waiter.done() and not waiter.cancelled():
                    self._waking = False
                    if queue:
                        self._wake_next()
                raise
            self._waking = False
        if not queue:
            raise ShutDown

    def done(self, item: T) -> None:
        """Finish processing ``item``; requeue it if it was added meanwhile.

        Calling it for an item not being processed does nothing (client-go would queue a
        duplicate; we keep the invariant instead).
        """
        processing = self._processing
        try:
            processing.remove(item)
        except KeyError:
            return
        if self._metrics is not None:
            self._metrics.done(item)
        if item in self._dirty:
            self._queue.append(item)
            self._wake_next()
        elif not processing and self._drain_waiters:
            _wake_all(self._drain_waiters)

    def shut_down(self) -> None:
        """Stop accepting items; waiting getters raise ``ShutDown`` once it is empty."""
        self._begin_shut_down(drain=False)

    async def shut_down_with_drain(self) -> None:
        """Shut down, then wait until every item being processed is ``done``.

        Items still queued are not waited for. A ``shut_down`` call meanwhile ends the
        wait early.
        """
        self._begin_shut_down(drain=True)
        while self._processing and self._drain:
            waiter = asyncio.get_running_loop().create_future()
            self._drain_waiters.append(waiter)
            await waiter

    def _begin_shut_down(self, *, drain: bool) -> None:
        self._drain = drain
        self._shutting_down = True
        _wake_all(self._getters)
        if not drain:
            _wake_all(self._drain_waiters)
