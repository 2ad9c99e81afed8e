"""Certificates on both sides of the proxy, and the kubeconfig that points at it.

Downstream the proxy serves HTTPS with a certificate from its own small CA. Upstream
it verifies kube-apiserver against the control plane's serving CA.

Credentials pass through. A request carrying ``Authorization`` (a bearer token) goes
upstream on a connection with no client certificate, so kube-apiserver sees the
token's identity and nothing else. A request without one whose TLS client certificate
is exactly the configured ``ClientCertificate`` goes upstream presenting that same
certificate (by default envtest's admin). Any other request goes upstream anonymous.
"""

from __future__ import annotations

import base64
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from kruise.runtime.envtest.certs import TinyCA

HOSTS = ["127.0.0.1", "localhost"]


@dataclass(frozen=True)
class ClientCertificate:
    """A client certificate the proxy accepts from clients and presents upstream.

    ``ca_file`` is the CA that signed it; the proxy asks clients for certificates
    signed by it. ``for_control_plane`` uses envtest's admin (``system:masters``).
    """

    cert_file: Path
    key_file: Path
    ca_file: Path

    def der(self) -> bytes:
        """The certificate in DER form, to compare with what a client presented."""
        cert = x509.load_pem_x509_certificate(self.cert_file.read_bytes())
        return cert.public_bytes(serialization.Encoding.DER)


class ProxyTLS:
    """The proxy's CA, serving certificate and SSL contexts, kept under ``directory``."""

    def __init__(self, directory: Path, upstream_ca: Path, client: ClientCertificate | None):
        self.directory = directory
        self.upstream_ca = upstream_ca
        self.client = client
        self._client_der = client.der() if client is not None else None
        directory.mkdir(parents=True, exist_ok=True)
        ca = TinyCA("kruise-faultproxy-ca")
        self.ca_file = directory / "proxy-ca.crt"
        self.ca_file.write_bytes(ca.cert_pem)
        self._cert_file = directory / "proxy.crt"
        self._key_file = directory / "proxy.key"
        ca.issue("kruise-faultproxy", hosts=HOSTS, server=True).write(
            self._cert_file, self._key_file
        )

    def server_context(self) -> ssl.SSLContext:
        """HTTPS for clients; a client certificate is asked for but not required."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self._cert_file, self._key_file)
        if self.client is not None:
            context.load_verify_locations(self.client.ca_file)
            context.verify_mode = ssl.CERT_OPTIONAL
        return context

    def upstream_context(self, *, with_client_cert: bool) -> ssl.SSLContext:
        """TLS to kube-apiserver, verified against its CA; optionally as the client cert."""
        context = ssl.create_default_context(cafile=self.upstream_ca)
        if with_client_cert and self.client is not None:
            context.load_cert_chain(self.client.cert_file, self.client.key_file)
        return context

    def is_known_client(self, peer_der: bytes | None) -> bool:
        """Whether a presented certificate is the one the proxy passes upstream."""
        return peer_der is not None and peer_der == self._client_der

    def kubeconfig(self, url: str, token: str | None) -> dict[str, Any]:
        """A kubeconfig for ``url`` trusting the proxy's CA; with ``token`` it
        authenticates by bearer token, else by the configured client certificate."""

        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode()

        user: dict[str, str] = {}
        if token is not None:
            user["token"] = token
        elif self.client is not None:
            user["client-certificate-data"] = b64(self.client.cert_file.read_bytes())
            user["client-key-data"] = b64(self.client.key_file.read_bytes())
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "faultproxy",
                    "cluster": {
                        "server": url,
                        "certificate-authority-data": b64(self.ca_file.read_bytes()),
                    },
                }
            ],
            "users": [{"name": "faultproxy-user", "user": user}],
            "contexts": [
                {
                    "name": "faultproxy",
                    "context": {"cluster": "faultproxy", "user": "faultproxy-user"},
                }
            ],
            "current-context": "faultproxy",
        }
