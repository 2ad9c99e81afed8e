"""Delayed adds, timed by a FakeClock."""

from __future__ import annotations

import asyncio

import pytest

from kruise.runtime.clock import FakeClock
from kruise.runtime.workqueue import DelayingQueue

# A broken queue makes get() wait forever; fail fast instead of hanging the run.
pytestmark = pytest.mark.timeout(5)


def new_queue() -> tuple[DelayingQueue[str], FakeClock]:
    clock = FakeClock()
    return DelayingQueue(clock=clock), clock


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_an_item_appears_only_once_its_delay_has_passed() -> None:
    queue, clock = new_queue()
    queue.add_after("a", 5)
    await settle()
    assert len(queue) == 0
    assert queue.waiting == 1
    await clock.advance(4.999)
    assert len(queue) == 0
    await clock.advance(0.001)
    assert len(queue) == 1
    assert queue.waiting == 0
    assert await queue.get() == "a"


async def test_a_zero_or_negative_delay_adds_at_once() -> None:
    queue, _ = new_queue()
    queue.add_after("a", 0)
    queue.add_after("b", -1)
    assert len(queue) == 2
    assert queue.waiting == 0


async def test_items_become_ready_in_deadline_order() -> None:
    queue, clock = new_queue()
    queue.add_after("late", 3)
    queue.add_after("early", 1)
    queue.add_after("middle", 2)
    await clock.advance(10)
    assert len(queue) == 3
    assert [await queue.get() for _ in range(3)] == ["early", "middle", "late"]


async def test_a_later_shorter_delay_wins() -> None:
    queue, clock = new_queue()
    queue.add_after("a", 10)
    await settle()
    queue.add_after("a", 2)
    await clock.advance(2)
    assert len(queue) == 1
    assert queue.waiting == 0


async def test_a_later_longer_delay_is_ignored() -> None:
    queue, clock = new_queue()
    queue.add_after("a", 2)
    queue.add_after("a", 10)
    assert queue.waiting == 1
    await clock.advance(2)
    assert len(queue) == 1
    assert await queue.get() == "a"
    queue.done("a")
    await clock.advance(8)
    assert len(queue) == 0  # the 10 s request was folded into the 2 s one


async def test_waiting_item_added_directly_is_still_deduped() -> None:
    queue, clock = new_queue()
    queue.add_after("a", 1)
    queue.add("a")
    await clock.advance(1)
    assert len(queue) == 1


async def test_the_timer_rearms_for_the_next_deadline() -> None:
    queue, clock = new_queue()
    queue.add_after("a", 1)
    queue.add_after("b", 5)
    await clock.advance(1)
    assert len(queue) == 1
    assert clock.sleepers() == 1  # now sleeping towards b
    await clock.advance(4)
    assert len(queue) == 2
    assert clock.sleepers() == 0


async def test_shut_down_drops_waiting_items_and_stops_the_timer() -> None:
    queue, clock = new_queue()
    queue.add_after("a", 1)
    await settle()
    assert clock.sleepers() == 1
    queue.shut_down()
    await settle()
    assert clock.sleepers() == 0
    assert queue.waiting == 0
    queue.add_after("b", 1)
    await clock.advance(5)
    assert len(queue) == 0
    assert queue.waiting == 0
