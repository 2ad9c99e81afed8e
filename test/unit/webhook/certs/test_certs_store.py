"""The Secret's data and the bundle in it."""

from __future__ import annotations

import base64
import datetime

from kruise.webhook.certs import ALL_KEYS, CertBundle, new_bundle, problem, serving_names
from kruise.webhook.certs.store import bundle_from_secret, secret_data

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
NAMES = serving_names("svc", "ns")


def test_secret_data_round_trips() -> None:
    bundle = new_bundle(NAMES, NOW)
    data = secret_data(bundle)
    assert set(data) == set(ALL_KEYS)
    assert base64.b64decode(data["tls.crt"]) == bundle.cert
    assert bundle_from_secret({"data": data}) == bundle
    assert problem(bundle_from_secret({"data": data}), NAMES, NOW) is None


def test_an_empty_or_broken_secret_reads_as_missing_entries() -> None:
    assert bundle_from_secret({}) == CertBundle(b"", b"", b"", b"")
    assert bundle_from_secret({"data": None}) == CertBundle(b"", b"", b"", b"")
    broken = bundle_from_secret({"data": {"ca-cert.pem": "not base64!", "ca-key.pem": 7}})
    assert broken.ca_cert == b""
    assert broken.ca_key == b""
