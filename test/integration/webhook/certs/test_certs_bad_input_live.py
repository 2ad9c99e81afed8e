"""Bad input under the certificate controller: an expired certificate in the cert dir or
the Secret, a Secret someone filled with garbage, and a full disk under the cert dir.
Each is repaired (or retried until it can be) with one log line, and the webhook server
keeps serving."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import structlog
from support.certs import (
    REPAIR_WITHIN,
    SECRET,
    dir_files,
    options_for,
    ready,
    running,
    secret_files,
)
from support.polling import eventually

from kruise.runtime.client import SECRETS, Client
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.webhook import WebhookServer
from kruise.runtime.workqueue import ItemExponentialFailureRateLimiter
from kruise.webhook.certs import CertBundle, CertController, new_bundle, problem, serving_names
from kruise.webhook.certs.store import secret_data

pytestmark = pytest.mark.usefixtures("webhook_objects")

DAY = datetime.timedelta(days=1)


def names(namespace: str) -> list[str]:
    return serving_names("kruise-webhook-service", namespace)


def expired(namespace: str) -> CertBundle:
    """A bundle whose CA and serving certificate both ended yesterday."""
    issued = datetime.datetime.now(datetime.UTC) - 30 * DAY
    return new_bundle(names(namespace), issued, validity=29 * DAY)


def usable(files: dict[str, bytes], namespace: str) -> bool:
    now = datetime.datetime.now(datetime.UTC)
    return problem(CertBundle.from_files(files), names(namespace), now) is None


async def put_secret(client: Client, namespace: str, data: dict[str, str]) -> None:
    secret = {"metadata": {"name": SECRET, "namespace": namespace}, "type": "Opaque", "data": data}
    await client.create(SECRETS, secret)


def replaced_lines(logs: list[dict[str, object]]) -> list[dict[str, object]]:
    return [line for line in logs if line["event"] == "replaced certificates in secret"]


# ---- an expired certificate ------------------------------------------------------------------


async def test_an_expired_certificate_left_in_the_cert_dir_is_replaced(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    old = expired(namespace)
    for name, pem in old.files().items():
        tmp_path.joinpath(name).write_bytes(pem)
    controller = CertController(client, options_for(namespace, tmp_path))
    async with running(controller):
        await ready(controller)
        stored = await secret_files(client, namespace)
        assert usable(stored, namespace)
        assert dir_files(tmp_path) == stored


async def test_an_expired_certificate_in_the_secret_is_replaced_with_one_line(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    await put_secret(client, namespace, secret_data(expired(namespace)))
    controller = CertController(client, options_for(namespace, tmp_path))
    with structlog.testing.capture_logs() as logs:
        async with running(controller):
            await ready(controller)
    stored = await secret_files(client, namespace)
    assert usable(stored, namespace)
    assert dir_files(tmp_path) == stored
    [line] = replaced_lines(logs)
    assert "expire" in str(line["reason"])


# ---- garbage in the Secret --------------------------------------------------------------------


def garbage(kind: str, namespace: str) -> dict[str, str]:
    good = secret_data(new_bundle(names(namespace), datetime.datetime.now(datetime.UTC)))
    if kind == "not-pem":
        return {key: base64.b64encode(b"garbage").decode() for key in good}
    if kind == "empty":  # the API server itself refuses values that are not base64
        return dict.fromkeys(good, "")
    if kind == "mismatched-key":
        stranger = secret_data(new_bundle(names(namespace), datetime.datetime.now(datetime.UTC)))
        return {**good, "tls.key": stranger["tls.key"], "key.pem": stranger["key.pem"]}
    if kind == "missing-keys":
        return {"ca-cert.pem": good["ca-cert.pem"]}
    raise AssertionError(kind)


@pytest.fixture(params=["not-pem", "empty", "mismatched-key", "missing-keys"])
def garbage_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_a_secret_filled_with_garbage_is_regenerated_with_one_line(
    client: Client, namespace: str, tmp_path: Path, garbage_kind: str
) -> None:
    await put_secret(client, namespace, garbage(garbage_kind, namespace))
    controller = CertController(client, options_for(namespace, tmp_path))
    with structlog.testing.capture_logs() as logs:
        async with running(controller):
            await ready(controller)
    stored = await secret_files(client, namespace)
    assert usable(stored, namespace)
    assert dir_files(tmp_path) == stored
    assert len(replaced_lines(logs)) == 1


def client_context(ca_pem: bytes) -> ssl.SSLContext:
    context = ssl.create_default_context(cadata=ca_pem.decode())
    context.check_hostname = False  # the certificate names the Service, we dial loopback
    return context


async def answers(port: int, ca_pem: bytes) -> bool:
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                f"https://127.0.0.1:{port}/healthz", ssl=client_context(ca_pem)
            ) as response,
        ):
            return response.status == 200
    except (aiohttp.ClientError, OSError):
        return False


async def test_garbage_written_into_the_secret_while_serving_is_repaired_and_serving_goes_on(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    port = free_port()
    controller = CertController(client, options_for(namespace, tmp_path, port=port))
    server = WebhookServer(
        host="127.0.0.1", port=port, cert_dir=tmp_path, registry=None, cert_poll_interval=0.2
    )
    stopping = asyncio.Event()
    async with running(controller):
        await ready(controller)
        serving = asyncio.create_task(server.start(stopping))
        try:
            first = await secret_files(client, namespace)
            await eventually(
                lambda: answers(port, first["ca-cert.pem"]), what="the webhook server answering"
            )
            secret = await client.get(SECRETS, SECRET, namespace)
            secret["data"] = garbage("not-pem", namespace)
            await client.update(SECRETS, secret)

            async def repaired() -> dict[str, bytes] | None:
                stored = await secret_files(client, namespace)
                good = usable(stored, namespace) and dir_files(tmp_path) == stored
                return stored if good else None

            stored = await eventually(
                repaired, timeout=REPAIR_WITHIN, what="the Secret regenerated and written"
            )
            await eventually(
                lambda: answers(port, stored["ca-cert.pem"]),
                timeout=REPAIR_WITHIN,
                what="the webhook server answering with the regenerated certificate",
            )
        finally:
            stopping.set()
            await asyncio.wait_for(serving, 30)


# ---- a full disk under the cert dir -------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, which needs root; skipped where mounting is not allowed."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; the filler file, to delete when space returns."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as f:
        for size in (4096, 1):  # whole pages, then the last bytes
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * size)
    return filler


async def test_a_full_disk_under_the_cert_dir_is_one_line_retried_until_space_returns(
    client: Client, namespace: str, tiny_disk: Path
) -> None:
    cert_dir = tiny_disk / "certs"
    cert_dir.mkdir()
    filler = fill(tiny_disk)
    controller = CertController(
        client,
        options_for(namespace, cert_dir),
        rate_limiter=ItemExponentialFailureRateLimiter(0.05, 0.5),
    )
    with structlog.testing.capture_logs() as logs:
        async with running(controller):

            def failures() -> list[dict[str, object]]:
                return [line for line in logs if line["event"] == "webhook certificate sync failed"]

            await eventually(lambda: len(failures()) >= 2, what="failed syncs, retried")
            assert not controller.ready
            assert all("No space left on device" in str(line["error"]) for line in failures()), (
                failures()
            )

            filler.unlink()  # space returns
            await ready(controller)
            stored = await secret_files(client, namespace)
            assert dir_files(cert_dir) == stored
    assert not any("exc_info" in line or "exception" in line for line in logs)
