"""Renewal: a Secret whose certificate is inside the renew window, or empty, is
replaced and the new files written; a running controller renews when the Secret
changes under it, and when its clock reaches the renew window."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path

import pytest
from cryptography import x509
from support.certs import (
    REPAIR_WITHIN,
    SECRET,
    dir_files,
    injected_everywhere,
    options_for,
    ready,
    running,
    secret_files,
)
from support.polling import eventually

from kruise.runtime.client import SECRETS, Client
from kruise.runtime.clock import FakeClock
from kruise.webhook.certs import CertBundle, CertController, new_bundle, problem, serving_names
from kruise.webhook.certs.generate import new_serving_cert
from kruise.webhook.certs.store import secret_data

pytestmark = pytest.mark.usefixtures("webhook_objects")

DAY = datetime.timedelta(days=1)


def names(namespace: str) -> list[str]:
    return serving_names("kruise-webhook-service", namespace)


def expiring(namespace: str, days_left: int = 30) -> CertBundle:
    """A long-lived CA and a serving certificate with ``days_left`` to live."""
    now = datetime.datetime.now(datetime.UTC)
    return new_bundle(names(namespace), now, validity=days_left * DAY)


def expiry(pem: bytes) -> datetime.datetime:
    return x509.load_pem_x509_certificate(pem).not_valid_after_utc


async def put_secret(client: Client, namespace: str, bundle: CertBundle | None) -> None:
    secret = {
        "metadata": {"name": SECRET, "namespace": namespace},
        "type": "Opaque",
        "data": secret_data(bundle) if bundle else {},
    }
    await client.create(SECRETS, secret)


async def test_a_stored_certificate_inside_the_renew_window_is_renewed(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    old = expiring(namespace)
    await put_secret(client, namespace, old)
    # The files a previous run left behind.
    tmp_path.joinpath("tls.crt").write_bytes(old.cert)
    tmp_path.joinpath("tls.key").write_bytes(old.key)

    controller = CertController(client, options_for(namespace, tmp_path))
    async with running(controller):
        await ready(controller)
        stored = await secret_files(client, namespace)
        assert stored["ca-cert.pem"] == old.ca_cert  # the CA is good: kept, no new caBundle
        assert stored["tls.crt"] != old.cert
        assert expiry(stored["tls.crt"]) > datetime.datetime.now(datetime.UTC) + 3000 * DAY
        assert dir_files(tmp_path) == stored
        assert await injected_everywhere(client, old.ca_cert)


async def test_an_empty_secret_is_filled(client: Client, namespace: str, tmp_path: Path) -> None:
    await put_secret(client, namespace, None)
    controller = CertController(client, options_for(namespace, tmp_path))
    async with running(controller):
        await ready(controller)
        stored = await secret_files(client, namespace)
        now = datetime.datetime.now(datetime.UTC)
        assert problem(CertBundle.from_files(stored), names(namespace), now) is None
        assert dir_files(tmp_path) == stored


async def test_a_running_controller_renews_what_another_replica_stored(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    controller = CertController(client, options_for(namespace, tmp_path))
    async with running(controller):
        await ready(controller)
        current = await secret_files(client, namespace)
        # A replica with a bad clock stores a serving certificate about to expire.
        now = datetime.datetime.now(datetime.UTC)
        cert, key = new_serving_cert_for(current, namespace, now)
        secret = await client.get(SECRETS, SECRET, namespace)
        secret["data"] = secret_data(
            CertBundle(current["ca-cert.pem"], current["ca-key.pem"], cert, key)
        )
        await client.update(SECRETS, secret)

        async def renewed() -> dict[str, bytes] | None:
            stored = await secret_files(client, namespace)
            if stored["tls.crt"] in (cert, current["tls.crt"]):
                return None
            return stored if dir_files(tmp_path) == stored else None

        stored = await eventually(
            renewed, timeout=REPAIR_WITHIN, what="a renewed certificate, stored and written"
        )
        assert stored["ca-cert.pem"] == current["ca-cert.pem"]
        assert expiry(stored["tls.crt"]) > now + 3000 * DAY


def new_serving_cert_for(
    current: dict[str, bytes], namespace: str, now: datetime.datetime
) -> tuple[bytes, bytes]:
    return new_serving_cert(
        current["ca-cert.pem"], current["ca-key.pem"], names(namespace), now, 10 * DAY
    )


async def test_the_clock_reaching_the_renew_window_renews(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    clock = FakeClock(wall_start=datetime.datetime.now(datetime.UTC).timestamp())
    controller = CertController(client, options_for(namespace, tmp_path), clock=clock)
    async with running(controller):
        await asyncio.wait_for(controller.wait_ready(), 30)
        first = await secret_files(client, namespace)
        # A day into the six-month renew window of the ten-year certificate.
        await clock.advance((3650 - 180 + 1) * 86400)

        async def renewed() -> dict[str, bytes] | None:
            stored = await secret_files(client, namespace)
            if stored["tls.crt"] == first["tls.crt"]:
                return None
            return stored if dir_files(tmp_path) == stored else None

        stored = await eventually(
            renewed, timeout=REPAIR_WITHIN, what="a renewed certificate, stored and written"
        )
        # The CA had less than a year left as well: it is new, and injected.
        assert stored["ca-cert.pem"] != first["ca-cert.pem"]
        await eventually(
            lambda: injected_everywhere(client, stored["ca-cert.pem"]),
            timeout=REPAIR_WITHIN,
            what="the new CA injected everywhere",
        )
