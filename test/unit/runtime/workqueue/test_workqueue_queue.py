"""The base queue: dedupe, FIFO, one worker per item, re-add while processing, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from kruise.runtime.workqueue import Queue, ShutDown

# A broken queue makes get() wait forever; fail fast instead of hanging the run.
pytestmark = pytest.mark.timeout(5)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_items_come_out_in_the_order_they_were_added() -> None:
    queue: Queue[str] = Queue()
    for item in ("c", "a", "b"):
        queue.add(item)
    assert [await queue.get() for _ in range(3)] == ["c", "a", "b"]


async def test_an_item_added_many_times_is_queued_once() -> None:
    queue: Queue[str] = Queue()
    queue.add("a")
    queue.add("b")
    queue.add("a")
    queue.add("a")
    assert len(queue) == 2
    assert await queue.get() == "a"
    assert await queue.get() == "b"
    assert len(queue) == 0


async def test_an_item_added_while_processing_waits_for_done_then_comes_back() -> None:
    queue: Queue[str] = Queue()
    queue.add("a")
    assert await queue.get() == "a"
    queue.add("a")
    queue.add("a")
    assert len(queue) == 0  # not handed out while a worker has it
    queue.done("a")
    assert len(queue) == 1
    assert await queue.get() == "a"
    queue.done("a")
    assert len(queue) == 0


async def test_done_without_a_re_add_does_not_requeue() -> None:
    queue: Queue[str] = Queue()
    queue.add("a")
    await queue.get()
    queue.done("a")
    queue.done("a")  # not processing any more: ignored, no duplicate
    assert len(queue) == 0


async def test_re_added_item_goes_behind_items_added_before_done() -> None:
    queue: Queue[str] = Queue()
    queue.add("a")
    await queue.get()
    queue.add("a")
    queue.add("b")
    queue.done("a")
    assert [await queue.get(), await queue.get()] == ["b", "a"]


async def test_get_waits_for_an_add() -> None:
    queue: Queue[str] = Queue()
    getter = asyncio.create_task(queue.get())
    await settle()
    assert not getter.done()
    queue.add("a")
    assert await getter == "a"


async def test_get_nowait_takes_a_queued_item_as_get_does() -> None:
    queue: Queue[str] = Queue()
    queue.add("a")
    queue.add("b")
    assert queue.get_nowait() == "a"
    queue.add("a")  # being processed: only marked dirty
    assert len(queue) == 1
    assert queue.get_nowait() == "b"
    queue.done("a")
    assert queue.get_nowait() == "a"


async def test_get_nowait_on_an_empty_queue_raises_queue_empty_then_shut_down() -> None:
    queue: Queue[str] = Queue()
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()
    queue.add("a")
    queue.shut_down()
    assert queue.get_nowait() == "a"  # what is left is still handed out
    with pytest.raises(ShutDown):
        queue.get_nowait()


async def test_get_nowait_leaves_a_woken_getter_waiting_without_losing_the_wake_up() -> None:
    queue: Queue[str] = Queue()
    waiting = asyncio.create_task(queue.get())
    await settle()
    queue.add("a")  # wakes `waiting`...
    assert queue.get_nowait() == "a"  # ...but a busy worker takes the item first
    await settle()
    assert not waiting.done()
    queue.add("b")
    assert await waiting == "b"


async def test_several_workers_never_process_one_key_at_the_same_time() -> None:
    queue: Queue[int] = Queue()
    in_flight: set[int] = set()
    overlaps: list[int] = []
    processed: list[int] = []

    async def worker() -> None:
        while True:
            try:
                key = await queue.get()
            except ShutDown:
                return
            if key in in_flight:
                overlaps.append(key)
            in_flight.add(key)
            for _ in range(3):
                await asyncio.sleep(0)
            in_flight.discard(key)
            processed.append(key)
            queue.done(key)

    workers = [asyncio.create_task(worker()) for _ in range(4)]
    for _ in range(20):
        for key in range(3):
            queue.add(key)
        await asyncio.sleep(0)
    await settle()
    await queue.shut_down_with_drain()
    await asyncio.gather(*workers)

    assert overlaps == []
    assert set(processed) == {0, 1, 2}
    # Re-adds while processing were not lost, yet dedupe kept it far below 60.
    assert 3 < len(processed) < 60


async def test_a_burst_of_adds_wakes_one_waiting_worker_not_one_per_item() -> None:
    # The woken worker takes queued items without yielding; waking the others would only
    # send them back to sleep on an empty queue.
    queue: Queue[int] = Queue()
    taken: dict[str, list[int]] = {"a": [], "b": [], "c": []}

    async def worker(name: str) -> None:
        while True:
            try:
                key = await queue.get()
            except ShutDown:
                return
            taken[name].append(key)
            queue.done(key)

    workers = [asyncio.create_task(worker(name)) for name in taken]
    await settle()
    for key in range(10):
        queue.add(key)
    assert len(queue._getters) == 2  # two workers still asleep, not woken to find nothing
    await settle()

    assert sorted(len(keys) for keys in taken.values()) == [0, 0, 10]
    queue.shut_down()
    await asyncio.gather(*workers)


async def test_items_left_when_a_worker_yields_wake_the_next_worker() -> None:
    queue: Queue[int] = Queue()
    holding: set[int] = set()
    release = asyncio.Event()

    async def worker() -> None:
        while True:
            try:
                key = await queue.get()
            except ShutDown:
                return
            holding.add(key)
            await release.wait()  # a reconcile waiting on the API server
            queue.done(key)

    workers = [asyncio.create_task(worker()) for _ in range(3)]
    await settle()
    for key in range(3):
        queue.add(key)
    await settle()

    assert holding == {0, 1, 2}  # all three workers busy at once
    release.set()
    queue.shut_down()
    await asyncio.gather(*workers)


async def test_a_cancelled_getter_does_not_swallow_the_item() -> None:
    queue: Queue[str] = Queue()
    first = asyncio.create_task(queue.get())
    second = asyncio.create_task(queue.get())
    await settle()
    queue.add("a")  # wakes `first`...
    first.cancel()  # ...which is cancelled before it runs
    await settle()
    assert second.done()
    assert second.result() == "a"
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_shut_down_hands_out_what_is_left_then_raises() -> None:
    queue: Queue[str] = Queue()
    queue.add("a")
    queue.shut_down()
    queue.add("b")  # ignored once shutting down
    assert queue.shutting_down
    assert len(queue) == 1
    assert await queue.get() == "a"
    with pytest.raises(ShutDown):
        await queue.get()


async def test_shut_down_wakes_every_waiting_getter() -> None:
    queue: Queue[str] = Queue()
    getters = [asyncio.create_task(queue.get()) for _ in range(3)]
    await settle()
    queue.shut_down()
    results = await asyncio.gather(*getters, return_exceptions=True)
    assert [type(result) for result in results] == [ShutDown, ShutDown, ShutDown]


async def test_shut_down_with_drain_waits_for_items_in_flight() -> None:
    queue: Queue[str] = Queue()
    queue.add("a")
    queue.add("b")
    await queue.get()
    await queue.get()
    drain = asyncio.create_task(queue.shut_down_with_drain())
    await settle()
    assert not drain.done()
    queue.done("a")
    await settle()
    assert not drain.done()
    queue.done("b")
    await settle()
    assert drain.done()
    with pytest.raises(ShutDown):
        await queue.get()


async def test_shut_down_with_drain_returns_at_once_when_idle() -> None:
    queue: Queue[str] = Queue()
    queue.add("waiting")  # queued items are not waited for
    await queue.shut_down_with_drain()
    assert queue.shutting_down
    assert await queue.get() == "waiting"


async def test_shut_down_ends_a_drain_early() -> None:
    queue: Queue[str] = Queue()
    queue.add("a")
    await queue.get()
    drain = asyncio.create_task(queue.shut_down_with_drain())
    await settle()
    assert not drain.done()
    queue.shut_down()
    await settle()
    assert drain.done()
