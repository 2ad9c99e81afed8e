"""A raw watch: one ``?watch=1`` response read as newline-delimited JSON events.

    async with client.watch(PODS, "ns", resource_version=rv) as events:
        async for event_type, obj in events:
            ...

It is one HTTP stream and nothing more: it ends when the server closes it
(``timeoutSeconds``) and raises on errors - ``Gone`` for an ERROR event with
code 410 (relist), ``Timeout`` when nothing arrived for ``read_timeout``
seconds, ``TransportError`` when the stream is cut. Reconnecting, relisting
and remembering the last resourceVersion are the informer's job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

import aiohttp

from kruise.runtime.client.errors import Timeout, TransportError, error_from_status
from kruise.runtime.client.transport import decode_json
from kruise.runtime.client.types import KubeObject, Status, WatchEvent

# Guard against a runaway line; far above any object etcd can hold.
MAX_LINE_BYTES = 64 * 1024 * 1024

Opener = Callable[[], Awaitable[aiohttp.ClientResponse]]


class WatchStream:
    """An async iterator of ``WatchEvent(type, object)``; connects on ``__aenter__`` or
    on the first ``__anext__``. Close it (``async with`` does) to drop the connection."""

    def __init__(self, open_response: Opener, *, api_version: str = "", kind: str = "") -> None:
        self._open_response = open_response
        self._api_version = api_version
        self._kind = kind
        self._response: aiohttp.ClientResponse | None = None
        self._buffer = bytearray()
        self._scanned = 0
        self._closed = False

    async def __aenter__(self) -> WatchStream:
        await self._ensure_open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def __aiter__(self) -> WatchStream:
        return self

    async def __anext__(self) -> WatchEvent:
        try:
            line = await self._next_line()
            if line is None:
                raise StopAsyncIteration
            return self._event(line)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Drop the connection; iterating afterwards raises ``RuntimeError``."""
        self._closed = True
        if self._response is not None:
            self._response.close()

    async def _ensure_open(self) -> aiohttp.ClientResponse:
        if self._closed:
            raise RuntimeError("watch stream is closed")
        if self._response is None:
            self._response = await self._open_response()
        return self._response

    def _event(self, line: bytes) -> WatchEvent:
        try:
            event = decode_json(line)
            event_type = str(event["type"])
            obj = event["object"]
        except (ValueError, KeyError, TypeError) as err:
            raise TransportError(f"undecodable watch event: {line[:200]!r}") from err
        if event_type == "ERROR":
            raise error_from_status(cast(Status, obj))
        if self._kind and isinstance(obj, dict):
            obj.setdefault("apiVersion", self._api_version)
            obj.setdefault("kind", self._kind)
        return WatchEvent(event_type, cast(KubeObject, obj))

    async def _next_line(self) -> bytes | None:
        response = await self._ensure_open()
        while True:
            end = self._buffer.find(b"\n", self._scanned)
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                self._scanned = 0
                if line.strip():
                    return line
                continue
            self._scanned = len(self._buffer)
            if self._scanned > MAX_LINE_BYTES:
                raise TransportError(f"watch event larger than {MAX_LINE_BYTES} bytes")
            chunk = await self._read(response)
            if not chunk:
                rest = bytes(self._buffer).strip()
                self._buffer.clear()
                self._scanned = 0
                return rest or None
            self._buffer += chunk

    @staticmethod
    async def _read(response: aiohttp.ClientResponse) -> bytes:
        try:
            return await response.content.readany()
        except TimeoutError as err:
            raise Timeout("watch: no data within the read timeout", client_side=True) from err
        except aiohttp.ClientError as err:
            raise TransportError(f"watch stream broke: {err!r}") from err
