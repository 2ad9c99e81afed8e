"""The fault-injecting proxy: an HTTPS server in front of kube-apiserver.

Every request is read as verb + resource (``RequestInfo``), offered to the plan, and
either forwarded untouched or given the fault the plan chose. Responses are streamed:
a watch passes through chunk by chunk, a large list is never held whole. Each injected
fault is logged with the seed, the request's number and the rule's draw, counted by
kind, and kept in ``injected``.

    async with FaultProxy.for_control_plane(plane, rules, seed=7) as proxy:
        proxy.kubeconfig(tmp / "kubeconfig")      # point the manager here
        ...
        proxy.stop_faults()                       # from now on, a plain proxy
        print(proxy.counts())

``with FaultProxy...`` (no ``async``) runs it on its own thread and loop, for tests
and scripts without an event loop.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from kruise.runtime.envtest.faultproxy.faults import WatchSabotage, cut, error_response
from kruise.runtime.envtest.faultproxy.plan import Decision, FaultKind, FaultPlan, Rule
from kruise.runtime.envtest.faultproxy.request import RequestInfo
from kruise.runtime.envtest.faultproxy.tls import ClientCertificate, ProxyTLS
from kruise.runtime.log import get_logger

if TYPE_CHECKING:
    from kruise.runtime.envtest.controlplane import ControlPlane

log = get_logger("kruise.runtime.envtest.faultproxy")

# RFC 9110 section 7.6.1, plus what aiohttp sets itself from the body.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
MAX_BODY = 64 * 1024 * 1024
SHUTDOWN_SECONDS = 1.0
_STREAM_FAULTS = frozenset({FaultKind.WATCH_CUT, FaultKind.WATCH_EXPIRED, FaultKind.WATCH_STALL})


@dataclass(frozen=True)
class InjectedFault:
    """One fault as it was injected; ``(seed, rule, match)`` replays the decision."""

    request: int
    seed: int
    rule: int
    match: int
    kind: str
    verb: str
    resource: str
    namespace: str
    name: str
    delay: float
    at: float


class FaultProxy:
    """An HTTPS proxy to ``upstream`` (kube-apiserver) that injects the plan's faults.

    Start it with ``async with`` (in the running loop) or ``with`` (on a thread of its
    own); ``kubeconfig()`` writes a kubeconfig for clients. ``stop_faults()`` and
    ``start_faults()`` may be called from any thread.
    """

    def __init__(
        self,
        upstream: str,
        upstream_ca: Path,
        plan: FaultPlan | None = None,
        *,
        client_certificate: ClientCertificate | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        workdir: Path | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.plan = plan if plan is not None else FaultPlan()
        self.host = host
        self._requested_port = port
        self.port = port
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="kruise-faultproxy-"))
        self.tls = ProxyTLS(self.workdir / "pki", upstream_ca, client_certificate)
        self._injected: list[InjectedFault] = []
        self._counts: collections.Counter[str] = collections.Counter()
        self._record_lock = threading.Lock()  # read from other threads in thread mode
        self.requests = 0
        self._releases: set[asyncio.Event] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._as_client: aiohttp.ClientSession | None = None
        self._plain: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def for_control_plane(
        cls,
        plane: ControlPlane,
        plan: FaultPlan | Iterable[Rule] | None = None,
        *,
        seed: int | None = None,
        credentials: ClientCertificate | None = None,
        port: int = 0,
    ) -> FaultProxy:
        """A proxy in front of ``plane``'s kube-apiserver. ``plan`` is a plan or its
        rules; ``seed`` (if given) is the plan's seed. ``credentials`` is the client
        certificate passed through, by default the plane's admin."""
        if not isinstance(plan, FaultPlan):
            plan = FaultPlan(tuple(plan or ()), seed=seed or 0)
        elif seed is not None:
            plan.seed = seed
        pki = plane.certs_dir
        if credentials is None:
            credentials = ClientCertificate(
                pki / "admin.crt", pki / "admin.key", pki / "client-ca.crt"
            )
        return cls(
            plane.url, pki / "serving-ca.crt", plan, client_certificate=credentials, port=port
        )

    # ---- what happened -----------------------------------------------------------

    @property
    def url(self) -> str:
        """The proxy's https URL (the port is known once it started)."""
        return f"https://{self.host}:{self.port}"

    @property
    def injected(self) -> list[InjectedFault]:
        """Every fault injected so far, in order."""
        with self._record_lock:
            return list(self._injected)

    def counts(self) -> dict[str, int]:
        """Injected faults by kind (``FaultKind`` values)."""
        with self._record_lock:
            return dict(self._counts)

    def kubeconfig(self, path: Path, token: str | None = None) -> Path:
        """Write a kubeconfig for the proxy at ``path``: by bearer ``token`` if given,
        else by the passed-through client certificate."""
        path.write_text(json.dumps(self.tls.kubeconfig(self.url, token), indent=2))
        path.chmod(0o600)
        return path

    # ---- faults on and off ---------------------------------------------------------

    def stop_faults(self) -> None:
        """No new faults from now on, and stalled or held requests are let go."""
        self.plan.disable()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._release_all)

    def start_faults(self) -> None:
        """Let the plan's rules fire again."""
        self.plan.enable()

    def _release_all(self) -> None:
        for event in self._releases:
            event.set()

    def _release_event(self) -> asyncio.Event:
        """An event that lets a stalled or held request go; already set if faults were
        switched off after the request's fault was chosen."""
        event = asyncio.Event()
        if not self.plan.enabled:
            event.set()
        self._releases.add(event)
        return event

    # ---- lifecycle: async ----------------------------------------------------------

    async def __aenter__(self) -> FaultProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on ``host:port`` (a free port when 0) in the running loop."""
        self._loop = asyncio.get_running_loop()
        self._as_client = self._session(with_client_cert=True)
        self._plain = self._session(with_client_cert=False)
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handler_cancellation=True,
            auto_decompress=False,
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self.port = int(sock.getsockname()[1])
        site = web.SockSite(self._runner, sock, ssl_context=self.tls.server_context())
        await site.start()
        log.info("fault proxy listening", url=self.url, upstream=self.upstream, seed=self.plan.seed)

    async def stop(self) -> None:
        """Let stalled requests go, close every connection and remove the work dir."""
        self._release_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for task in list(self._tasks):
            task.cancel()
        for session in (self._as_client, self._plain):
            if session is not None:
                await session.close()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _session(self, *, with_client_cert: bool) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            ssl=self.tls.upstream_context(with_client_cert=with_client_cert), limit=0
        )
        return aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=10),
            skip_auto_headers=("Accept-Encoding", "User-Agent", "Content-Type"),
        )

    # ---- lifecycle: on a thread ----------------------------------------------------

    def __enter__(self) -> FaultProxy:
        started = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._thread_main, args=(started, failure), name="faultproxy", daemon=True
        )
        self._thread.start()
        started.wait()
        if failure:
            raise failure[0]
        return self

    def __exit__(self, *exc: object) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        self._thread = None

    def _thread_main(self, started: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self.start())
        except BaseException as err:  # handed to the starting thread
            failure.append(err)
            started.set()
            loop.close()
            return
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    # ---- requests ------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        number = self.requests
        info = RequestInfo.parse(request.method, request.path, request.query)
        decision = self.plan.decide(info)
        if decision is None:
            return await self._forward(request, info, None)
        self._record(number, info, decision)
        kind = decision.fault.kind
        if kind is FaultKind.LATENCY:
            await asyncio.sleep(decision.delay)
            return await self._forward(request, info, None)
        if kind is FaultKind.TIMEOUT:
            return await self._time_out(request, info, decision)
        if kind in _STREAM_FAULTS:
            return await self._forward(request, info, decision)
        return error_response(decision, info)

    def _record(self, number: int, info: RequestInfo, decision: Decision) -> None:
        fault = InjectedFault(
            request=number,
            seed=self.plan.seed,
            rule=decision.rule,
            match=decision.match,
            kind=decision.fault.kind.value,
            verb=info.verb,
            resource=info.group_resource,
            namespace=info.namespace,
            name=info.name,
            delay=round(decision.delay, 3),
            at=time.time(),
        )
        with self._record_lock:
            self._injected.append(fault)
            self._counts[fault.kind] += 1
        log.info(
            "fault injected",
            fault=fault.kind,
            seed=fault.seed,
            request=number,
            rule=fault.rule,
            match=fault.match,
            verb=fault.verb,
            resource=fault.resource,
            namespace=fault.namespace or None,
            name=fault.name or None,
        )

    async def _time_out(
        self, request: web.Request, info: RequestInfo, decision: Decision
    ) -> web.StreamResponse:
        if decision.fault.applied:
            body = await request.read()
            task = asyncio.create_task(self._apply_unheard(request, info, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await self._hold(decision.delay)
        if decision.fault.drop_connection:
            return _dropped(request)
        return error_response(decision, info)

    async def _hold(self, seconds: float) -> None:
        released = self._release_event()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(released.wait(), seconds)
        finally:
            self._releases.discard(released)

    async def _apply_unheard(self, request: web.Request, info: RequestInfo, body: bytes) -> None:
        """Send a timed-out request upstream anyway; nobody reads the answer."""
        with contextlib.suppress(aiohttp.ClientError, OSError):
            async with await self._open_upstream(request, info, body) as upstream:
                await upstream.read()

    async def _open_upstream(
        self, request: web.Request, info: RequestInfo, body: bytes
    ) -> aiohttp.ClientResponse:
        session = self._session_for(request)
        return await session.request(
            request.method,
            URL(self.upstream + request.raw_path, encoded=True),
            headers=_request_headers(request.headers, watch=info.verb == "watch"),
            data=body or None,
            allow_redirects=False,
        )

    def _session_for(self, request: web.Request) -> aiohttp.ClientSession:
        assert self._as_client is not None, "proxy not started"
        assert self._plain is not None, "proxy not started"
        if "Authorization" in request.headers:
            return self._plain
        ssl_object = request.transport.get_extra_info("ssl_object") if request.transport else None
        peer = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        return self._as_client if self.tls.is_known_client(peer) else self._plain

    async def _forward(
        self, request: web.Request, info: RequestInfo, decision: Decision | None
    ) -> web.StreamResponse:
        body = await request.read()
        try:
            upstream = await self._open_upstream(request, info, body)
        except (aiohttp.ClientError, OSError):
            # kube-apiserver is away (restarting): the client's connection drops, as
            # it would without the proxy.
            return _dropped(request)
        try:
            response = _response_for(upstream)
            await response.prepare(request)
            if decision is not None and upstream.status == 200:
                released = self._release_event()
                try:
                    await WatchSabotage(decision, info, released).run(
                        upstream, response, request.transport
                    )
                finally:
                    self._releases.discard(released)
            else:
                await _pipe(upstream, response, request.transport)
            return response
        except ConnectionResetError:
            # The client went away mid-answer (a killed manager): nothing left to tell it.
            return response
        finally:
            upstream.close()


def _request_headers(headers: Mapping[str, str], *, watch: bool) -> CIMultiDict[str]:
    """The client's headers minus hop-by-hop ones; a watch is asked for uncompressed,
    so its lines can be counted."""
    drop = _hop_by_hop(headers)
    if watch:
        drop = drop | {"accept-encoding"}
    return CIMultiDict((k, v) for k, v in headers.items() if k.lower() not in drop)


def _hop_by_hop(headers: Mapping[str, str]) -> frozenset[str]:
    named = {h.strip().lower() for h in headers.get("Connection", "").split(",") if h.strip()}
    return HOP_BY_HOP | named


def _response_for(upstream: aiohttp.ClientResponse) -> web.StreamResponse:
    drop = _hop_by_hop(upstream.headers)
    headers = CIMultiDict((k, v) for k, v in upstream.headers.items() if k.lower() not in drop)
    response = web.StreamResponse(status=upstream.status, reason=upstream.reason, headers=headers)
    length = upstream.headers.get("Content-Length")
    if length is not None and "Transfer-Encoding" not in upstream.headers:
        response.content_length = int(length)
    elif upstream.status not in (204, 304):
        response.enable_chunked_encoding()
    return response


async def _pipe(
    upstream: aiohttp.ClientResponse,
    response: web.StreamResponse,
    transport: asyncio.BaseTransport | None,
) -> None:
    try:
        async for chunk in upstream.content.iter_any():
            await response.write(chunk)
    except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, OSError):
        # The upstream stream broke: break the client's too rather than end it cleanly.
        cut(transport)
        return
    await response.write_eof()


def _dropped(request: web.Request) -> web.StreamResponse:
    cut(request.transport)
    return web.Response(status=502)
