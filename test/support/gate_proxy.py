"""A plain-HTTP proxy in front of a control plane that can hold chosen requests forever.

A manager whose kubeconfig points here (``kubeconfig()``) talks to the API server as the
admin: the proxy forwards every request over TLS with the plane's admin certificate, and
streams answers back as they come (watches included). Requests ``hold`` picks are never
answered; ``held`` counts them. It runs its own event loop in a thread, so blocking tests
can use it.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from aiohttp import web

from kruise.runtime.envtest import ControlPlane

Hold = Callable[[str, Mapping[str, str]], bool]
FORWARDED = ("Content-Type", "Accept", "User-Agent")


class GateProxy:
    """``with GateProxy(plane, hold) as proxy:`` serves on ``proxy.url`` until the block ends."""

    def __init__(self, plane: ControlPlane, hold: Hold) -> None:
        self.plane = plane
        self.hold = hold
        self.held = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._released: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kubeconfig(self) -> dict[str, Any]:
        """A kubeconfig that reaches the plane through this proxy."""
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "gate", "cluster": {"server": self.url}}],
            "users": [{"name": "gate", "user": {}}],
            "contexts": [{"name": "gate", "context": {"cluster": "gate", "user": "gate"}}],
            "current-context": "gate",
        }

    def __enter__(self) -> GateProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)

    async def _start(self) -> None:
        self._released = asyncio.Event()
        pki = self.plane.certs_dir
        context = ssl.create_default_context(cafile=str(pki / "serving-ca.crt"))
        context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        # A held request or a watch would otherwise keep cleanup waiting a minute.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _stop(self) -> None:
        if self._released is not None:
            self._released.set()
        # Closing the upstream side first ends the watches still streaming through us.
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        if self.hold(request.path, request.query):
            self.held += 1
            assert self._released is not None
            await self._released.wait()  # until the proxy stops
            return web.Response(status=503, text="the gate proxy is stopping")
        assert self._session is not None
        headers = {k: request.headers[k] for k in FORWARDED if k in request.headers}
        body = await request.read()
        async with self._session.request(
            request.method,
            self.plane.url + request.path_qs,
            data=body or None,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=None),
        ) as upstream:
            response = web.StreamResponse(status=upstream.status)
            if "Content-Type" in upstream.headers:
                response.headers["Content-Type"] = upstream.headers["Content-Type"]
            await response.prepare(request)
            try:
                async for chunk in upstream.content.iter_any():
                    await response.write(chunk)
                await response.write_eof()
            except (aiohttp.ClientError, ConnectionError):
                pass  # either side hung up mid-stream (a watch ended): nothing to forward
            return response
