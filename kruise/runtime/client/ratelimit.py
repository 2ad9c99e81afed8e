"""Client-side QPS and burst: client-go's token bucket, on an injected clock."""

from __future__ import annotations

import asyncio
import math

from kruise.runtime.clock import Clock, RealClock


class TokenBucket:
    """``qps`` tokens a second, at most ``burst`` saved up; ``qps <= 0`` never waits.

    Each caller reserves a token at once (the balance may go negative) and then
    sleeps until its token would have accrued, so waiters are served in order,
    like golang.org/x/time/rate's ``Wait``. A cancelled waiter returns its token.
    """

    def __init__(self, qps: float, burst: int, clock: Clock | None = None) -> None:
        if qps > 0 and burst < 1:
            raise ValueError("burst must be at least 1 when qps > 0")
        self.qps = qps
        self.burst = burst
        self._clock = clock or RealClock()
        self._tokens = float(burst)
        self._last = self._clock.now()

    @property
    def enabled(self) -> bool:
        """False when ``qps <= 0``: every call passes at once."""
        return self.qps > 0

    def _refill(self) -> None:
        now = self._clock.now()
        self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.qps)
        self._last = now

    def available(self) -> float:
        """Tokens saved up now, negative when waiters have reserved ahead; ``inf`` when
        unlimited. Takes none."""
        if not self.enabled:
            return math.inf
        self._refill()
        return self._tokens

    def try_acquire(self) -> bool:
        """Take a token if one is available now."""
        if not self.enabled:
            return True
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def reserve(self) -> float:
        """Take a token now and return how long to wait before using it."""
        if not self.enabled:
            return 0.0
        self._refill()
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.qps

    async def acquire(self) -> float:
        """Wait for a token; returns the seconds waited."""
        delay = self.reserve()
        if delay <= 0:
            return 0.0
        try:
            await self._clock.sleep(delay)
        except asyncio.CancelledError:
            self._tokens += 1
            raise
        return delay
