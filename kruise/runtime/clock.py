"""Time as a dependency: real in production, driven by hand in tests.

Everything in kruise.runtime that waits, expires or measures durations takes a
``Clock`` so tests can move time forward instead of sleeping.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol


class Clock(Protocol):
    """The time source every waiting, expiring or measuring component takes."""

    def now(self) -> float:
        """Monotonic seconds; only differences are meaningful."""
        ...

    def wall(self) -> float:
        """Seconds since the epoch, for timestamps written to the API server."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return after ``seconds`` of this clock; at once for zero or less."""
        ...


class RealClock:
    """The process's clocks: ``time.monotonic``, ``time.time`` and ``asyncio.sleep``."""

    def now(self) -> float:
        """Monotonic seconds; only differences are meaningful."""
        return time.monotonic()

    def wall(self) -> float:
        """Seconds since the epoch."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep``, with a negative delay treated as zero."""
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that moves only when ``advance`` is called; sleepers wake in order."""

    def __init__(self, start: float = 1000.0, wall_start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._wall_offset = wall_start - start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        """The time set by the constructor plus everything ``advance`` added."""
        return self._now

    def wall(self) -> float:
        """``now`` shifted to the wall-clock start given to the constructor."""
        return self._now + self._wall_offset

    async def sleep(self, seconds: float) -> None:
        """Wait until ``advance`` moves time past the deadline; zero or less only yields once."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), future))
        await future

    def sleepers(self) -> int:
        """How many sleeps are still waiting: lets a test advance only once a task is asleep."""
        return sum(1 for _, _, f in self._sleepers if not f.done())

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking every sleeper whose deadline has passed."""
        self._now += seconds
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
        # Let woken tasks run before the caller continues.
        for _ in range(5):
            await asyncio.sleep(0)
