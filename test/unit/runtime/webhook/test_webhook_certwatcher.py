"""The certificate watcher: waits for the files, follows changes, never serves a bad pair."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from prometheus_client import CollectorRegistry
from support.webhook_tls import CA, Leaf

from kruise.runtime.webhook.certwatcher import CertWatcher, server_context
from kruise.runtime.webhook.metrics import webhook_metrics


def served(context: ssl.SSLContext) -> bytes:
    """The certificate ``context`` presents, from a handshake in memory."""
    client_ctx = ssl.create_default_context()
    client_ctx.check_hostname = False
    client_ctx.verify_mode = ssl.CERT_NONE
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    client = client_ctx.wrap_bio(c_in, c_out)
    server = context.wrap_bio(s_in, s_out, server_side=True)
    for _ in range(10):
        for side in (client, server):
            with contextlib.suppress(ssl.SSLWantReadError):
                side.do_handshake()
        s_in.write(c_out.read())
        c_in.write(s_out.read())
    der = client.getpeercert(binary_form=True)
    assert der is not None
    return der


def watcher(cert_dir: Path, registry: CollectorRegistry) -> CertWatcher:
    return CertWatcher(
        cert_dir / "tls.crt", cert_dir / "tls.key", webhook_metrics(registry), interval=0.02
    )


def reads(registry: CollectorRegistry) -> tuple[float | None, float | None]:
    return (
        registry.get_sample_value("certwatcher_read_certificate_total"),
        registry.get_sample_value("certwatcher_read_certificate_errors_total"),
    )


def test_context_is_tls12_or_newer() -> None:
    context = server_context()
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


async def test_waits_for_the_files(tmp_path: Path, leaf: Leaf, registry: CollectorRegistry) -> None:
    certs = watcher(tmp_path, registry)
    waiting = asyncio.create_task(certs.wait_loaded(asyncio.Event()))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    assert reads(registry) == (0, 0)
    leaf.write(tmp_path)
    assert await asyncio.wait_for(waiting, 5) is True
    assert certs.loaded
    assert reads(registry) == (1, 0)


async def test_stops_waiting_when_asked(tmp_path: Path, registry: CollectorRegistry) -> None:
    stopping = asyncio.Event()
    waiting = asyncio.create_task(watcher(tmp_path, registry).wait_loaded(stopping))
    await asyncio.sleep(0.05)
    stopping.set()
    assert await asyncio.wait_for(waiting, 1) is False


def test_reloads_only_on_change(
    cert_dir: Path, leaf: Leaf, ca: CA, registry: CollectorRegistry
) -> None:
    certs = watcher(cert_dir, registry)
    assert certs.reload() is True
    assert served(certs.context) == leaf.der
    assert certs.reload() is False
    (cert_dir / "tls.crt").touch()
    assert certs.reload() is False
    new = ca.issue()
    new.write(cert_dir)
    assert certs.reload() is True
    assert served(certs.context) == new.der
    assert reads(registry) == (2, 0)


def test_rotation_to_another_key_type(cert_dir: Path, ca: CA, registry: CollectorRegistry) -> None:
    # Loading an RSA pair into a context that holds an ECDSA one would keep serving the
    # ECDSA certificate; each pair gets a context of its own instead.
    certs = watcher(cert_dir, registry)
    certs.reload()
    for rsa_key in (True, False, True):
        new = ca.issue(rsa_key=rsa_key)
        new.write(cert_dir)
        assert certs.reload() is True
        assert served(certs.context) == new.der


def test_half_written_rotation_is_not_served(
    cert_dir: Path, leaf: Leaf, ca: CA, registry: CollectorRegistry
) -> None:
    certs = watcher(cert_dir, registry)
    certs.reload()
    assert served(certs.context) == leaf.der
    new = ca.issue()
    (cert_dir / "tls.crt").write_bytes(new.cert_pem)  # the key is still the old one
    assert certs.reload() is False
    assert reads(registry) == (2, 1)
    assert served(certs.context) == leaf.der
    assert certs.reload() is False  # the same bad pair is not read again
    assert reads(registry) == (2, 1)
    (cert_dir / "tls.key").write_bytes(new.key_pem)
    assert certs.reload() is True
    assert reads(registry) == (3, 1)
    assert served(certs.context) == new.der


def test_garbage_is_an_error(cert_dir: Path, registry: CollectorRegistry) -> None:
    certs = watcher(cert_dir, registry)
    (cert_dir / "tls.crt").write_bytes(b"not a certificate")
    assert certs.reload() is False
    assert not certs.loaded
    assert reads(registry) == (1, 1)


def test_encrypted_key_is_an_error_not_a_prompt(
    cert_dir: Path, registry: CollectorRegistry
) -> None:
    key = serialization.load_pem_private_key((cert_dir / "tls.key").read_bytes(), None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    (cert_dir / "tls.key").write_bytes(encrypted)
    assert watcher(cert_dir, registry).reload() is False
    assert reads(registry) == (1, 1)
