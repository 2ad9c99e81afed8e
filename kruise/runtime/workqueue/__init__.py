"""Work queues with client-go's guarantees, for asyncio controllers.

- Fair: items are handed out in the order they were first added.
- Stingy: an item added many times before a worker takes it is processed once, and
  one item is never processed by two workers at once.
- Re-add while processing is allowed: the item is processed again after ``done``.
- Shutdown: ``get`` raises ``ShutDown`` once the queue is shut down and empty;
  ``shut_down_with_drain`` also waits for the items being processed.

Layers: ``Queue`` < ``DelayingQueue`` (``add_after``) < ``RateLimitingQueue``
(``add_rate_limited``, ``forget``, ``num_requeues``). Time comes from an injected
``Clock``; metrics go to a ``CollectorRegistry`` through ``WorkqueueMetricsProvider``.
"""

from kruise.runtime.workqueue.delaying import DelayingQueue
from kruise.runtime.workqueue.metrics import QueueMetrics, WorkqueueMetricsProvider
from kruise.runtime.workqueue.queue import Queue, ShutDown
from kruise.runtime.workqueue.rate_limiter import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
    default_controller_rate_limiter,
)
from kruise.runtime.workqueue.rate_limiting import RateLimitingQueue

__all__ = [
    "BucketRateLimiter",
    "DelayingQueue",
    "ItemExponentialFailureRateLimiter",
    "MaxOfRateLimiter",
    "Queue",
    "QueueMetrics",
    "RateLimiter",
    "RateLimitingQueue",
    "ShutDown",
    "WorkqueueMetricsProvider",
    "default_controller_rate_limiter",
]
