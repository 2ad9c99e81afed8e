"""A delaying queue that asks a rate limiter how long each retry waits."""

from __future__ import annotations

from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.workqueue.delaying import DelayingQueue
from kruise.runtime.workqueue.metrics import WorkqueueMetricsProvider
from kruise.runtime.workqueue.queue import T
from kruise.runtime.workqueue.rate_limiter import RateLimiter, default_controller_rate_limiter


class RateLimitingQueue(DelayingQueue[T]):
    """``DelayingQueue`` plus per-item retry backoff.

    A worker calls ``add_rate_limited`` when an item failed and ``forget`` when it
    succeeded, so the next failure starts from the shortest wait again.
    """

    def __init__(
        self,
        rate_limiter: RateLimiter | None = None,
        name: str = "",
        *,
        clock: Clock | None = None,
        metrics: WorkqueueMetricsProvider | None = None,
    ) -> None:
        clock = clock or RealClock()
        super().__init__(name, clock=clock, metrics=metrics)
        self.rate_limiter = rate_limiter or default_controller_rate_limiter(clock=clock)

    def add_rate_limited(self, item: T) -> None:
        """Add ``item`` after the wait the rate limiter gives it."""
        self.add_after(item, self.rate_limiter.when(item))

    def forget(self, item: T) -> None:
        """Reset ``item``'s retry history; it stays queued if it is queued."""
        self.rate_limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """How many times ``item`` has been retried since it was last forgotten."""
        return self.rate_limiter.num_requeues(item)
