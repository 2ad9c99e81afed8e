"""workqueue_* metrics, read back from the registry they were registered on."""

from __future__ import annotations

import time

import pytest
from prometheus_client import CollectorRegistry

from kruise.runtime.clock import FakeClock, RealClock
from kruise.runtime.workqueue import (
    DelayingQueue,
    ItemExponentialFailureRateLimiter,
    Queue,
    RateLimitingQueue,
    WorkqueueMetricsProvider,
)
from kruise.runtime.workqueue.metrics import now_function

# A broken queue makes get() wait forever; fail fast instead of hanging the run.
pytestmark = pytest.mark.timeout(5)

LABELS = {"name": "q", "controller": "q"}
GAUGES_AND_COUNTERS = (
    "workqueue_depth",
    "workqueue_adds_total",
    "workqueue_unfinished_work_seconds",
    "workqueue_longest_running_processor_seconds",
    "workqueue_retries_total",
)
HISTOGRAMS = ("workqueue_queue_duration_seconds", "workqueue_work_duration_seconds")


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def provider(registry: CollectorRegistry) -> WorkqueueMetricsProvider:
    return WorkqueueMetricsProvider(registry)


def sample(registry: CollectorRegistry, name: str, labels: dict[str, str] = LABELS) -> float:
    value = registry.get_sample_value(name, labels)
    assert value is not None, f"{name}{labels} is not exported"
    return value


def test_every_series_starts_at_zero(
    registry: CollectorRegistry, provider: WorkqueueMetricsProvider
) -> None:
    Queue("q", clock=FakeClock(), metrics=provider)
    for name in GAUGES_AND_COUNTERS:
        assert sample(registry, name) == 0
    for name in HISTOGRAMS:
        assert sample(registry, f"{name}_count") == 0
        assert sample(registry, f"{name}_bucket", {**LABELS, "le": "1e-08"}) == 0
        assert sample(registry, f"{name}_bucket", {**LABELS, "le": "1000.0"}) == 0


async def test_adds_and_depth_count_dirty_items(
    registry: CollectorRegistry, provider: WorkqueueMetricsProvider
) -> None:
    queue: Queue[str] = Queue("q", clock=FakeClock(), metrics=provider)
    queue.add("a")
    queue.add("a")
    queue.add("b")
    assert sample(registry, "workqueue_adds_total") == 2
    assert sample(registry, "workqueue_depth") == 2
    await queue.get()
    assert sample(registry, "workqueue_depth") == 1
    queue.add("a")  # dirty again while processing: counted, though not yet in the queue
    assert sample(registry, "workqueue_adds_total") == 3
    assert sample(registry, "workqueue_depth") == 2


async def test_queue_and_work_durations_follow_the_clock(
    registry: CollectorRegistry, provider: WorkqueueMetricsProvider
) -> None:
    clock = FakeClock()
    queue: Queue[str] = Queue("q", clock=clock, metrics=provider)
    queue.add("a")
    await clock.advance(2)
    await queue.get()
    await clock.advance(0.5)
    queue.done("a")
    assert sample(registry, "workqueue_queue_duration_seconds_count") == 1
    assert sample(registry, "workqueue_queue_duration_seconds_sum") == 2
    assert sample(registry, "workqueue_work_duration_seconds_count") == 1
    assert sample(registry, "workqueue_work_duration_seconds_sum") == 0.5
    bucket = "workqueue_work_duration_seconds_bucket"
    assert sample(registry, bucket, {**LABELS, "le": "0.1"}) == 0
    assert sample(registry, bucket, {**LABELS, "le": "1.0"}) == 1


async def test_unfinished_and_longest_running_are_current_when_scraped(
    registry: CollectorRegistry, provider: WorkqueueMetricsProvider
) -> None:
    clock = FakeClock()
    queue: Queue[str] = Queue("q", clock=clock, metrics=provider)
    queue.add("a")
    queue.add("b")
    await queue.get()
    await clock.advance(3)
    await queue.get()
    await clock.advance(1)
    assert sample(registry, "workqueue_unfinished_work_seconds") == 4 + 1
    assert sample(registry, "workqueue_longest_running_processor_seconds") == 4
    queue.done("a")
    assert sample(registry, "workqueue_unfinished_work_seconds") == 1
    assert sample(registry, "workqueue_longest_running_processor_seconds") == 1
    queue.done("b")
    assert sample(registry, "workqueue_unfinished_work_seconds") == 0
    assert sample(registry, "workqueue_longest_running_processor_seconds") == 0


async def test_every_delayed_add_counts_as_a_retry(
    registry: CollectorRegistry, provider: WorkqueueMetricsProvider
) -> None:
    clock = FakeClock()
    queue: RateLimitingQueue[str] = RateLimitingQueue(
        ItemExponentialFailureRateLimiter(base=1, max=10), "q", clock=clock, metrics=provider
    )
    queue.add_after("a", 0)
    queue.add_after("b", 5)
    queue.add_rate_limited("c")
    queue.add("d")  # a plain add is not a retry
    assert sample(registry, "workqueue_retries_total") == 3
    queue.shut_down()
    queue.add_after("e", 1)
    assert sample(registry, "workqueue_retries_total") == 3


async def test_queues_sharing_a_provider_keep_their_own_series(
    registry: CollectorRegistry, provider: WorkqueueMetricsProvider
) -> None:
    first: Queue[str] = Queue("first", metrics=provider)
    second: DelayingQueue[str] = DelayingQueue("second", metrics=provider)
    first.add("a")
    second.add("a")
    second.add("b")
    first_labels = {"name": "first", "controller": "first"}
    second_labels = {"name": "second", "controller": "second"}
    assert sample(registry, "workqueue_adds_total", first_labels) == 1
    assert sample(registry, "workqueue_adds_total", second_labels) == 2


async def test_an_unnamed_queue_registers_nothing(
    registry: CollectorRegistry, provider: WorkqueueMetricsProvider
) -> None:
    queue: Queue[str] = Queue(metrics=provider)
    queue.add("a")
    assert registry.get_sample_value("workqueue_adds_total", {"name": "", "controller": ""}) is None


async def test_a_queue_without_a_provider_works() -> None:
    clock = FakeClock()
    queue: DelayingQueue[str] = DelayingQueue("q", clock=clock)
    queue.add_after("a", 1)
    await clock.advance(1)
    assert await queue.get() == "a"
    queue.done("a")
    assert len(queue) == 0


def test_a_registry_takes_one_provider(registry: CollectorRegistry) -> None:
    WorkqueueMetricsProvider(registry)
    with pytest.raises(ValueError, match="Duplicated"):
        WorkqueueMetricsProvider(registry)


def test_the_real_clock_is_read_without_a_wrapper() -> None:
    fake = FakeClock()
    assert now_function(RealClock()) is time.monotonic
    assert now_function(fake) == fake.now


async def test_durations_on_the_real_clock_are_recorded(
    registry: CollectorRegistry, provider: WorkqueueMetricsProvider
) -> None:
    queue: Queue[str] = Queue("q", metrics=provider)
    queue.add("a")
    queue.add("a")
    item = await queue.get()
    queue.done(item)
    assert sample(registry, "workqueue_adds_total", LABELS) == 1
    assert sample(registry, "workqueue_depth", LABELS) == 0
    for histogram in HISTOGRAMS:
        assert sample(registry, f"{histogram}_count", LABELS) == 1
        assert sample(registry, f"{histogram}_sum", LABELS) >= 0
