"""Self-signed webhook certificates: a CA, a serving certificate it signs, and the checks
that decide whether a stored pair can still be served.

Keys are RSA 2048 written as PKCS#1 ``RSA PRIVATE KEY`` PEM, as OpenKruise writes them.
Both certificates start an hour in the past, so a replica whose clock runs a little
behind the one that generated them still accepts them. Everything takes ``now`` as an
argument: nothing here reads the clock.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

RSA_BITS = 2048
CA_COMMON_NAME = "webhook-cert-ca"
VALIDITY = datetime.timedelta(days=10 * 365)
# OpenKruise renews a serving certificate within six months of its expiry, and replaces
# the CA once less than a year of it is left.
RENEW_BEFORE = datetime.timedelta(days=6 * 30)
CA_RENEW_BEFORE = datetime.timedelta(days=365)
BACKDATE = datetime.timedelta(hours=1)
# How far a certificate's start may lie in our future before we call it invalid.
CLOCK_SKEW = datetime.timedelta(minutes=5)
MAX_COMMON_NAME = 64

# The Secret keys, which are also the file names in the cert dir.
CA_CERT = "ca-cert.pem"
CA_KEY = "ca-key.pem"
CERT = "cert.pem"
KEY = "key.pem"
TLS_CERT = "tls.crt"
TLS_KEY = "tls.key"
ALL_KEYS = (CA_CERT, CA_KEY, CERT, KEY, TLS_CERT, TLS_KEY)


@dataclass(frozen=True)
class CertBundle:
    """A CA and the serving pair it signed, all PEM."""

    ca_cert: bytes
    ca_key: bytes
    cert: bytes
    key: bytes

    def files(self) -> dict[str, bytes]:
        """The six entries OpenKruise stores, ``tls.*`` repeating the serving pair."""
        return {
            CA_CERT: self.ca_cert,
            CA_KEY: self.ca_key,
            CERT: self.cert,
            KEY: self.key,
            TLS_CERT: self.cert,
            TLS_KEY: self.key,
        }

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> CertBundle:
        """The bundle in a Secret's (decoded) data. Entries that are missing read as
        empty, and a ``tls.*`` entry that disagrees with its ``*.pem`` twin empties the
        pair, so that ``problem`` rejects the bundle."""
        cert, key = files.get(CERT, b""), files.get(KEY, b"")
        if files.get(TLS_CERT, b"") != cert or files.get(TLS_KEY, b"") != key:
            cert = key = b""
        return cls(files.get(CA_CERT, b""), files.get(CA_KEY, b""), cert, key)


def serving_names(service: str, namespace: str, host: str | None = None) -> list[str]:
    """The names a serving certificate must hold: the Service's two DNS names,
    ``localhost`` (for the readiness probe), and ``host`` when the API server reaches
    the webhook by URL."""
    names = [f"{service}.{namespace}.svc", f"{service}.{namespace}.svc.cluster.local", "localhost"]
    if host and host not in names:
        names.append(host)
    return names


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def new_ca(now: datetime.datetime, validity: datetime.timedelta = VALIDITY) -> tuple[bytes, bytes]:
    """A self-signed CA (certificate PEM, key PEM) valid from ``now`` for ``validity``."""
    key = new_private_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME)])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return _cert_pem(cert), _key_pem(key)


def new_serving_cert(
    ca_cert_pem: bytes,
    ca_key_pem: bytes,
    names: Sequence[str],
    now: datetime.datetime,
    validity: datetime.timedelta = VALIDITY,
) -> tuple[bytes, bytes]:
    """A serving pair (certificate PEM, key PEM) for ``names``, signed by the CA. IP
    addresses become IP SANs, everything else DNS SANs. The certificate never outlives
    its CA."""
    if not names:
        raise ValueError("a serving certificate needs at least one name")
    ca_cert = x509.load_pem_x509_certificate(ca_cert_pem)
    ca_key = serialization.load_pem_private_key(ca_key_pem, password=None)
    if not isinstance(ca_key, rsa.RSAPrivateKey):
        raise ValueError("the CA key is not an RSA key")
    key = new_private_key()
    common_name = next((n for n in names if len(n) <= MAX_COMMON_NAME), "webhook-server")
    not_after = min(now + validity, ca_cert.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(max(now - BACKDATE, ca_cert.not_valid_before_utc))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(_general_names(names)), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return _cert_pem(cert), _key_pem(key)


def new_bundle(
    names: Sequence[str],
    now: datetime.datetime,
    *,
    reuse_ca: CertBundle | None = None,
    validity: datetime.timedelta = VALIDITY,
    ca_validity: datetime.timedelta = VALIDITY,
) -> CertBundle:
    """A bundle for ``names``: a new serving pair signed by ``reuse_ca``'s CA when one is
    given, else by a new CA."""
    if reuse_ca is not None:
        ca_cert, ca_key = reuse_ca.ca_cert, reuse_ca.ca_key
    else:
        ca_cert, ca_key = new_ca(now, ca_validity)
    cert, key = new_serving_cert(ca_cert, ca_key, names, now, validity)
    return CertBundle(ca_cert, ca_key, cert, key)


def renew(
    current: CertBundle | None,
    names: Sequence[str],
    now: datetime.datetime,
    *,
    renew_before: datetime.timedelta = RENEW_BEFORE,
    ca_renew_before: datetime.timedelta = CA_RENEW_BEFORE,
) -> CertBundle:
    """What replaces ``current``: its CA is kept when it is a sound CA still valid at
    ``now`` plus the longer of the two windows (so the ``caBundle`` every client holds
    stays right, and the result passes ``problem``); otherwise everything is new."""
    at = now + max(renew_before, ca_renew_before)
    keep = current is not None and ca_problem(current, at) is None
    return new_bundle(names, now, reuse_ca=current if keep else None)


def ca_problem(bundle: CertBundle, at: datetime.datetime) -> str | None:
    """Why the bundle's CA cannot sign certificates valid at ``at``; None if it can."""
    try:
        ca_cert = x509.load_pem_x509_certificate(bundle.ca_cert)
        ca_key = serialization.load_pem_private_key(bundle.ca_key, password=None)
    except ValueError:
        return "the CA certificate or key does not parse"
    if not _same_public_key(ca_cert, ca_key):
        return "the CA key does not match the CA certificate"
    try:
        constraints = ca_cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return "the CA certificate is not a CA"
    if not constraints.ca:
        return "the CA certificate is not a CA"
    if ca_cert.not_valid_after_utc < at:
        return f"the CA certificate expires at {ca_cert.not_valid_after_utc.isoformat()}"
    return None


def problem(
    bundle: CertBundle,
    names: Iterable[str],
    now: datetime.datetime,
    renew_before: datetime.timedelta = RENEW_BEFORE,
) -> str | None:
    """Why ``bundle`` must be replaced, or None when it can be served: the pair parses,
    the certificate chains to the CA, holds every name, and both it and the CA are
    still valid at ``now + renew_before``."""
    if not (bundle.ca_cert and bundle.ca_key and bundle.cert and bundle.key):
        return "certificates missing"
    renew_at = now + renew_before
    reason = ca_problem(bundle, renew_at)
    if reason is not None:
        return reason
    try:
        cert = x509.load_pem_x509_certificate(bundle.cert)
        key = serialization.load_pem_private_key(bundle.key, password=None)
    except ValueError:
        return "the serving certificate or key does not parse"
    if not _same_public_key(cert, key):
        return "the serving key does not match the serving certificate"
    ca_cert = x509.load_pem_x509_certificate(bundle.ca_cert)
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return "the serving certificate is not signed by the CA"
    missing = [name for name in names if not _holds_name(cert, name)]
    if missing:
        return f"the serving certificate is not valid for {', '.join(missing)}"
    if max(cert.not_valid_before_utc, ca_cert.not_valid_before_utc) > now + CLOCK_SKEW:
        return "the certificates are not valid yet"
    if cert.not_valid_after_utc < renew_at:
        return f"the serving certificate expires at {cert.not_valid_after_utc.isoformat()}"
    return None


def renewal_due(bundle: CertBundle, renew_before: datetime.timedelta) -> datetime.datetime:
    """When ``problem`` starts to reject a bundle it accepts today: ``renew_before``
    ahead of the first expiry in the chain."""
    ca_cert = x509.load_pem_x509_certificate(bundle.ca_cert)
    cert = x509.load_pem_x509_certificate(bundle.cert)
    return min(ca_cert.not_valid_after_utc, cert.not_valid_after_utc) - renew_before


def not_after(pem: bytes) -> datetime.datetime:
    return x509.load_pem_x509_certificate(pem).not_valid_after_utc


def _holds_name(cert: x509.Certificate, name: str) -> bool:
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        wanted = name.lower().rstrip(".")
        return any(
            dns.lower().rstrip(".") == wanted for dns in sans.get_values_for_type(x509.DNSName)
        )
    return address in sans.get_values_for_type(x509.IPAddress)


def _general_names(names: Iterable[str]) -> list[x509.GeneralName]:
    general: list[x509.GeneralName] = []
    for name in names:
        try:
            general.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            general.append(x509.DNSName(name))
    return general


def _same_public_key(cert: x509.Certificate, key: object) -> bool:
    if not isinstance(key, rsa.RSAPrivateKey):
        return False
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return bool(cert.public_key().public_bytes(*spki) == key.public_key().public_bytes(*spki))


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
