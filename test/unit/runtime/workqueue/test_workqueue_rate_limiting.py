"""The rate-limiting queue: retries wait as the limiter says."""

from __future__ import annotations

import pytest

from kruise.runtime.clock import FakeClock
from kruise.runtime.workqueue import ItemExponentialFailureRateLimiter, RateLimitingQueue

# A broken queue makes get() wait forever; fail fast instead of hanging the run.
pytestmark = pytest.mark.timeout(5)


async def test_add_rate_limited_waits_the_backoff_and_forget_resets_it() -> None:
    clock = FakeClock()
    queue: RateLimitingQueue[str] = RateLimitingQueue(
        ItemExponentialFailureRateLimiter(base=1, max=60), clock=clock
    )
    queue.add_rate_limited("a")
    assert queue.num_requeues("a") == 1
    await clock.advance(0.5)
    assert len(queue) == 0
    await clock.advance(0.5)
    assert await queue.get() == "a"
    queue.done("a")

    queue.add_rate_limited("a")  # second failure: 2 s
    await clock.advance(1.5)
    assert len(queue) == 0
    await clock.advance(0.5)
    assert len(queue) == 1
    assert queue.num_requeues("a") == 2

    queue.forget("a")
    assert queue.num_requeues("a") == 0
    assert len(queue) == 1  # forget does not dequeue


async def test_default_limiter_uses_the_queue_clock() -> None:
    clock = FakeClock()
    queue: RateLimitingQueue[int] = RateLimitingQueue(clock=clock)
    for item in range(101):
        queue.add_rate_limited(item)
    await clock.advance(0.005)
    assert len(queue) == 100  # the 101st waits for a bucket token
    await clock.advance(0.095)
    assert len(queue) == 101
