"""One aiohttp session to the API server: auth, QPS, timeouts, retries, metrics, status checks.

Every response's status is checked here: callers get a 2xx response or a typed
``ApiError``; a failed connection is a ``TransportError``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
import ssl
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from prometheus_client import CollectorRegistry
from yarl import URL

from kruise.runtime import jsoncodec
from kruise.runtime.client.config import RestConfig
from kruise.runtime.client.errors import (
    ApiError,
    Timeout,
    TransportError,
    error_from_response,
    parse_retry_after,
)
from kruise.runtime.client.metrics import ClientMetrics
from kruise.runtime.client.ratelimit import TokenBucket
from kruise.runtime.clock import Clock, RealClock

# A watch line holds one whole object; etcd allows 1.5 MiB, JSON can be larger.
READ_BUFSIZE = 4 * 1024 * 1024
# Each open watch holds one connection (HTTP/1.1) for its whole life.
CONNECTION_LIMIT = 100

Params = Mapping[str, str]


def env_proxy(base: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
    """The proxy HTTPS_PROXY/HTTP_PROXY name for ``base`` (NO_PROXY and ~/.netrc honoured).

    Looked up once per transport: the host never changes, and aiohttp's ``trust_env``
    would repeat the lookup, in a thread, for every request (~0.45 ms of CPU each).
    """
    try:
        proxy, auth = aiohttp.helpers.get_env_proxy_for_url(URL(base))
    except LookupError:
        return None, None
    return proxy, auth


class Transport:
    """Must be constructed inside a running event loop; close it (or ``async with``)."""

    def __init__(
        self,
        config: RestConfig,
        *,
        registry: CollectorRegistry | None = None,
        clock: Clock | None = None,
    ) -> None:
        asyncio.get_running_loop()  # fail early, not on first request
        self.config = config
        self.clock = clock or RealClock()
        self.limiter = TokenBucket(config.qps, config.burst, self.clock)
        self._metrics = ClientMetrics.for_registry(registry) if registry is not None else None
        self._base = config.host.rstrip("/")
        self.host = urlsplit(self._base).netloc.rpartition("@")[2]
        connector = aiohttp.TCPConnector(limit=CONNECTION_LIMIT, ssl=config.ssl_context() or True)
        proxy, proxy_auth = env_proxy(self._base)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": config.user_agent, "Accept": "application/json"},
            read_bufsize=READ_BUFSIZE,
            proxy=proxy,
            proxy_auth=proxy_auth,
        )

    async def __aenter__(self) -> Transport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and its connections, open watches included."""
        await self._session.close()

    @property
    def closed(self) -> bool:
        """Whether ``close`` has run."""
        return self._session.closed

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        content_type: str = "application/json",
        request_timeout: float | None = None,
    ) -> Any:
        """Send JSON (``body`` is dumped unless it is bytes) and return the parsed answer."""
        seconds = self.config.timeout if request_timeout is None else request_timeout
        response = await self.send(
            method,
            path,
            params=params,
            data=_encode(body),
            content_type=content_type,
            client_timeout=aiohttp.ClientTimeout(total=seconds),
        )
        try:
            raw = await response.read()
        except TimeoutError as err:
            raise Timeout(
                f"{method} {path}: no answer within {seconds}s", client_side=True
            ) from err
        except aiohttp.ClientError as err:
            raise TransportError(f"{method} {path}: {err!r}") from err
        finally:
            response.release()
        return decode_json(raw) if raw else {}

    async def stream(
        self, path: str, *, params: Params | None = None, read_timeout: float | None
    ) -> aiohttp.ClientResponse:
        """GET a long-lived response (a watch): no total timeout, only connect and
        ``read_timeout`` between reads. The caller reads and closes it.

        Not paced by the rate limiter, as client-go does not pace watches: when the API
        server drops a watcher that fell behind, the informer's re-watch must not wait
        behind every write already queued for a token, or the cache lags by as long.
        """
        client_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self.config.timeout, sock_read=read_timeout
        )
        return await self.send(
            "GET", path, params=params, client_timeout=client_timeout, throttled=False
        )

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        data: bytes | None = None,
        content_type: str = "application/json",
        client_timeout: aiohttp.ClientTimeout,
        throttled: bool = True,
    ) -> aiohttp.ClientResponse:
        """Send one request, waiting for the rate limiter unless not ``throttled``;
        re-authenticate once after a 401; wait and retry on 429 (or a 5xx) carrying
        Retry-After, at most ``max_retries`` times. Returns a 2xx response with its body
        unread."""
        credentials = self.config.credentials
        retries = 0
        reauthenticated = False
        while True:
            if throttled:
                await self.limiter.acquire()
            headers = {"Content-Type": content_type} if data is not None else {}
            if credentials is not None:
                authorization = await credentials.authorization()
                if authorization:
                    headers["Authorization"] = authorization
            response = await self._send_once(
                method,
                path,
                params=params,
                data=data,
                headers=headers,
                client_timeout=client_timeout,
            )
            if response.status < 400:
                return response
            error = await self._error(response)
            if (
                response.status == 401
                and credentials is not None
                and not reauthenticated
                and await credentials.refresh()
            ):
                reauthenticated = True
                continue
            delay = retry_delay(error, retries, self.config.max_retries)
            if delay is None:
                raise error
            retries += 1
            await self.clock.sleep(delay)

    async def _send_once(
        self,
        method: str,
        path: str,
        *,
        params: Params | None,
        data: bytes | None,
        headers: dict[str, str],
        client_timeout: aiohttp.ClientTimeout,
    ) -> aiohttp.ClientResponse:
        start = self.clock.now()
        try:
            response = await self._session.request(
                method,
                self._base + path,
                params=params,
                data=data,
                headers=headers,
                timeout=client_timeout,
                proxy=self.config.proxy,
                server_hostname=self.config.tls_server_name,
            )
        except TimeoutError as err:
            self._observe(method, None, start)
            raise Timeout(f"{method} {path}: no answer in time", client_side=True) from err
        except (aiohttp.ClientError, OSError) as err:
            self._observe(method, None, start)
            raise TransportError(f"{method} {path}: {_describe(err)}") from err
        self._observe(method, response.status, start)
        return response

    async def _error(self, response: aiohttp.ClientResponse) -> ApiError:
        try:
            body = await response.read()
        except (TimeoutError, aiohttp.ClientError):
            body = b""
        finally:
            response.release()
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock.wall())
        return error_from_response(response.status, body, retry_after)

    def _observe(self, method: str, code: int | None, start: float) -> None:
        if self._metrics is not None:
            self._metrics.observe(method, self.host, code, self.clock.now() - start)


def retry_delay(error: ApiError, retries: int, max_retries: int) -> float | None:
    """How long to wait before retrying, or None to give up. Like client-go's checkWait:
    only a 429 or a 5xx that says when to come back (Retry-After), ``max_retries`` times."""
    if retries >= max_retries or error.retry_after is None:
        return None
    if error.status == 429 or error.status >= 500:
        return error.retry_after
    return None


_GO_ESCAPES = {
    b"<": b"\\u003c",
    b">": b"\\u003e",
    b"&": b"\\u0026",
    "\u2028".encode(): b"\\u2028",
    "\u2029".encode(): b"\\u2029",
}
_GO_ESCAPED = re.compile(b"[<>&]|\xe2\x80[\xa8\xa9]")


def _encode(body: Any) -> bytes | None:
    """JSON as Go's encoder writes strings (UTF-8, ``<``, ``>``, ``&`` escaped): the API
    server keeps raw fields such as a ControllerRevision's ``data`` byte for byte, and a
    later patch re-encodes them the Go way; they must already match or the patch fails
    as a change to an immutable field."""
    if body is None or isinstance(body, bytes):
        return body
    try:
        data = jsoncodec.dumps(body)
    except jsoncodec.JSONEncodeError:
        # What orjson refuses (integers past 64 bits, non-string keys) the standard
        # library writes, as it always did here.
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    # These characters only occur inside strings, where the escape means the same.
    return _GO_ESCAPED.sub(lambda m: _GO_ESCAPES[m.group()], data)


def _describe(err: BaseException) -> str:
    """The innermost OS error's words ("Connection refused") rather than aiohttp's repr;
    a refused TLS certificate in OpenSSL's words ("unable to get local issuer
    certificate" for a CA we do not trust, "certificate has expired", a host mismatch)."""
    chain = list(_causes(err))
    for cause in chain:
        # aiohttp's wrapper is an SSLCertVerificationError too, without OpenSSL's words.
        verify_message = getattr(cause, "verify_message", None)
        if isinstance(cause, ssl.SSLCertVerificationError) and verify_message:
            return f"the server's TLS certificate failed verification: {verify_message}"
    for cause in chain:
        if isinstance(cause, OSError) and cause.strerror:
            return str(cause.strerror)
    return str(err) or type(err).__name__


def _causes(err: BaseException) -> Iterator[BaseException]:
    cause: BaseException | None = err
    while cause is not None:
        yield cause
        certificate_error = getattr(cause, "certificate_error", None)
        if isinstance(certificate_error, BaseException):
            yield certificate_error
        cause = getattr(cause, "os_error", None) or cause.__cause__


# Decoding a large LIST allocates millions of objects; the cyclic collector would rescan
# the growing heap many times over while none of it can be garbage yet, and after it the
# young collections would walk them all twice more.
LARGE_BODY_BYTES = 1 << 20


def decode_json(raw: bytes) -> Any:
    """Parse an answer (orjson), with the cyclic garbage collector paused for large bodies."""
    if len(raw) < LARGE_BODY_BYTES or not gc.isenabled():
        return _loads(raw)
    gc.disable()
    try:
        decoded = _loads(raw)
        # A large body is a LIST whose objects mostly go on to live in a cache: move
        # them to the oldest generation at once (freeze then unfreeze splices the
        # lists, nothing is traversed) rather than have the young collections walk
        # them twice on the way there. Objects without cycles are still freed by
        # reference counting; other cyclic garbage waits for the next full pass. Not
        # when the program froze objects itself: unfreeze would undo that.
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        return decoded
    finally:
        gc.enable()


def _loads(raw: bytes) -> Any:
    try:
        return jsoncodec.loads(raw)
    except jsoncodec.JSONDecodeError:
        # The standard library reads what orjson refuses (integers past 64 bits, NaN),
        # and raises a ValueError of its own for what is not JSON at all.
        return json.loads(raw)
