"""Small tools of one contender's run (the child process): progress lines, one-line
errors, and waiting for a condition, a watch or a tracker."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from support.managers import tail

__all__ = [
    "RunError",
    "Tracker",
    "follow",
    "say",
    "set_tag",
    "tail",
    "wait_async",
    "wait_tracker",
]

_tag = ["cloneset"]


def set_tag(tag: str) -> None:
    """The word in front of this process's progress lines (the driver passes on the
    lines of a child that start with ``[<tag>``)."""
    _tag[0] = tag


def say(message: str) -> None:
    print(f"[{_tag[0]} {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Tracker(Protocol):
    """What ``wait_tracker`` waits on (``observer.ScaleTracker``, ``InPlaceTracker``...)."""

    @property
    def done(self) -> bool: ...

    def progress(self) -> str: ...


class RunError(Exception):
    """A phase could not be measured; the message says why, in one line."""


async def wait_async(
    check: Callable[[], Any], what: str, limit: float, alive: Callable[[], None]
) -> None:
    deadline = time.monotonic() + limit
    while not await check():
        alive()
        if time.monotonic() > deadline:
            raise RunError(f"timed out after {limit:.0f}s waiting for {what}")
        await asyncio.sleep(0.2)


async def follow(
    client: Any,
    resource: Any,
    namespace: str,
    resource_version: str,
    handle: Callable[[str, dict[str, Any], float], None],
) -> None:
    """Feed every watch event of ``resource`` in ``namespace`` to ``handle`` with the
    time it arrived, reconnecting from the last resourceVersion when the stream ends."""
    rv = resource_version
    while True:
        async with client.watch(resource, namespace, resource_version=rv) as events:
            async for event_type, obj in events:
                rv = (obj.get("metadata") or {}).get("resourceVersion") or rv
                if event_type != "BOOKMARK":
                    handle(event_type, obj, time.monotonic())


async def wait_tracker(
    tracker: Tracker,
    watches: Sequence[asyncio.Task[None]],
    limit: float,
    what: str,
    alive: Callable[[], None],
) -> None:
    deadline = time.monotonic() + limit
    last_note = time.monotonic()
    try:
        while not tracker.done:
            for watch in watches:
                if watch.done():
                    raise RunError(f"the {what} watch ended: {watch.exception()!r}")
            alive()
            now = time.monotonic()
            if now > deadline:
                raise RunError(f"{what}: not done after {limit:.0f}s ({tracker.progress()})")
            if now - last_note > 15:
                say(f"{what}: {tracker.progress()}")
                last_note = now
            await asyncio.sleep(0.05)
    finally:
        for watch in watches:
            watch.cancel()
        await asyncio.gather(*watches, return_exceptions=True)
