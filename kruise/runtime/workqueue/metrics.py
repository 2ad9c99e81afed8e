"""controller-runtime's ``workqueue_*`` metrics, registered on a registry passed in."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.metrics.bound import bound_inc, bound_observe

LABELS = ("name", "controller")
# 1e-8 s to 1e3 s, one bucket per power of ten, as controller-runtime uses.
DURATION_BUCKETS = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)


def now_function(clock: Clock) -> Callable[[], float]:
    """``clock.now``; for the real clock ``time.monotonic`` itself, one call less per read."""
    return time.monotonic if type(clock) is RealClock else clock.now


class QueueMetrics:
    """What a queue reports about itself; this base records nothing."""

    def add(self, item: Hashable) -> None:
        """An item became dirty."""

    def get(self, item: Hashable) -> None:
        """A worker took the item."""

    def done(self, item: Hashable) -> None:
        """A worker finished the item."""

    def retry(self) -> None:
        """An item was added through the delaying path."""


class WorkqueueMetricsProvider:
    """Registers the metric families once per registry; each named queue gets its labels.

    Queues sharing a name share their series, as in controller-runtime.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.depth = Gauge(
            "workqueue_depth", "Items waiting in the work queue.", LABELS, registry=registry
        )
        self.adds = Counter(
            "workqueue_adds_total", "Items added to the work queue.", LABELS, registry=registry
        )
        self.queue_duration = Histogram(
            "workqueue_queue_duration_seconds",
            "Seconds an item waits in the work queue before a worker takes it.",
            LABELS,
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.work_duration = Histogram(
            "workqueue_work_duration_seconds",
            "Seconds a worker spends on an item.",
            LABELS,
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.unfinished_work = Gauge(
            "workqueue_unfinished_work_seconds",
            "Seconds spent so far on items still being processed, summed; "
            "a steady rise points at stuck workers.",
            LABELS,
            registry=registry,
        )
        self.longest_running = Gauge(
            "workqueue_longest_running_processor_seconds",
            "Seconds the longest-running item has been processed.",
            LABELS,
            registry=registry,
        )
        self.retries = Counter(
            "workqueue_retries_total",
            "Items added back to the work queue after a delay.",
            LABELS,
            registry=registry,
        )

    def new_queue_metrics(self, name: str, clock: Clock) -> QueueMetrics:
        """The series of the queue called ``name``, created at zero."""
        return _PrometheusQueueMetrics(self, name, clock)


class _PrometheusQueueMetrics(QueueMetrics):
    def __init__(self, provider: WorkqueueMetricsProvider, name: str, clock: Clock) -> None:
        self._now = now_function(clock)
        # Creating the children now makes every series start at 0; each is bound to one
        # callable so an add, get or done does no label lookup.
        self._depth = bound_inc(provider.depth.labels(name, name))
        self._adds = bound_inc(provider.adds.labels(name, name))
        self._queue_duration = bound_observe(provider.queue_duration.labels(name, name))
        self._work_duration = bound_observe(provider.work_duration.labels(name, name))
        self._retries = bound_inc(provider.retries.labels(name, name))
        # Computed at scrape time rather than refreshed by a timer: always exact, and
        # no background task to start, stop, or drive in tests.
        provider.unfinished_work.labels(name, name).set_function(self.unfinished_seconds)
        provider.longest_running.labels(name, name).set_function(self.longest_running_seconds)
        self._added_at: dict[Hashable, float] = {}
        self._started_at: dict[Hashable, float] = {}

    def add(self, item: Hashable) -> None:
        self._adds(1)
        self._depth(1)
        # One hash of the item instead of a lookup and a store; the clock read is cheap.
        self._added_at.setdefault(item, self._now())

    def get(self, item: Hashable) -> None:
        now = self._now()
        self._depth(-1)
        self._started_at[item] = now
        added_at = self._added_at.pop(item, None)
        if added_at is not None:
            self._queue_duration(now - added_at)

    def done(self, item: Hashable) -> None:
        started_at = self._started_at.pop(item, None)
        if started_at is not None:
            self._work_duration(self._now() - started_at)

    def retry(self) -> None:
        self._retries(1)

    def unfinished_seconds(self) -> float:
        now = self._now()
        return sum(now - started for started in self._started_at.values())

    def longest_running_seconds(self) -> float:
        now = self._now()
        return max((now - started for started in self._started_at.values()), default=0.0)
