"""Kubernetes Events (core/v1) with client-go's aggregation and spam protection.

- An identical event (same object, type, reason and message) again bumps ``count`` and
  ``lastTimestamp`` on the existing Event instead of creating another.
- More than ``AGGREGATE_MAX`` distinct messages for one object, type and reason within
  ``AGGREGATE_WINDOW`` are folded into one "(combined from similar events)" Event.
- Each object gets a token bucket (burst 25, one token per 5 minutes) so a hot loop
  cannot flood the API server; events over the limit are dropped.

``event()`` never blocks a reconcile: events are written by a background task.
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import socket
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from kruise.runtime.client import Client, ClientError, NotFound
from kruise.runtime.client.resource import EVENTS
from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.log import get_logger

NORMAL = "Normal"
WARNING = "Warning"
AGGREGATE_MAX = 10
AGGREGATE_WINDOW = 600.0
SPAM_BURST = 25.0
SPAM_REFILL_SECONDS = 300.0
CACHE_SIZE = 4096
QUEUE_SIZE = 1000

log = get_logger("events")


@dataclass
class _Seen:
    name: str
    namespace: str
    count: int
    first_timestamp: str


@dataclass
class _Bucket:
    tokens: float
    updated: float


def _timestamp(wall: float) -> str:
    return datetime.datetime.fromtimestamp(wall, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventRecorder:
    """Records core/v1 Events about objects, as ``component`` on this host.

    ``event`` returns at once: a background task writes, repeats are aggregated, each
    object is rate-limited, and a write the API server refuses is logged and dropped.
    Call ``close`` on shutdown so queued events are written.
    """

    def __init__(self, client: Client, component: str, *, clock: Clock | None = None) -> None:
        self.client = client
        self.component = component
        self.host = socket.gethostname()
        self.clock = clock or RealClock()
        self._seen: OrderedDict[tuple[str, ...], _Seen] = OrderedDict()
        self._similar: dict[tuple[str, ...], tuple[float, set[str]]] = {}
        self._buckets: dict[str, _Bucket] = {}
        self._queue: asyncio.Queue[tuple[dict[str, Any], str, str, str]] = asyncio.Queue(QUEUE_SIZE)
        self._writer: asyncio.Task[None] | None = None
        self._sequence = itertools.count()

    def event(self, obj: dict[str, Any], event_type: str, reason: str, message: str) -> None:
        """Record an event about ``obj``; returns at once."""
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_loop())
        try:
            self._queue.put_nowait((obj, event_type, reason, message))
        except asyncio.QueueFull:
            log.warning("event queue full; dropping event", reason=reason)

    async def flush(self) -> None:
        """Wait until every queued event has been written (or dropped)."""
        await self._queue.join()

    async def close(self) -> None:
        """Write what is queued, then stop the background writer."""
        await self.flush()
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)

    async def _write_loop(self) -> None:
        while True:
            obj, event_type, reason, message = await self._queue.get()
            try:
                await self._write(obj, event_type, reason, message)
            except ClientError as err:
                log.warning("could not write event", reason=reason, error=str(err))
            finally:
                self._queue.task_done()

    def _allowed(self, object_key: str) -> bool:
        now = self.clock.now()
        bucket = self._buckets.setdefault(object_key, _Bucket(SPAM_BURST, now))
        refill = (now - bucket.updated) / SPAM_REFILL_SECONDS
        bucket.tokens = min(SPAM_BURST, bucket.tokens + refill)
        bucket.updated = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def _aggregate(
        self, object_key: str, event_type: str, reason: str, message: str
    ) -> tuple[str, tuple[str, ...]]:
        """The message to record and the key that identifies its Event: the message
        itself, or once similar ones pile up, one combined Event that carries the latest."""
        key = (object_key, event_type, reason)
        now = self.clock.now()
        started, messages = self._similar.get(key, (now, set()))
        if now - started > AGGREGATE_WINDOW:
            started, messages = now, set()
        messages.add(message)
        self._similar[key] = (started, messages)
        if len(messages) > AGGREGATE_MAX:
            combined = f"(combined from similar events): {message}"
            return combined, (object_key, event_type, reason, "(combined)")
        return message, (object_key, event_type, reason, message)

    async def _write(self, obj: dict[str, Any], event_type: str, reason: str, message: str) -> None:
        meta = obj.get("metadata") or {}
        involved = {
            "apiVersion": obj.get("apiVersion", ""),
            "kind": obj.get("kind", ""),
            "namespace": meta.get("namespace", ""),
            "name": meta.get("name", ""),
            "uid": meta.get("uid", ""),
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        object_key = "/".join(str(involved[k]) for k in ("kind", "namespace", "name", "uid"))
        if not self._allowed(object_key):
            return
        message, dedupe_key = self._aggregate(object_key, event_type, reason, message)
        namespace = str(involved["namespace"] or "default")
        now = _timestamp(self.clock.wall())
        seen = self._seen.get(dedupe_key)
        if seen is not None:
            patch = {"count": seen.count + 1, "lastTimestamp": now, "message": message}
            try:
                await self.client.patch(EVENTS, seen.name, patch, namespace=seen.namespace)
                seen.count += 1
                self._seen.move_to_end(dedupe_key)
                return
            except NotFound:
                del self._seen[dedupe_key]
        # Unique even when the clock stands still (tests) or two events share a nanosecond.
        suffix = format(time.time_ns() + next(self._sequence), "x")
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": f"{involved['name']}.{suffix}", "namespace": namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "type": event_type,
            "count": 1,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "source": {"component": self.component, "host": self.host},
            "reportingComponent": self.component,
            "reportingInstance": self.host,
        }
        created = await self.client.create(EVENTS, event, namespace)
        self._seen[dedupe_key] = _Seen(created["metadata"]["name"], namespace, 1, now)
        if len(self._seen) > CACHE_SIZE:
            self._seen.popitem(last=False)
