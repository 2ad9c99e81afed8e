"""Certificates for the webhook tests, made with ``cryptography``, and a running server."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kruise.runtime.webhook import WebhookServer


def _pem_key(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass(frozen=True)
class Leaf:
    cert_pem: bytes
    key_pem: bytes

    @property
    def der(self) -> bytes:
        return x509.load_pem_x509_certificate(self.cert_pem).public_bytes(
            serialization.Encoding.DER
        )

    def write(self, cert_dir: Path) -> None:
        """Write both files the way the certificate controller does: each atomically."""
        for name, data in (("tls.crt", self.cert_pem), ("tls.key", self.key_pem)):
            scratch = cert_dir / f".{name}.tmp"
            scratch.write_bytes(data)
            scratch.replace(cert_dir / name)


class CA:
    def __init__(self, name: str = "webhook-test-ca") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, host: str = "127.0.0.1", *, rsa_key: bool = False) -> Leaf:
        key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if rsa_key
            else ec.generate_private_key(ec.SECP256R1())
        )
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
                critical=False,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return Leaf(cert.public_bytes(serialization.Encoding.PEM), _pem_key(key))

    def client_context(self, *others: CA) -> ssl.SSLContext:
        """A client context trusting this CA (and ``others``), checking the IP SAN."""
        cadata = b"".join(ca.pem for ca in (self, *others)).decode()
        return ssl.create_default_context(cadata=cadata)


@asynccontextmanager
async def running(server: WebhookServer) -> AsyncIterator[WebhookServer]:
    """Start ``server`` and wait until it listens; stop it afterwards."""
    stopping = asyncio.Event()
    task = asyncio.create_task(server.start(stopping))
    serving = asyncio.create_task(server.serving.wait())
    await asyncio.wait({task, serving}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        serving.cancel()
        task.result()
        raise RuntimeError("the webhook server stopped before serving")
    assert server.serving.is_set(), "the webhook server did not start in time"
    try:
        yield server
    finally:
        stopping.set()
        await asyncio.wait_for(task, 15)
