"""Serve the certificate on disk, and follow it when it changes.

The watcher polls the certificate and key files; when their content changes it loads
the pair into a fresh SSLContext and makes that the current one. The server listens
with ``context``, whose SNI callback (called on every handshake, with or without SNI)
hands the handshake to the current context, as Go's ``GetCertificate`` does: new
handshakes get the new pair, open connections keep theirs.

Why not ``load_cert_chain`` again on the listening context: OpenSSL keeps one
certificate per key type there, so after a rotation from an ECDSA to an RSA pair the
old ECDSA certificate would still be preferred; and a pair that fails half-way (new
certificate, old key) would leave that context with no usable key. A fresh context is
either complete or not used.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ssl
from pathlib import Path

from kruise.runtime import tlsconfig
from kruise.runtime.log import get_logger
from kruise.runtime.webhook.metrics import WebhookMetrics

log = get_logger("webhook.certwatcher")


def server_context() -> ssl.SSLContext:
    """A server context under kruise-py's TLS policy (``kruise.runtime.tlsconfig``).

    Both the listening context and each loaded pair's context need it: OpenSSL takes the
    protocol versions from the first and the cipher suites from the second.
    """
    return tlsconfig.server_context()


class CertWatcher:
    """The webhook server's certificate pair, polled on disk and reloaded when it changes.

    Listen with ``context``: each new handshake gets the newest pair that loaded, so a
    rotation needs no restart, and a pair that fails to load is never served.
    """

    def __init__(
        self,
        cert_path: Path,
        key_path: Path,
        metrics: WebhookMetrics,
        *,
        interval: float = 1.0,
    ) -> None:
        self.cert_path = cert_path
        self.key_path = key_path
        self.interval = interval
        self._metrics = metrics
        self._current: ssl.SSLContext | None = None
        self._loaded: bytes | None = None  # digest of the pair now served
        self._failed: bytes | None = None  # digest of the last pair that did not load
        self.context = server_context()  # listen with this one
        self.context.sni_callback = self._select

    @property
    def loaded(self) -> bool:
        """Whether a pair has loaded, so handshakes can succeed."""
        return self._current is not None

    def _select(
        self, connection: ssl.SSLObject | ssl.SSLSocket, server_name: str | None, _: ssl.SSLContext
    ) -> None:
        if self._current is not None:
            connection.context = self._current

    def _digest(self) -> bytes | None:
        """A digest of both files, or None while either is missing or unreadable."""
        try:
            cert, key = self.cert_path.read_bytes(), self.key_path.read_bytes()
        except OSError:
            return None
        return hashlib.sha256(len(cert).to_bytes(8, "big") + cert + key).digest()

    def reload(self) -> bool:
        """Load the pair if it changed since the last load; True if a new pair is served.

        Should the files change between reading the digest and loading them, the digest
        recorded is the older one, so the next poll loads them again.
        """
        digest = self._digest()
        if digest is None or digest in (self._loaded, self._failed):
            return False
        self._metrics.certificate_reads.inc()
        fresh = server_context()
        try:
            fresh.load_cert_chain(self.cert_path, self.key_path, password=_no_password)
        except (OSError, ssl.SSLError) as err:
            self._metrics.certificate_read_errors.inc()
            self._failed = digest
            log.error(
                "cannot load the webhook certificate", cert=str(self.cert_path), error=str(err)
            )
            return False
        self._current, self._loaded, self._failed = fresh, digest, None
        log.info("loaded the webhook certificate", cert=str(self.cert_path))
        return True

    async def wait_loaded(self, stopping: asyncio.Event) -> bool:
        """Poll until a pair has loaded (True) or ``stopping`` is set (False)."""
        if self.reload():
            return True
        log.info(
            "waiting for the webhook certificate",
            cert=str(self.cert_path),
            key=str(self.key_path),
        )
        while not self.loaded:
            if await _stopped(stopping, self.interval):
                return False
            self.reload()
        return True

    async def watch(self, stopping: asyncio.Event) -> None:
        """Reload on every change until ``stopping`` is set."""
        while not await _stopped(stopping, self.interval):
            self.reload()


def _no_password() -> bytes:
    """Encrypted keys are refused, instead of OpenSSL prompting on the terminal."""
    return b""


async def _stopped(stopping: asyncio.Event, delay: float) -> bool:
    """Sleep ``delay`` seconds; True at once if ``stopping`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), delay)
    return stopping.is_set()
