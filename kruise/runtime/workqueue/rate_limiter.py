"""Retry policies: how long an item waits before it is processed again."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Protocol

from kruise.runtime.clock import Clock, RealClock


class RateLimiter(Protocol):
    """How long a failed item waits before it is retried; a controller's queue asks it."""

    def when(self, item: Hashable) -> float:
        """Seconds ``item`` should wait now; counts as one more requeue."""
        ...

    def forget(self, item: Hashable) -> None:
        """Stop tracking ``item`` (it succeeded); its next wait starts afresh."""
        ...

    def num_requeues(self, item: Hashable) -> int:
        """How many times ``item`` has been requeued since it was last forgotten."""
        ...


class ItemExponentialFailureRateLimiter:
    """Per item ``base * 2**failures`` seconds, capped at ``max``; no jitter."""

    def __init__(self, base: float = 0.005, max: float = 1000.0) -> None:
        if base < 0 or max < 0:
            raise ValueError("base and max delays must not be negative")
        self.base = base
        self.max = max
        self._failures: dict[Hashable, int] = {}

    def when(self, item: Hashable) -> float:
        """``base * 2**n`` after n earlier failures since the last ``forget``, at most ``max``."""
        failures = self._failures.get(item, 0)
        self._failures[item] = failures + 1
        try:
            delay = math.ldexp(self.base, failures)
        except OverflowError:
            # Enough failures to overflow a float are far past any sane cap.
            return self.max
        return min(delay, self.max)

    def forget(self, item: Hashable) -> None:
        """Clear the item's failure count."""
        if self._failures:  # nothing failed lately: skip hashing the item
            self._failures.pop(item, None)

    def num_requeues(self, item: Hashable) -> int:
        """The item's failures since it was last forgotten."""
        return self._failures.get(item, 0)


class BucketRateLimiter:
    """A token bucket shared by all items: ``burst`` at once, then ``qps`` per second.

    Like golang.org/x/time/rate's ``Reserve``, a request when the bucket is empty takes
    a future token and is told how long until it exists, so the debt grows and the
    waits are spaced ``1/qps`` apart. ``qps=math.inf`` means no limit.
    """

    def __init__(self, qps: float = 10.0, burst: int = 100, *, clock: Clock | None = None) -> None:
        if not qps > 0:
            raise ValueError(f"qps must be positive, got {qps}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst}")
        self.qps = qps
        self.burst = burst
        self._clock: Clock = clock or RealClock()
        self._tokens = float(burst)
        self._last = self._clock.now()

    def when(self, item: Hashable) -> float:
        """Take a token; 0 while the bucket holds one, else how long until the token accrues."""
        if math.isinf(self.qps):
            return 0.0
        now = self._clock.now()
        elapsed = max(0.0, now - self._last)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.qps) - 1
        self._last = now
        return -self._tokens / self.qps if self._tokens < 0 else 0.0

    def forget(self, item: Hashable) -> None:
        """The bucket is shared, so one item's success changes nothing."""

    def num_requeues(self, item: Hashable) -> int:
        """Always 0: the bucket does not track items."""
        return 0


class MaxOfRateLimiter:
    """The longest wait of several limiters; all of them see every call."""

    def __init__(self, *limiters: RateLimiter) -> None:
        if not limiters:
            raise ValueError("MaxOfRateLimiter needs at least one limiter")
        self.limiters = limiters

    def when(self, item: Hashable) -> float:
        """The longest wait any limiter gives."""
        # A list, not a generator, so every limiter records the request.
        return max([limiter.when(item) for limiter in self.limiters])

    def forget(self, item: Hashable) -> None:
        """Forget ``item`` in every limiter."""
        for limiter in self.limiters:
            limiter.forget(item)

    def num_requeues(self, item: Hashable) -> int:
        """The highest count any limiter keeps for ``item``."""
        return max(limiter.num_requeues(item) for limiter in self.limiters)


def default_controller_rate_limiter(
    base_delay: float = 0.005,
    max_delay: float = 1000.0,
    qps: float = 10.0,
    burst: int = 100,
    *,
    clock: Clock | None = None,
) -> RateLimiter:
    """client-go's default: per-item exponential backoff, and an overall token bucket."""
    return MaxOfRateLimiter(
        ItemExponentialFailureRateLimiter(base_delay, max_delay),
        BucketRateLimiter(qps, burst, clock=clock),
    )
