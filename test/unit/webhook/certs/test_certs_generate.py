"""Certificate generation and the decisions about when a stored bundle must be replaced."""

from __future__ import annotations

import datetime
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kruise.runtime.clock import FakeClock
from kruise.webhook.certs import generate as gen
from kruise.webhook.certs.generate import CertBundle

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
NAMES = gen.serving_names("kruise-webhook-service", "kube-system")
DAY = datetime.timedelta(days=1)


@pytest.fixture(scope="module")
def bundle() -> CertBundle:
    return gen.new_bundle(NAMES, NOW)


def sans(pem: bytes) -> tuple[list[str], list[str]]:
    cert = x509.load_pem_x509_certificate(pem)
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return ext.get_values_for_type(x509.DNSName), [
        str(ip) for ip in ext.get_values_for_type(x509.IPAddress)
    ]


def test_serving_names_cover_the_service_and_localhost() -> None:
    assert gen.serving_names("svc", "ns") == [
        "svc.ns.svc",
        "svc.ns.svc.cluster.local",
        "localhost",
    ]
    assert gen.serving_names("svc", "ns", "10.0.0.7")[-1] == "10.0.0.7"
    assert gen.serving_names("svc", "ns", "localhost") == gen.serving_names("svc", "ns")


def test_ca_is_an_rsa_2048_ca_named_like_openkruise(bundle: CertBundle) -> None:
    ca = x509.load_pem_x509_certificate(bundle.ca_cert)
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "webhook-cert-ca"
    assert ca.issuer == ca.subject
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    key = ca.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == 2048
    assert ca.not_valid_after_utc == NOW + datetime.timedelta(days=3650)
    assert ca.not_valid_before_utc < NOW


def test_keys_are_pkcs1_pem(bundle: CertBundle) -> None:
    for pem in (bundle.ca_key, bundle.key):
        assert pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
        assert isinstance(serialization.load_pem_private_key(pem, None), rsa.RSAPrivateKey)


def test_serving_cert_is_a_server_cert_for_every_name(bundle: CertBundle) -> None:
    cert = x509.load_pem_x509_certificate(bundle.cert)
    ca = x509.load_pem_x509_certificate(bundle.ca_cert)
    cert.verify_directly_issued_by(ca)
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert sans(bundle.cert) == (NAMES, [])
    assert cert.not_valid_after_utc == NOW + datetime.timedelta(days=3650)


def test_files_repeat_the_serving_pair_under_tls_names(bundle: CertBundle) -> None:
    files = bundle.files()
    assert set(files) == set(gen.ALL_KEYS)
    assert files["tls.crt"] == files["cert.pem"] == bundle.cert
    assert files["tls.key"] == files["key.pem"] == bundle.key
    assert CertBundle.from_files(files) == bundle


def test_an_ip_host_becomes_an_ip_san() -> None:
    names = gen.serving_names("svc", "ns", "127.0.0.1")
    made = gen.new_bundle(names, NOW)
    dns, ips = sans(made.cert)
    assert ips == ["127.0.0.1"]
    assert "127.0.0.1" not in dns
    assert gen.problem(made, names, NOW) is None


def test_an_ipv6_host_becomes_an_ip_san() -> None:
    names = gen.serving_names("svc", "ns", "::1")
    _, ips = sans(gen.new_bundle(names, NOW).cert)
    assert [ipaddress.ip_address(ip) for ip in ips] == [ipaddress.ip_address("::1")]


def test_a_dns_host_becomes_a_dns_san() -> None:
    names = gen.serving_names("svc", "ns", "webhook.example.com")
    dns, ips = sans(gen.new_bundle(names, NOW).cert)
    assert "webhook.example.com" in dns
    assert ips == []


def test_a_long_namespace_still_gets_a_certificate() -> None:
    names = gen.serving_names("kruise-webhook-service", "n" * 60)
    made = gen.new_bundle(names, NOW)
    assert sans(made.cert)[0] == names
    assert gen.problem(made, names, NOW) is None


# ---- when a bundle must be replaced ---------------------------------------------------


def test_a_fresh_bundle_needs_nothing(bundle: CertBundle) -> None:
    assert gen.problem(bundle, NAMES, NOW) is None


def test_an_empty_secret_is_replaced() -> None:
    empty = CertBundle.from_files({})
    assert gen.problem(empty, NAMES, NOW) == "certificates missing"


def test_garbage_is_replaced(bundle: CertBundle) -> None:
    broken = CertBundle(bundle.ca_cert, bundle.ca_key, b"not a cert", bundle.key)
    assert "does not parse" in (gen.problem(broken, NAMES, NOW) or "")


def test_a_key_that_does_not_match_is_replaced(bundle: CertBundle) -> None:
    other = gen.new_bundle(NAMES, NOW)
    mixed = CertBundle(bundle.ca_cert, bundle.ca_key, bundle.cert, other.key)
    assert "does not match" in (gen.problem(mixed, NAMES, NOW) or "")


def test_a_cert_from_another_ca_is_replaced(bundle: CertBundle) -> None:
    other = gen.new_bundle(NAMES, NOW)
    mixed = CertBundle(bundle.ca_cert, bundle.ca_key, other.cert, other.key)
    assert "not signed by the CA" in (gen.problem(mixed, NAMES, NOW) or "")


def test_a_tampered_tls_entry_is_replaced(bundle: CertBundle) -> None:
    files = bundle.files()
    files["tls.crt"] = gen.new_bundle(NAMES, NOW).cert
    assert gen.problem(CertBundle.from_files(files), NAMES, NOW) == "certificates missing"


def test_a_cert_missing_a_name_is_replaced(bundle: CertBundle) -> None:
    names = gen.serving_names("kruise-webhook-service", "kruise-system")
    reason = gen.problem(bundle, names, NOW)
    assert reason is not None
    assert "kruise-webhook-service.kruise-system.svc" in reason
    with_host = [*NAMES, "127.0.0.1"]
    assert "127.0.0.1" in (gen.problem(bundle, with_host, NOW) or "")


def test_names_compare_case_insensitively(bundle: CertBundle) -> None:
    assert gen.problem(bundle, [n.upper() for n in NAMES], NOW) is None


def test_renew_window_decides_with_the_given_now(bundle: CertBundle) -> None:
    expiry = NOW + datetime.timedelta(days=3650)
    window = datetime.timedelta(days=180)
    assert gen.problem(bundle, NAMES, expiry - window - DAY, window) is None
    reason = gen.problem(bundle, NAMES, expiry - window + DAY, window)
    assert reason is not None
    assert "expires" in reason
    # A shorter window keeps the same certificate longer.
    assert gen.problem(bundle, NAMES, expiry - window + DAY, 2 * DAY) is None


def test_renewal_due_follows_the_earliest_expiry(bundle: CertBundle) -> None:
    window = datetime.timedelta(days=180)
    assert gen.renewal_due(bundle, window) == NOW + datetime.timedelta(days=3650) - window
    short = gen.new_bundle(NAMES, NOW, validity=datetime.timedelta(days=30))
    assert gen.renewal_due(short, DAY) == NOW + datetime.timedelta(days=29)


def test_a_cert_from_the_future_is_refused_beyond_clock_skew(bundle: CertBundle) -> None:
    # Certificates are backdated an hour: a replica a few minutes behind accepts them.
    assert gen.problem(bundle, NAMES, NOW - datetime.timedelta(minutes=30)) is None
    assert "not valid yet" in (gen.problem(bundle, NAMES, NOW - datetime.timedelta(hours=2)) or "")


async def test_a_fake_clock_drives_the_decision(bundle: CertBundle) -> None:
    clock = FakeClock(wall_start=NOW.timestamp())

    def now() -> datetime.datetime:
        return datetime.datetime.fromtimestamp(clock.wall(), datetime.UTC)

    assert gen.problem(bundle, NAMES, now()) is None
    await clock.advance((3650 - 170) * 86400)  # 170 days before expiry: inside 6 months
    assert gen.problem(bundle, NAMES, now()) is not None


# ---- what a renewal keeps --------------------------------------------------------------


def test_renewal_keeps_a_sound_ca() -> None:
    short = gen.new_bundle(NAMES, NOW, validity=datetime.timedelta(days=200))
    later = NOW + datetime.timedelta(days=100)
    assert gen.problem(short, NAMES, later) is not None
    renewed = gen.renew(short, NAMES, later)
    assert renewed.ca_cert == short.ca_cert
    assert renewed.ca_key == short.ca_key
    assert renewed.cert != short.cert
    assert gen.problem(renewed, NAMES, later) is None


def test_a_new_name_keeps_the_ca(bundle: CertBundle) -> None:
    names = [*NAMES, "10.1.2.3"]
    renewed = gen.renew(bundle, names, NOW)
    assert renewed.ca_cert == bundle.ca_cert
    assert gen.problem(renewed, names, NOW) is None


def test_renewal_replaces_a_ca_within_a_year_of_expiry(bundle: CertBundle) -> None:
    later = NOW + datetime.timedelta(days=3650 - 300)
    renewed = gen.renew(bundle, NAMES, later)
    assert renewed.ca_cert != bundle.ca_cert
    assert gen.problem(renewed, NAMES, later) is None


def test_renewal_replaces_a_broken_ca(bundle: CertBundle) -> None:
    broken = CertBundle(bundle.ca_cert, gen.new_bundle(NAMES, NOW).ca_key, b"", b"")
    assert gen.ca_problem(broken, NOW) == "the CA key does not match the CA certificate"
    assert gen.renew(broken, NAMES, NOW).ca_cert != bundle.ca_cert
    assert gen.renew(None, NAMES, NOW).ca_cert != bundle.ca_cert


def test_a_wide_renew_window_never_keeps_a_ca_that_fails_it(bundle: CertBundle) -> None:
    # With a 2-year window, a CA with 1.5 years left fails the check; renewal must not
    # keep it, or the result would be replaced again at every sync.
    window = datetime.timedelta(days=730)
    later = NOW + datetime.timedelta(days=3650 - 548)
    renewed = gen.renew(bundle, NAMES, later, renew_before=window)
    assert renewed.ca_cert != bundle.ca_cert
    assert gen.problem(renewed, NAMES, later, window) is None


def test_a_serving_cert_never_outlives_its_ca(bundle: CertBundle) -> None:
    later = NOW + datetime.timedelta(days=1000)
    cert, _ = gen.new_serving_cert(bundle.ca_cert, bundle.ca_key, NAMES, later)
    ca = x509.load_pem_x509_certificate(bundle.ca_cert)
    assert x509.load_pem_x509_certificate(cert).not_valid_after_utc == ca.not_valid_after_utc


def test_a_serving_cert_needs_a_name(bundle: CertBundle) -> None:
    with pytest.raises(ValueError, match="at least one name"):
        gen.new_serving_cert(bundle.ca_cert, bundle.ca_key, [], NOW)
