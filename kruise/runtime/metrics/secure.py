"""``/metrics`` over HTTPS, for authenticated and authorized callers only.

The secure counterpart of the manager's plain metrics server, run as a runnable in every
replica. It serves with a TLS context it is given (``TLSSource``: the webhook server's
certificate watcher fits), so the metrics endpoint and the webhooks share one serving
certificate and one rotation, and every request goes through ``auth_middleware``.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Protocol

import structlog
from aiohttp import web
from prometheus_client import CollectorRegistry

from kruise.runtime.metrics.auth import DelegatingAuth, auth_middleware
from kruise.runtime.metrics.server import metrics_app

# structlog directly: metrics sits beside kruise.runtime.log, not above it.
log: structlog.stdlib.BoundLogger = structlog.get_logger("metrics.secure")


class TLSSource(Protocol):
    """A serving certificate: a context to listen with, usable once ``loaded``."""

    @property
    def loaded(self) -> bool:
        """Whether a certificate is loaded, so handshakes can succeed."""
        ...

    @property
    def context(self) -> ssl.SSLContext:
        """The context new connections are accepted with."""
        ...

    async def wait_loaded(self, stopping: asyncio.Event) -> bool:
        """Wait until a certificate is loaded (True), or ``stopping`` is set (False)."""
        ...


class SecureMetricsServer:
    """A runnable serving ``registry`` on ``https://host:port/metrics`` behind ``auth``.

    ``bound_port`` is the port listened on once ``serving`` is set (useful with ``port=0``).
    """

    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        host: str,
        port: int,
        tls: TLSSource,
        auth: DelegatingAuth,
    ) -> None:
        self.registry = registry
        self.host = host
        self.port = port
        self.tls = tls
        self.auth = auth
        self.bound_port = 0
        self.serving = asyncio.Event()

    async def start(self, stopping: asyncio.Event) -> None:
        """Serve until ``stopping`` is set; returns early if it is set before the
        certificate is loaded."""
        if not self.tls.loaded and not await self.tls.wait_loaded(stopping):
            return
        app = metrics_app(self.registry, middlewares=[auth_middleware(self.auth)])
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, ssl_context=self.tls.context)
            await site.start()
            self.bound_port = int(runner.addresses[0][1])
            log.info("serving metrics over https", address=f"{self.host}:{self.bound_port}")
            self.serving.set()
            await stopping.wait()
        finally:
            self.serving.clear()
            await runner.cleanup()
