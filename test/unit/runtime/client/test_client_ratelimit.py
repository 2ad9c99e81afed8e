"""The token bucket on a fake clock: burst first, then qps, in order."""

from __future__ import annotations

import asyncio

import pytest

from kruise.runtime.client.ratelimit import TokenBucket
from kruise.runtime.clock import FakeClock


async def test_burst_is_free_then_one_token_per_interval() -> None:
    clock = FakeClock()
    bucket = TokenBucket(qps=2, burst=3, clock=clock)
    for _ in range(3):
        assert await bucket.acquire() == 0.0
    assert not bucket.try_acquire()

    waiter = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0)
    assert not waiter.done()
    await clock.advance(0.4)
    assert not waiter.done()
    await clock.advance(0.1)
    assert waiter.done()
    assert waiter.result() == pytest.approx(0.5)


async def test_waiters_are_served_in_order() -> None:
    clock = FakeClock()
    bucket = TokenBucket(qps=10, burst=1, clock=clock)
    assert bucket.try_acquire()
    done: list[int] = []

    async def take(i: int) -> None:
        await bucket.acquire()
        done.append(i)

    tasks = [asyncio.create_task(take(i)) for i in range(3)]
    await asyncio.sleep(0)
    for expected in ([0], [0, 1], [0, 1, 2]):
        await clock.advance(0.1)
        assert done == expected
    await asyncio.gather(*tasks)


async def test_tokens_accumulate_up_to_burst_only() -> None:
    clock = FakeClock()
    bucket = TokenBucket(qps=1, burst=2, clock=clock)
    assert bucket.try_acquire()
    assert bucket.try_acquire()
    await clock.advance(100)
    assert bucket.try_acquire()
    assert bucket.try_acquire()
    assert not bucket.try_acquire()


async def test_non_positive_qps_disables_limiting() -> None:
    for qps in (0, -1):
        bucket = TokenBucket(qps=qps, burst=0, clock=FakeClock())
        assert not bucket.enabled
        for _ in range(1000):
            assert await bucket.acquire() == 0.0


async def test_a_cancelled_waiter_gives_its_token_back() -> None:
    clock = FakeClock()
    bucket = TokenBucket(qps=1, burst=1, clock=clock)
    assert bucket.try_acquire()
    waiter = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await clock.advance(1.0)
    assert bucket.try_acquire()


def test_burst_must_be_positive_when_limiting() -> None:
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(qps=5, burst=0)


async def test_available_counts_saved_tokens_and_reservations_without_taking_any() -> None:
    clock = FakeClock()
    bucket = TokenBucket(qps=10, burst=4, clock=clock)
    assert bucket.available() == 4
    assert bucket.available() == 4  # asking takes nothing
    for _ in range(6):
        bucket.reserve()
    assert bucket.available() == pytest.approx(-2)  # two callers wait for tokens
    await clock.advance(0.5)
    assert bucket.available() == pytest.approx(3)
    assert TokenBucket(qps=0, burst=0).available() == float("inf")
