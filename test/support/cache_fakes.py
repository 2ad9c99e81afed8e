"""A scripted list/watch source for unit tests of the informer loop (integration tests
use the real API server)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from kruise.runtime.client import ObjectList, Resource, WatchEvent
from support.polling import eventually


def obj(name: str, rv: str, namespace: str = "ns", uid: str = "", **labels: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": uid or f"uid-{name}",
            "resourceVersion": rv,
            "labels": dict(labels),
            "managedFields": [{"manager": "kubectl"}],
        }
    }


def bookmark(rv: str) -> dict[str, Any]:
    return {"metadata": {"resourceVersion": rv}}


class FakeStream:
    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.queue: asyncio.Queue[WatchEvent | BaseException | None] = asyncio.Queue()
        self.closed = False

    def __aiter__(self) -> FakeStream:
        return self

    async def __anext__(self) -> WatchEvent:
        item = await self.queue.get()
        if item is None:
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        self.closed = True

    def send(self, event_type: str, body: dict[str, Any]) -> None:
        self.queue.put_nowait(WatchEvent(event_type, body))

    def fail(self, error: BaseException) -> None:
        self.queue.put_nowait(error)

    def end(self) -> None:
        self.queue.put_nowait(None)


class FakeServer:
    """Answers each LIST with the next scripted result (an ObjectList or an exception),
    waiting for one if none is scripted yet, and hands out a FakeStream per WATCH that
    raises the next scripted watch error if any."""

    def __init__(self) -> None:
        self.list_results: asyncio.Queue[ObjectList | BaseException] = asyncio.Queue()
        self.list_calls: list[dict[str, Any]] = []
        self.watch_errors: deque[BaseException] = deque()
        self.streams: list[FakeStream] = []

    def will_list(self, rv: str, *items: dict[str, Any]) -> None:
        self.list_results.put_nowait(ObjectList(list(items), rv))

    def will_fail_list(self, error: BaseException) -> None:
        self.list_results.put_nowait(error)

    async def list(
        self, resource: Resource, namespace: str | None = None, **params: Any
    ) -> ObjectList:
        self.list_calls.append({"namespace": namespace, **params})
        result = await self.list_results.get()
        if isinstance(result, BaseException):
            raise result
        return result

    def watch(self, resource: Resource, namespace: str | None = None, **params: Any) -> Any:
        stream = FakeStream({"namespace": namespace, **params})
        self.streams.append(stream)
        if self.watch_errors:
            stream.fail(self.watch_errors.popleft())
        return stream

    @property
    def stream(self) -> FakeStream:
        return self.streams[-1]


async def settle(rounds: int = 20) -> None:
    """Let every ready task run until it waits on something."""
    for _ in range(rounds):
        await asyncio.sleep(0)


async def until(condition: Callable[[], object]) -> None:
    """Let the loop run until ``condition()`` holds, then let it settle. The clocks of these
    tests are fake, so nothing sleeps: the check runs again at every turn of the loop."""
    await eventually(condition, timeout=5, interval=0, what="the informer to get there")
    await settle()
