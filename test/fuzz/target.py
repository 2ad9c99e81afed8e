"""kruise's webhook server, running, and one client to send it cases.

The server is the real ``WebhookServer`` over TLS with every handler and the converter
``kruise.webhook.setup`` wires into the manager; the CloneSet validator reads pods from a
real API server. Server and client run on an event loop of their own in a thread, so
hypothesis drives plain functions. Everything the server logs at error level (structlog,
or the standard library's loggers: aiohttp, asyncio) is kept for the tests to check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs
from support.webhook_tls import CA, running

from fuzz.mutations import Case
from fuzz.schema import NAMESPACE
from kruise.runtime.client import CONFIGMAPS, NAMESPACES, AlreadyExists, Client, kubeconfig_config
from kruise.runtime.webhook import WebhookServer
from kruise.webhook import setup

T = TypeVar("T")
REQUEST_TIMEOUT = 60.0  # far above any answer; a hang shows as a failure, not a stuck run


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _plant(client: Client) -> None:
    """The namespace the reviews name, and a ConfigMap a pod read must never reach."""
    with contextlib.suppress(AlreadyExists):
        await client.create(NAMESPACES, {"metadata": {"name": NAMESPACE}})
    with contextlib.suppress(AlreadyExists):
        await client.create(CONFIGMAPS, {"metadata": {"name": "cm"}, "data": {"k": "v"}}, NAMESPACE)


class Target:
    """The running server; ``send`` posts cases, ``errors`` lists what it logged as errors."""

    def __init__(self, kubeconfig: Path, cert_dir: Path, handler_timeout: float = 10.0) -> None:
        self.kubeconfig = kubeconfig
        self.cert_dir = cert_dir
        self.handler_timeout = handler_timeout
        self.registry = CollectorRegistry()
        self.ca = CA()
        self.ca.issue().write(cert_dir)
        self.server: WebhookServer | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stack = contextlib.AsyncExitStack()
        self._session: aiohttp.ClientSession | None = None
        self._std_errors = _ErrorRecords()
        self._logs = contextlib.ExitStack()
        self._structlog: list[dict[str, Any]] = []
        self.sent = 0
        self.pod_reads: list[tuple[str, str | None]] = []  # name asked for, kind read

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        self._structlog = self._logs.enter_context(capture_logs())
        logging.getLogger().addHandler(self._std_errors)
        self._thread.start()
        self.run(self._start())

    def stop(self) -> None:
        try:
            self.run(self._stack.aclose())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            logging.getLogger().removeHandler(self._std_errors)
            self._logs.close()

    async def _start(self) -> None:
        config = await kubeconfig_config(self.kubeconfig)
        client = await self._stack.enter_async_context(Client(config.with_options(qps=-1)))
        await _plant(client)
        read_pod = setup.pod_reader(client)

        async def get_pod(namespace: str, name: str) -> Any:
            found = await read_pod(namespace, name)
            self.pod_reads.append((name, None if found is None else str(found.get("kind"))))
            return found

        server = WebhookServer(
            host="127.0.0.1",
            port=0,
            cert_dir=self.cert_dir,
            registry=self.registry,
            handler_timeout=self.handler_timeout,
        )
        for path, handler in setup.admission_handlers(get_pod).items():
            server.register_admission(path, handler)
        server.register_conversion(setup.CONVERT_PATH, setup.converter())
        self.server = await self._stack.enter_async_context(running(server))
        connector = aiohttp.TCPConnector(ssl=self.ca.client_context(), limit=8)
        self._session = await self._stack.enter_async_context(
            aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
            )
        )

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 300) -> T:
        """Run ``coroutine`` on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # ---- requests -----------------------------------------------------------------------

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"https://127.0.0.1:{self.server.bound_port}"

    def send(self, cases: list[Case]) -> list[Answer]:
        """Post every case at once; the answers in the same order."""
        self.sent += len(cases)
        return self.run(self._send_all(cases))

    async def _send_all(self, cases: list[Case]) -> list[Answer]:
        return list(
            await asyncio.gather(*(self.post(c.path, c.body, c.content_type) for c in cases))
        )

    async def post(
        self, path: str, body: bytes | AsyncIterator[bytes], content_type: str | None
    ) -> Answer:
        assert self._session is not None
        headers = {} if content_type is None else {"Content-Type": content_type}
        skip = ["Content-Type"] if content_type is None else []
        async with self._session.post(
            self.base + path, data=body, headers=headers, skip_auto_headers=skip
        ) as response:
            return Answer(response.status, await response.read(), response.content_type)

    # ---- what the server said -----------------------------------------------------------

    def errors(self) -> list[str]:
        """Every error the server logged so far, one line each."""
        found = [
            f"{e.get('event')} { ({k: v for k, v in e.items() if k != 'event'}) }"[:400]
            for e in self._structlog
            if e.get("log_level") in ("error", "critical", "exception") or e.get("exc_info")
        ]
        found += [f"{r.name}: {r.getMessage()}"[:400] for r in self._std_errors.records]
        return found

    def sample(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    def server_errors(self) -> dict[str, float]:
        """Requests answered 5xx and handler panics, by series; all should stay 0."""
        assert self.server is not None
        found = {}
        for path in self.server.paths():
            for code in ("500", "502", "503", "504"):
                value = self.sample(
                    "controller_runtime_webhook_requests_total", webhook=path, code=code
                )
                if value:
                    found[f"{path} {code}"] = value
        for panics in (
            "controller_runtime_webhook_panics_total",
            "controller_runtime_conversion_webhook_panics_total",
        ):
            if value := self.sample(panics):
                found[panics] = value
        return found
