"""The list/watch loop against a scripted source, on a fake clock."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from support.cache_fakes import FakeServer, bookmark, obj, until

from kruise.runtime.cache import Informer
from kruise.runtime.client import CONFIGMAPS, NODES, Gone, Timeout, TransportError
from kruise.runtime.clock import FakeClock


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def names(informer: Informer) -> list[str]:
    return sorted(o["metadata"]["name"] for o in informer.list())


@pytest.fixture
async def running(server: FakeServer, clock: FakeClock) -> AsyncIterator[Informer]:
    informer = Informer(server, CONFIGMAPS, namespace="ns", clock=clock, rng=random.Random(1))
    server.will_list("10", obj("a", "5"))
    informer.start()
    await until(lambda: server.streams)
    yield informer
    await informer.stop()


async def test_lists_from_rv_0_then_watches_from_the_lists_version(
    server: FakeServer, clock: FakeClock
) -> None:
    informer = Informer(
        server,
        CONFIGMAPS,
        namespace="ns",
        label_selector="app=web",
        field_selector="metadata.name!=x",
        page_size=100,
        clock=clock,
    )
    server.will_list("10", obj("a", "5"))
    informer.start()
    assert await informer.wait_for_sync(timeout=1)
    await until(lambda: server.streams)
    assert server.list_calls == [
        {
            "namespace": "ns",
            "label_selector": "app=web",
            "field_selector": "metadata.name!=x",
            "resource_version": "0",
            "page_size": 100,
        }
    ]
    params = server.stream.params
    assert params["resource_version"] == "10"
    assert params["allow_bookmarks"] is True
    assert 300 <= params["timeout_seconds"] <= 600
    assert (params["namespace"], params["label_selector"]) == ("ns", "app=web")
    assert params["field_selector"] == "metadata.name!=x"
    await informer.stop()
    assert server.stream.closed
    assert not informer.running


async def test_watch_timeouts_are_spread_over_five_to_ten_minutes(server: FakeServer) -> None:
    informer = Informer(server, CONFIGMAPS, rng=random.Random(7))
    server.will_list("1")
    informer.start()
    timeouts = set()
    for n in range(1, 30):
        await until(lambda n=n: len(server.streams) == n)
        timeouts.add(server.stream.params["timeout_seconds"])
        server.stream.send("BOOKMARK", bookmark(str(n)))
        server.stream.end()
    await informer.stop()
    assert min(timeouts) >= 300
    assert max(timeouts) <= 600
    assert len(timeouts) > 10


async def test_a_watch_ended_by_the_server_resumes_from_the_last_bookmark(
    running: Informer, server: FakeServer
) -> None:
    server.stream.send("ADDED", obj("b", "11"))
    server.stream.send("BOOKMARK", bookmark("15"))
    server.stream.end()
    await until(lambda: len(server.streams) == 2)
    assert server.stream.params["resource_version"] == "15"
    assert len(server.list_calls) == 1
    assert names(running) == ["a", "b"]


async def test_gone_relists_consistently_and_reports_the_difference(
    running: Informer, server: FakeServer
) -> None:
    seen: list[tuple[str, str]] = []
    running.add_event_handler(
        on_add=lambda o: seen.append(("add", o["metadata"]["name"])),
        on_update=lambda old, new: seen.append(("update", new["metadata"]["name"])),
        on_delete=lambda o: seen.append(("delete", o["metadata"]["name"])),
    )
    seen.clear()
    server.will_list("30", obj("a", "20"), obj("c", "25"))
    server.stream.send("BOOKMARK", bookmark("12"))
    server.stream.fail(Gone("too old resource version: 12 (20)"))
    await until(lambda: len(server.streams) == 2)
    assert server.list_calls[-1]["resource_version"] == ""
    assert server.stream.params["resource_version"] == "30"
    assert sorted(seen) == [("add", "c"), ("update", "a")]
    assert running.stats.relists_after_gone == 1


async def test_a_gone_without_progress_relists_after_a_backoff(
    running: Informer, server: FakeServer, clock: FakeClock
) -> None:
    server.will_list("30")
    server.stream.fail(Gone("too old resource version: 10 (20)"))
    await until(lambda: clock.sleepers() == 1)
    assert len(server.list_calls) == 1
    await clock.advance(2)
    await until(lambda: len(server.streams) == 2)
    assert server.list_calls[-1]["resource_version"] == ""


async def test_a_too_large_resource_version_also_relists(
    running: Informer, server: FakeServer, clock: FakeClock
) -> None:
    server.will_list("40")
    too_large = Timeout(
        "Too large resource version: 99, current: 40",
        status=504,
        details={"causes": [{"reason": "ResourceVersionTooLarge", "message": "x"}]},
    )
    server.stream.fail(too_large)
    await until(lambda: clock.sleepers() == 1)
    await clock.advance(2)
    await until(lambda: len(server.streams) == 2)
    assert server.list_calls[-1]["resource_version"] == ""
    assert names(running) == []


async def test_transport_errors_back_off_and_rewatch_without_listing(
    running: Informer, server: FakeServer, clock: FakeClock
) -> None:
    server.stream.send("BOOKMARK", bookmark("12"))
    server.watch_errors.extend([TransportError("refused"), TransportError("refused")])
    server.stream.fail(TransportError("reset"))
    await until(lambda: len(server.streams) == 1 and clock.sleepers() == 1)
    await clock.advance(1.7)  # first backoff: 0.8 s plus jitter
    await until(lambda: len(server.streams) == 2)
    await until(lambda: clock.sleepers() == 1)
    await clock.advance(1.5)
    assert len(server.streams) == 2  # the second wait is longer: 1.6 s plus jitter
    await clock.advance(2)
    await until(lambda: len(server.streams) == 3)
    await until(lambda: clock.sleepers() == 1)
    await clock.advance(6.5)
    await until(lambda: len(server.streams) == 4)
    assert {s.params["resource_version"] for s in server.streams[1:]} == {"12"}
    assert len(server.list_calls) == 1
    assert running.stats.errors == 3


async def test_a_failed_first_list_is_retried_and_sync_waits_for_it(
    server: FakeServer, clock: FakeClock
) -> None:
    informer = Informer(server, CONFIGMAPS, clock=clock)
    server.will_fail_list(TransportError("connection refused"))
    server.will_list("3", obj("a", "2"))
    informer.start()
    await until(lambda: clock.sleepers() == 1)
    assert not informer.has_synced
    await clock.advance(2)
    await until(lambda: informer.has_synced)
    assert await informer.wait_for_sync(timeout=0)
    assert [c["resource_version"] for c in server.list_calls] == ["0", "0"]
    assert names(informer) == ["a"]
    await informer.stop()


async def test_wait_for_sync_times_out_on_the_informers_clock(
    server: FakeServer, clock: FakeClock
) -> None:
    informer = Informer(server, CONFIGMAPS, clock=clock)
    server.will_fail_list(TransportError("down"))
    informer.start()
    waiting = asyncio.create_task(informer.wait_for_sync(timeout=5))
    await until(lambda: clock.sleepers() >= 2)
    await clock.advance(5)
    assert await waiting is False
    await informer.stop()


async def test_a_silent_watch_is_restarted_after_the_inactivity_timeout(
    server: FakeServer, clock: FakeClock
) -> None:
    informer = Informer(server, CONFIGMAPS, inactivity_timeout=30, clock=clock)
    server.will_list("10")
    informer.start()
    await until(lambda: server.streams)
    await clock.advance(29)
    server.stream.send("BOOKMARK", bookmark("11"))
    await until(lambda: informer.resource_version == "11")
    await clock.advance(29)
    assert len(server.streams) == 1
    await clock.advance(2)
    await until(lambda: len(server.streams) == 2)
    assert server.streams[0].closed
    assert server.stream.params["resource_version"] == "11"
    assert informer.stats.inactivity_restarts == 1
    assert len(server.list_calls) == 1
    await informer.stop()


async def test_the_default_inactivity_timeout_is_the_server_timeout_plus_a_minute(
    running: Informer, server: FakeServer, clock: FakeClock
) -> None:
    limit = server.stream.params["timeout_seconds"] + 60
    assert server.stream.params["read_timeout"] == limit + 60
    await clock.advance(limit - 1)
    assert len(server.streams) == 1
    await clock.advance(1)
    await until(lambda: len(server.streams) == 2)
    assert running.stats.inactivity_restarts == 1


async def test_a_stream_that_ends_with_no_events_is_retried_after_a_backoff(
    running: Informer, server: FakeServer, clock: FakeClock
) -> None:
    server.stream.end()
    await until(lambda: clock.sleepers() == 1)
    assert len(server.streams) == 1
    await clock.advance(2)
    await until(lambda: len(server.streams) == 2)


async def test_pause_and_resume_hold_the_store_at_its_version(
    running: Informer, server: FakeServer, clock: FakeClock
) -> None:
    server.stream.send("BOOKMARK", bookmark("12"))
    await until(lambda: running.resource_version == "12")
    running.pause_watch()
    server.stream.send("ADDED", obj("late", "13"))
    await until(lambda: server.stream.closed)
    await clock.advance(100)
    assert len(server.streams) == 1
    assert names(running) == ["a"]
    running.resume_watch()
    await until(lambda: len(server.streams) == 2)
    assert server.stream.params["resource_version"] == "12"


async def test_drop_watch_reconnects_at_once(running: Informer, server: FakeServer) -> None:
    assert running.drop_watch()
    await until(lambda: len(server.streams) == 2)
    assert server.streams[0].closed
    assert server.stream.params["resource_version"] == "10"


async def test_resync_redelivers_cached_objects_periodically(
    server: FakeServer, clock: FakeClock
) -> None:
    informer = Informer(server, CONFIGMAPS, resync_period=100, clock=clock)
    updates: list[tuple[Any, Any]] = []
    informer.add_event_handler(on_update=lambda old, new: updates.append((old, new)))
    server.will_list("10", obj("a", "5"), obj("b", "6"))
    informer.start()
    await until(lambda: server.streams)
    await clock.advance(99)
    assert updates == []
    await clock.advance(11)  # the period plus at most 10 % jitter
    assert sorted(new["metadata"]["name"] for _, new in updates) == ["a", "b"]
    assert all(old is new for old, new in updates)
    await informer.stop()


async def test_cluster_scoped_resources_take_no_namespace(server: FakeServer) -> None:
    with pytest.raises(ValueError, match="cluster-scoped"):
        Informer(server, NODES, namespace="ns")
    with pytest.raises(ValueError, match="watch_timeout"):
        Informer(server, CONFIGMAPS, watch_timeout=(10, 5))
