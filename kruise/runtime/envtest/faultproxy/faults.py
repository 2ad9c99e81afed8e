"""How each fault reaches the client: error answers shaped as kube-apiserver writes them,
and a watch stream that breaks, expires or stalls after a number of events.

The bodies are ``metav1.Status`` objects with the reasons and messages kube-apiserver
uses, so a client's error handling sees what it would see from the real thing.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from aiohttp import web

from kruise.runtime.envtest.faultproxy.plan import Decision, FaultKind
from kruise.runtime.envtest.faultproxy.request import RequestInfo

# API Priority and Fairness names the flow schema and priority level that rejected a
# request; these are the UIDs of the built-in catch-all ones as far as clients can tell.
PF_FLOW_SCHEMA_HEADER = "X-Kubernetes-PF-FlowSchema-UID"
PF_PRIORITY_LEVEL_HEADER = "X-Kubernetes-PF-PriorityLevel-UID"
_PF_UID = "00000000-0000-0000-0000-00000000fa17"

CONFLICT_MESSAGE = (
    "the object has been modified; please apply your changes to the latest version and try again"
)


def status(
    code: int, reason: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A failure ``metav1.Status``."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return body


def _json_response(code: int, body: dict[str, Any], headers: dict[str, str]) -> web.Response:
    return web.Response(
        status=code,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def expired_status(resource_version: str) -> dict[str, Any]:
    """What the watch cache says about a resourceVersion it no longer has."""
    current = str(int(resource_version) + 1) if resource_version.isdigit() else "1"
    old = resource_version or "0"
    return status(410, "Expired", f"too old resource version: {old} ({current})")


def error_response(decision: Decision, request: RequestInfo) -> web.Response:
    """The answer for a fault that never reaches kube-apiserver."""
    fault = decision.fault
    kind = fault.kind
    retry = {"Retry-After": str(fault.retry_after)}
    if kind is FaultKind.INTERNAL_ERROR:
        cause = "injected by the fault proxy"
        body = status(
            500,
            "InternalError",
            f"Internal error occurred: {cause}",
            {"causes": [{"message": cause}]},
        )
        return _json_response(500, body, {})
    if kind is FaultKind.UNAVAILABLE:
        body = status(
            503, "ServiceUnavailable", "the server is currently unable to handle the request"
        )
        return _json_response(503, body, retry)
    if kind is FaultKind.THROTTLED:
        body = status(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
            {"retryAfterSeconds": fault.retry_after},
        )
        headers = {**retry, PF_FLOW_SCHEMA_HEADER: _PF_UID, PF_PRIORITY_LEVEL_HEADER: _PF_UID}
        return _json_response(429, body, headers)
    if kind is FaultKind.CONFLICT:
        return _json_response(409, conflict_status(request), {})
    if kind is FaultKind.WATCH_GONE:
        return _json_response(410, expired_status(request.resource_version), {})
    if kind is FaultKind.TIMEOUT:
        message = "Timeout: request did not complete within the allotted timeout"
        return _json_response(504, status(504, "Timeout", message), {})
    raise ValueError(f"{kind} is not answered with an error status")


def conflict_status(request: RequestInfo) -> dict[str, Any]:
    """The optimistic-concurrency failure kube-apiserver answers a stale write with."""
    qualified = f"{request.resource}.{request.group}" if request.group else request.resource
    message = f'Operation cannot be fulfilled on {qualified} "{request.name}": {CONFLICT_MESSAGE}'
    details = {"name": request.name, "group": request.group, "kind": request.resource}
    return status(409, "Conflict", message, {k: v for k, v in details.items() if v})


class WatchSabotage:
    """Forwards a watch stream's first ``after_events`` events, then strikes.

    ``released`` ends a stall early (the proxy sets it when faults are switched off or
    it stops); the stalled stream then ends cleanly and the client watches again from
    the last event it saw. A fault not yet struck when ``released`` is set never strikes:
    the rest of the stream passes through untouched.
    """

    def __init__(self, decision: Decision, request: RequestInfo, released: asyncio.Event):
        self.fault = decision.fault
        self.resource_version = request.resource_version
        self.released = released
        self._events = 0
        self._buffer = bytearray()

    async def run(
        self,
        upstream: aiohttp.ClientResponse,
        response: web.StreamResponse,
        transport: asyncio.BaseTransport | None,
    ) -> None:
        """Stream ``upstream`` into ``response`` until the fault strikes or it ends."""
        strike_now = self.fault.kind is not FaultKind.WATCH_CUT or not self.fault.mid_line
        while True:
            if strike_now and self._events >= self.fault.after_events:
                await self._strike_unless_released(b"", upstream, response, transport)
                return
            chunk = await upstream.content.readany()
            if not chunk:
                if self._buffer:
                    await response.write(bytes(self._buffer))
                await response.write_eof()
                return
            self._buffer += chunk
            line = await self._forward_lines(response, strike_now)
            if line is not None:
                await self._strike_unless_released(line, upstream, response, transport)
                return

    async def _strike_unless_released(
        self,
        line: bytes,
        upstream: aiohttp.ClientResponse,
        response: web.StreamResponse,
        transport: asyncio.BaseTransport | None,
    ) -> None:
        if not self.released.is_set():
            await self._strike(line, upstream, response, transport)
            return
        # Faults were switched off after this one was chosen: forward the rest as is.
        await response.write(line + bytes(self._buffer))
        self._buffer.clear()
        try:
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError):
            cut(transport)
            return
        await response.write_eof()

    async def _forward_lines(self, response: web.StreamResponse, strike_now: bool) -> bytes | None:
        """Write every whole line until the limit; return the line the fault falls on."""
        while (end := self._buffer.find(b"\n")) >= 0:
            line = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            if not strike_now and self._events >= self.fault.after_events:
                return line
            await response.write(line)
            self._events += 1
            self._remember_version(line)
            if strike_now and self._events >= self.fault.after_events:
                return b""
        return None

    def _remember_version(self, line: bytes) -> None:
        try:
            version = json.loads(line)["object"]["metadata"]["resourceVersion"]
        except (ValueError, KeyError, TypeError):
            return
        self.resource_version = str(version)

    async def _strike(
        self,
        line: bytes,
        upstream: aiohttp.ClientResponse,
        response: web.StreamResponse,
        transport: asyncio.BaseTransport | None,
    ) -> None:
        upstream.close()
        kind = self.fault.kind
        if kind is FaultKind.WATCH_EXPIRED:
            event = {"type": "ERROR", "object": expired_status(self.resource_version)}
            await response.write(json.dumps(event).encode() + b"\n")
            await response.write_eof()
        elif kind is FaultKind.WATCH_STALL:
            await self.released.wait()
            await response.write_eof()
        else:
            if line:
                await response.write(line[: max(1, len(line) // 2)])
            cut(transport)


def cut(transport: asyncio.BaseTransport | None) -> None:
    """Close the client's connection without ending the HTTP response: the client sees
    a truncated body (a chunked stream missing its last chunk) or no answer at all."""
    if transport is not None:
        transport.close()
