"""The webhook server: HTTPS, admission and conversion endpoints, health, metrics.

It runs in every replica (``manager.add(server, needs_leader_election=False)``), waits
for the certificate files the certificate controller writes, and follows them as they
rotate. Malformed requests are refused with a 4xx and a one-line message; a handler's
own failure is an answer (a denial with code 500, or a conversion Failure), never a 5xx.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry

from kruise.runtime.log import get_logger
from kruise.runtime.webhook import admission, conversion
from kruise.runtime.webhook._review import ReviewError, parse_json, short
from kruise.runtime.webhook.admission import AdmissionHandler
from kruise.runtime.webhook.certwatcher import CertWatcher
from kruise.runtime.webhook.conversion import Converter
from kruise.runtime.webhook.metrics import WebhookSeries, webhook_metrics

log = get_logger("webhook.server")

HEALTHZ = "/healthz"
_Serve = Callable[[bytes], Awaitable[bytes]]


class _Refused(Exception):
    """A request answered with an HTTP error status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class WebhookServer:
    """A Runnable serving admission and conversion webhooks over TLS from ``cert_dir``.

    Handlers may be registered before or after ``start``. ``bound_port`` is the port
    listened on once ``serving`` is set (useful with ``port=0``).
    """

    def __init__(
        self,
        *,
        host: str = "0.0.0.0",
        port: int = 9876,
        cert_dir: Path,
        registry: CollectorRegistry | None,
        cert_name: str = "tls.crt",
        key_name: str = "tls.key",
        max_body_bytes: int = 7 * 1024 * 1024,
        handler_timeout: float = 10.0,
        cert_poll_interval: float = 1.0,
    ) -> None:
        self.host = host
        self.port = port
        self.cert_dir = Path(cert_dir)
        self.max_body_bytes = max_body_bytes
        self.handler_timeout = handler_timeout
        self.metrics = webhook_metrics(registry if registry is not None else CollectorRegistry())
        self.certs = CertWatcher(
            self.cert_dir / cert_name,
            self.cert_dir / key_name,
            self.metrics,
            interval=cert_poll_interval,
        )
        self.bound_port = 0
        self.serving = asyncio.Event()
        self._routes: dict[str, tuple[_Serve, WebhookSeries]] = {}
        # The readiness probe checks that TLS is served, not by whom: the certificate
        # names the Service, not the address the probe dials.
        self._probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self._probe.check_hostname = False
        self._probe.verify_mode = ssl.CERT_NONE

    # ---- registration -------------------------------------------------------------

    def register_admission(self, path: str, handler: AdmissionHandler) -> None:
        """Serve AdmissionReviews on ``path`` (a mutating or validating webhook)."""

        async def serve(body: bytes) -> bytes:
            request = admission.decode_request(parse_json(body))
            return await admission.review(
                handler,
                request,
                handler_timeout=self.handler_timeout,
                on_panic=self.metrics.admission_panics.inc,
            )

        self._register(path, serve)

    def register_conversion(self, path: str, converter: Converter) -> None:
        """Serve ConversionReviews on ``path``, usually ``/convert``."""

        async def serve(body: bytes) -> bytes:
            request = conversion.decode_request(parse_json(body))
            return await conversion.review(
                converter, request, on_panic=self.metrics.conversion_panics.inc
            )

        self._register(path, serve)

    def _register(self, path: str, serve: _Serve) -> None:
        if not path.startswith("/") or path == HEALTHZ:
            raise ValueError(f"invalid webhook path {path!r}")
        if path in self._routes:
            raise ValueError(f"a webhook is already registered on {path}")
        self._routes[path] = (serve, self.metrics.init_webhook(path))

    def paths(self) -> list[str]:
        """Every registered path, sorted."""
        return sorted(self._routes)

    # ---- running ------------------------------------------------------------------

    async def start(self, stopping: asyncio.Event) -> None:
        """Serve until ``stopping`` is set; returns early if it is set before the
        certificate appears."""
        if not await self.certs.wait_loaded(stopping):
            return
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=self.handler_timeout + 1
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, ssl_context=self.certs.context)
            await site.start()
            self.bound_port = int(runner.addresses[0][1])
            log.info(
                "serving webhooks", address=f"{self.host}:{self.bound_port}", paths=self.paths()
            )
            self.serving.set()
            await self.certs.watch(stopping)
        finally:
            self.serving.clear()
            await runner.cleanup()
            log.info("webhook server stopped")

    async def check_serving(self) -> None:
        """A readiness check: a TLS handshake and ``GET /healthz`` must succeed."""
        if not self.serving.is_set():
            raise RuntimeError("webhook server is not serving yet")
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        authority = f"[{host}]" if ":" in host else host
        url = f"https://{authority}:{self.bound_port}{HEALTHZ}"
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
            session.get(url, ssl=self._probe) as response,
        ):
            if response.status != 200:
                raise RuntimeError(f"webhook server answered {HEALTHZ} with {response.status}")

    # ---- requests -----------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.path == HEALTHZ and request.method in {"GET", "HEAD"}:
            return web.Response(text="ok")
        route = self._routes.get(request.path)
        if route is None:
            return _refusal(404, f"no webhook is served on {request.path[:100]}")
        if request.method != "POST":
            response = _refusal(405, f"{request.method[:20]} is not allowed; use POST")
            response.headers["Allow"] = "POST"
            return response
        serve, series = route
        series.in_flight.inc()
        started = time.perf_counter()
        try:
            response = await self._answer(request, serve)
        finally:
            series.in_flight.dec()
        series.answered(response.status, time.perf_counter() - started)
        return response

    async def _answer(self, request: web.Request, serve: _Serve) -> web.Response:
        try:
            body = await self._read_body(request)
            return web.Response(body=await serve(body), content_type="application/json")
        except _Refused as err:
            status, message = err.status, str(err)
        except ReviewError as err:
            status, message = 400, str(err)
        except Exception:  # a fault of ours, not the client's: say so, and keep serving
            log.exception("webhook request failed", path=request.path)
            return _refusal(500, "internal error in the webhook server")
        log.debug("refused a webhook request", path=request.path, status=status, error=message)
        return _refusal(status, message)

    async def _read_body(self, request: web.Request) -> bytes:
        limit = self.max_body_bytes
        too_large = f"request body is too large; the limit is {limit} bytes"
        if request.content_length is not None and request.content_length > limit:
            raise _Refused(413, too_large)
        if request.content_type != "application/json":
            given = request.headers.get("Content-Type")
            shown = short(given) if given else "missing"
            raise _Refused(415, f"Content-Type is {shown}; expected application/json")
        body = bytearray()
        try:
            while chunk := await request.content.readany():
                body += chunk
                if len(body) > limit:
                    raise _Refused(413, too_large)
        except _Refused:
            raise
        except Exception as err:  # a truncated or badly chunked body, a lost connection
            raise _Refused(400, f"cannot read the request body: {type(err).__name__}") from None
        if not body:
            raise _Refused(400, "request body is empty")
        return bytes(body)


def _refusal(status: int, message: str) -> web.Response:
    return web.Response(status=status, text=" ".join(message.split()) + "\n")
