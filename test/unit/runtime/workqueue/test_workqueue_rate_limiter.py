"""Retry policies: exponential backoff, token bucket, max-of and the default."""

from __future__ import annotations

import math

import pytest

from kruise.runtime.clock import FakeClock
from kruise.runtime.workqueue import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    MaxOfRateLimiter,
    default_controller_rate_limiter,
)


def test_exponential_doubles_per_failure_and_counts_requeues() -> None:
    limiter = ItemExponentialFailureRateLimiter(base=0.005, max=1000)
    assert [limiter.when("a") for _ in range(4)] == [0.005, 0.01, 0.02, 0.04]
    assert limiter.num_requeues("a") == 4


def test_exponential_tracks_each_item_separately() -> None:
    limiter = ItemExponentialFailureRateLimiter(base=1, max=1000)
    limiter.when("a")
    limiter.when("a")
    assert limiter.when("b") == 1
    assert limiter.num_requeues("a") == 2
    assert limiter.num_requeues("b") == 1


def test_exponential_is_capped_at_max() -> None:
    limiter = ItemExponentialFailureRateLimiter(base=1, max=10)
    assert [limiter.when("a") for _ in range(6)] == [1, 2, 4, 8, 10, 10]


def test_exponential_survives_more_failures_than_a_float_can_double() -> None:
    limiter = ItemExponentialFailureRateLimiter(base=0.005, max=1000)
    delays = [limiter.when("a") for _ in range(1200)]
    assert delays[-1] == 1000
    assert limiter.num_requeues("a") == 1200


def test_forget_starts_the_backoff_afresh() -> None:
    limiter = ItemExponentialFailureRateLimiter(base=1, max=1000)
    limiter.when("a")
    limiter.when("a")
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    assert limiter.when("a") == 1


def test_bucket_allows_a_burst_then_spaces_by_qps() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(qps=10, burst=3, clock=clock)
    delays = [limiter.when(str(n)) for n in range(6)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3:] == pytest.approx([0.1, 0.2, 0.3])


async def test_bucket_refills_with_time_up_to_burst() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(qps=10, burst=3, clock=clock)
    for _ in range(3):
        limiter.when("x")
    await clock.advance(0.2)  # two tokens back
    assert [limiter.when("x") for _ in range(3)] == pytest.approx([0, 0, 0.1])
    await clock.advance(100)  # repays the debt, then full but no more than burst
    assert [limiter.when("x") for _ in range(4)] == pytest.approx([0, 0, 0, 0.1])


def test_bucket_ignores_items_and_forget() -> None:
    limiter = BucketRateLimiter(qps=1, burst=1, clock=FakeClock())
    limiter.when("a")
    limiter.forget("a")
    assert limiter.when("b") == pytest.approx(1.0)
    assert limiter.num_requeues("a") == 0


def test_bucket_with_infinite_qps_never_waits() -> None:
    limiter = BucketRateLimiter(qps=math.inf, burst=1, clock=FakeClock())
    assert [limiter.when("a") for _ in range(5)] == [0, 0, 0, 0, 0]


@pytest.mark.parametrize(("qps", "burst"), [(0, 1), (-1, 1), (10, 0)])
def test_bucket_rejects_settings_that_could_never_grant(qps: float, burst: int) -> None:
    with pytest.raises(ValueError, match=r"qps|burst"):
        BucketRateLimiter(qps=qps, burst=burst)


def test_max_of_takes_the_longest_wait_and_the_most_requeues() -> None:
    clock = FakeClock()
    exponential = ItemExponentialFailureRateLimiter(base=0.01, max=1000)
    bucket = BucketRateLimiter(qps=1, burst=1, clock=clock)
    limiter = MaxOfRateLimiter(exponential, bucket)
    assert limiter.when("a") == 0.01  # bucket says 0
    assert limiter.when("a") == pytest.approx(1.0)  # bucket says 1, backoff 0.02
    assert limiter.num_requeues("a") == 2
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    assert exponential.num_requeues("a") == 0


def test_max_of_needs_a_limiter() -> None:
    with pytest.raises(ValueError, match="at least one"):
        MaxOfRateLimiter()


def test_default_controller_limiter_combines_backoff_and_bucket() -> None:
    clock = FakeClock()
    limiter = default_controller_rate_limiter(clock=clock)
    # 100 distinct first failures fit the burst: each waits the 5 ms base.
    assert {limiter.when(n) for n in range(100)} == {0.005}
    # The 101st exceeds the burst: the bucket's 1/10 s wait wins.
    assert limiter.when(100) == pytest.approx(0.1)
    assert limiter.num_requeues(0) == 1


def test_default_controller_limiter_takes_the_flag_values() -> None:
    clock = FakeClock()
    limiter = default_controller_rate_limiter(
        base_delay=1, max_delay=3, qps=1000, burst=1000, clock=clock
    )
    assert [limiter.when("a") for _ in range(4)] == [1, 2, 3, 3]
