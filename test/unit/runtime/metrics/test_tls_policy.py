"""The TLS policy (kruise.runtime.tlsconfig) on the servers that use it: the webhook server
and the secure metrics server refuse TLS 1.1 and weak TLS 1.2 suites, over real sockets.

The client is a Python ssl context at OpenSSL security level 0, so it can offer what a
default context would never send; a permissive control server shows that each weak
handshake does succeed when the server allows it, so the refusals are the policy's.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from support.webhook_tls import CA, Leaf, running

from kruise.runtime import tlsconfig
from kruise.runtime.metrics import DelegatingAuth, SecureMetricsServer
from kruise.runtime.webhook import WebhookServer

# Weak TLS 1.2 suites: CBC with SHA-1 or SHA-256 MACs, static RSA key exchange (no forward
# secrecy), finite-field DHE.
WEAK_SUITES = [
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES128-SHA256",
    "AES128-GCM-SHA256",
    "AES256-SHA",
    "DHE-RSA-AES128-GCM-SHA256",
]


def handshake(port: int, *, suites: str = "ALL", version: ssl.TLSVersion | None = None) -> str:
    """The negotiated ``version cipher``, or ``refused: <reason>``."""
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.verify_mode = ssl.CERT_NONE
    client.set_ciphers(f"{suites}:@SECLEVEL=0")
    with warnings.catch_warnings():  # TLSv1_1 is deprecated: that is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        client.minimum_version = version or ssl.TLSVersion.TLSv1
        client.maximum_version = version or ssl.TLSVersion.TLSv1_2
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            client.wrap_socket(raw) as tls,
        ):
            name, _, _ = tls.cipher()  # type: ignore[misc]
            return f"{tls.version()} {name}"
    except (ssl.SSLError, OSError) as err:
        return f"refused: {err}"


@pytest.fixture(params=["ec", "rsa"])
def cert_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    CA().issue(rsa_key=request.param == "rsa").write(tmp_path)
    return tmp_path


@pytest.fixture
async def webhook(cert_dir: Path) -> AsyncIterator[WebhookServer]:
    server = WebhookServer(host="127.0.0.1", port=0, cert_dir=cert_dir, registry=None)
    async with running(server) as started:
        yield started


async def _never(path: str, body: dict[str, object]) -> dict[str, object]:
    raise AssertionError("no request should get as far as a review")


@pytest.fixture
async def metrics(webhook: WebhookServer) -> AsyncIterator[SecureMetricsServer]:
    server = SecureMetricsServer(
        CollectorRegistry(),
        host="127.0.0.1",
        port=0,
        tls=webhook.certs,
        auth=DelegatingAuth(_never),
    )
    async with running(server) as started:  # type: ignore[arg-type]
        yield started


@pytest.fixture(params=["webhook", "metrics"])
def port(
    request: pytest.FixtureRequest, webhook: WebhookServer, metrics: SecureMetricsServer
) -> int:
    return webhook.bound_port if request.param == "webhook" else metrics.bound_port


async def in_thread(port: int, **options: object) -> str:
    return await asyncio.to_thread(handshake, port, **options)  # type: ignore[arg-type]


async def test_tls_1_1_is_refused(port: int) -> None:
    answer = await in_thread(port, version=ssl.TLSVersion.TLSv1_1)
    assert answer.startswith("refused"), answer


@pytest.mark.parametrize("suite", WEAK_SUITES)
async def test_a_weak_tls_1_2_suite_is_refused(port: int, suite: str) -> None:
    answer = await in_thread(port, suites=suite, version=ssl.TLSVersion.TLSv1_2)
    assert answer.startswith("refused"), answer


async def test_tls_1_2_gets_an_ecdhe_aead_suite(port: int) -> None:
    answer = await in_thread(port, version=ssl.TLSVersion.TLSv1_2)
    protocol, suite = answer.split()
    assert protocol == "TLSv1.2"
    assert suite in tlsconfig.TLS12_CIPHERS


async def test_tls_1_3_is_served(port: int) -> None:
    answer = await in_thread(port, version=ssl.TLSVersion.TLSv1_3)
    assert answer.split()[0] == "TLSv1.3", answer


def test_every_allowed_tls_1_2_suite_is_ecdhe_with_an_aead() -> None:
    context = tlsconfig.server_context()
    tls12 = [c for c in context.get_ciphers() if c["protocol"] == "TLSv1.2"]
    assert sorted(c["name"] for c in tls12) == sorted(tlsconfig.TLS12_CIPHERS)
    for cipher in tls12:
        assert cipher["kea"] == "kx-ecdhe"
        assert cipher["aead"]
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


# ---- the control: the same client gets through to a server without the policy ----------


@pytest.fixture
def permissive_port(tmp_path: Path) -> Iterator[int]:
    leaf: Leaf = CA().issue(rsa_key=True)
    leaf.write(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:@SECLEVEL=0")
    context.load_cert_chain(tmp_path / "tls.crt", tmp_path / "tls.key")
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                with context.wrap_socket(conn, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.parametrize("suite", ["ECDHE-RSA-AES128-SHA256", "AES128-GCM-SHA256"])
def test_the_client_can_offer_what_the_policy_refuses(permissive_port: int, suite: str) -> None:
    assert handshake(permissive_port, suites=suite, version=ssl.TLSVersion.TLSv1_2).endswith(suite)


def test_the_client_can_speak_tls_1_1(permissive_port: int) -> None:
    answer = handshake(permissive_port, version=ssl.TLSVersion.TLSv1_1)
    assert answer.startswith("TLSv1.1"), answer
