"""A queue whose items can be added after a delay, timed by the injected clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from dataclasses import dataclass, field
from typing import Generic

from kruise.runtime.clock import Clock
from kruise.runtime.workqueue.metrics import WorkqueueMetricsProvider
from kruise.runtime.workqueue.queue import Queue, T


@dataclass(order=True)
class _Waiting(Generic[T]):
    ready_at: float
    sequence: int  # breaks ties in arrival order and keeps items out of comparisons
    item: T = field(compare=False)


class DelayingQueue(Queue[T]):
    """``Queue`` plus ``add_after``.

    Waiting items sit in a heap; one task sleeps until the earliest is ready. An item
    waits at most once: a second ``add_after`` only moves it earlier, never later.
    Shutting down drops every waiting item.
    """

    def __init__(
        self,
        name: str = "",
        *,
        clock: Clock | None = None,
        metrics: WorkqueueMetricsProvider | None = None,
    ) -> None:
        super().__init__(name, clock=clock, metrics=metrics)
        self._heap: list[_Waiting[T]] = []
        # The live heap entry per item; entries replaced by an earlier one stay in the
        # heap and are skipped when they surface.
        self._waiting: dict[T, _Waiting[T]] = {}
        self._sequence = itertools.count()
        self._timer: asyncio.Task[None] | None = None
        self._timer_deadline = 0.0

    @property
    def waiting(self) -> int:
        """How many items wait for their delay to pass."""
        return len(self._waiting)

    def add_after(self, item: T, delay: float) -> None:
        """Add ``item`` once ``delay`` seconds have passed (at once if not positive).

        Must be called from a running event loop when ``delay`` is positive.
        """
        if self.shutting_down:
            return
        if self._metrics is not None:
            self._metrics.retry()
        if delay <= 0:
            self.add(item)
            return
        ready_at = self._clock.now() + delay
        known = self._waiting.get(item)
        if known is not None and known.ready_at <= ready_at:
            return
        entry = _Waiting(ready_at, next(self._sequence), item)
        self._waiting[item] = entry
        heapq.heappush(self._heap, entry)
        self._arm_timer()

    def _begin_shut_down(self, *, drain: bool) -> None:
        super()._begin_shut_down(drain=drain)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._heap.clear()
        self._waiting.clear()

    def _next_deadline(self) -> float | None:
        while self._heap and self._waiting.get(self._heap[0].item) is not self._heap[0]:
            heapq.heappop(self._heap)
        return self._heap[0].ready_at if self._heap else None

    def _arm_timer(self) -> None:
        deadline = self._next_deadline()
        if self._timer is not None:
            if deadline is not None and self._timer_deadline <= deadline:
                return
            self._timer.cancel()
            self._timer = None
        if deadline is not None:
            self._timer_deadline = deadline
            self._timer = asyncio.get_running_loop().create_task(self._fire_at(deadline))

    async def _fire_at(self, deadline: float) -> None:
        await self._clock.sleep(deadline - self._clock.now())
        self._timer = None
        now = self._clock.now()
        while (next_ready := self._next_deadline()) is not None and next_ready <= now:
            entry = heapq.heappop(self._heap)
            del self._waiting[entry.item]
            self.add(entry.item)
        # Also covers a clock that woke us a hair early: we simply sleep again.
        self._arm_timer()
