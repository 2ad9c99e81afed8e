"""The webhook server over real TLS on loopback: reviews, refusals, rotation, metrics."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs
from support.polling import eventually
from support.reviews import admission_review, conversion_review, widgets
from support.webhook_handlers import Denier, Labeller, SizeConverter
from support.webhook_tls import CA, Leaf, running

from kruise.runtime.webhook import LATENCY_BUCKETS, WebhookServer, jsonpatch

JSON = {"Content-Type": "application/json"}
WAITING = "waiting for the webhook certificate"


def new_server(cert_dir: Path, registry: CollectorRegistry, **options: Any) -> WebhookServer:
    server = WebhookServer(
        host="127.0.0.1",
        port=0,
        cert_dir=cert_dir,
        registry=registry,
        handler_timeout=0.3,
        cert_poll_interval=0.05,
        **options,
    )
    server.register_admission("/mutate", Labeller())
    server.register_admission("/validate", Denier())
    server.register_conversion("/convert", SizeConverter())
    return server


@pytest.fixture
async def server(cert_dir: Path, registry: CollectorRegistry) -> AsyncIterator[WebhookServer]:
    async with running(new_server(cert_dir, registry)) as started:
        yield started


@pytest.fixture
async def session(ca: CA) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ca.client_context())) as s:
        yield s


def url(server: WebhookServer, path: str) -> str:
    return f"https://127.0.0.1:{server.bound_port}{path}"


async def post(
    session: aiohttp.ClientSession, server: WebhookServer, path: str, body: Any
) -> tuple[int, Any]:
    async with session.post(url(server, path), data=json.dumps(body), headers=JSON) as response:
        text = await response.text()
        if response.content_type == "application/json":
            return response.status, json.loads(text)
        return response.status, text


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def test_healthz_and_readiness(server: WebhookServer, session: aiohttp.ClientSession) -> None:
    async with session.get(url(server, "/healthz")) as response:
        assert (response.status, await response.text()) == (200, "ok")
    await server.check_serving()
    assert server.paths() == ["/convert", "/mutate", "/validate"]


@pytest.mark.parametrize("version", ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"])
async def test_mutation_round_trip(
    server: WebhookServer, session: aiohttp.ClientSession, version: str
) -> None:
    review = admission_review(version, labels={"app": "a"})
    status, answer = await post(session, server, "/mutate", review)
    assert status == 200
    assert answer["apiVersion"] == version
    assert answer["kind"] == "AdmissionReview"
    response = answer["response"]
    assert response["uid"] == review["request"]["uid"]
    assert response["allowed"] is True
    assert response["patchType"] == "JSONPatch"
    patch = json.loads(base64.b64decode(response["patch"]))
    assert patch == [{"op": "add", "path": "/metadata/labels/mutated", "value": "true"}]
    mutated = jsonpatch.apply(review["request"]["object"], patch)
    assert mutated["metadata"]["labels"] == {"app": "a", "mutated": "true"}


@pytest.mark.parametrize("version", ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"])
async def test_denial_is_http_200_with_a_status(
    server: WebhookServer, session: aiohttp.ClientSession, version: str
) -> None:
    review = admission_review(version, labels={"deny": "yes"})
    status, answer = await post(session, server, "/validate", review)
    assert status == 200
    assert answer["apiVersion"] == version
    response = answer["response"]
    assert response["uid"] == review["request"]["uid"]
    assert response["allowed"] is False
    assert response["status"]["code"] == 422
    assert response["status"]["reason"] == "Invalid"
    assert response["status"]["message"].startswith("metadata.labels.deny: Forbidden")
    assert response["status"]["details"]["causes"][0]["field"] == "metadata.labels.deny"
    status, answer = await post(session, server, "/validate", admission_review(version))
    assert answer["response"]["allowed"] is True


async def test_handler_failure_and_timeout_are_500_answers(
    server: WebhookServer, session: aiohttp.ClientSession, registry: CollectorRegistry
) -> None:
    status, answer = await post(
        session, server, "/mutate", admission_review(labels={"explode": ""})
    )
    assert status == 200
    assert answer["response"]["allowed"] is False
    assert answer["response"]["status"]["code"] == 500
    assert "RuntimeError: boom" in answer["response"]["status"]["message"]
    assert sample(registry, "controller_runtime_webhook_panics_total") == 1
    status, answer = await post(session, server, "/mutate", admission_review(labels={"slow": ""}))
    assert status == 200
    assert answer["response"]["status"]["code"] == 500
    assert "did not answer within 0.3s" in answer["response"]["status"]["message"]
    assert sample(registry, "controller_runtime_webhook_panics_total") == 1


@pytest.mark.parametrize("version", ["apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"])
async def test_conversion_round_trip(
    server: WebhookServer, session: aiohttp.ClientSession, version: str
) -> None:
    review = conversion_review(widgets(3), api_version=version)
    status, answer = await post(session, server, "/convert", review)
    assert status == 200
    assert (answer["apiVersion"], answer["kind"]) == (version, "ConversionReview")
    response = answer["response"]
    assert response["uid"] == review["request"]["uid"]
    assert response["result"] == {"status": "Success"}
    assert [o["spec"] for o in response["convertedObjects"]] == [
        {"replicas": 0},
        {"replicas": 1},
        {"replicas": 2},
    ]
    back = conversion_review([], api_version=version, desired="example.io/v1")
    back["request"]["objects"] = response["convertedObjects"]
    _, answer = await post(session, server, "/convert", back)
    assert answer["response"]["convertedObjects"] == review["request"]["objects"]


async def test_conversion_failure_is_http_200(
    server: WebhookServer, session: aiohttp.ClientSession
) -> None:
    review = conversion_review(widgets(2))
    review["request"]["objects"][1]["spec"]["size"] = "lots"
    status, answer = await post(session, server, "/convert", review)
    assert status == 200
    assert answer["response"]["result"]["status"] == "Failure"
    assert "spec.size 'lots' is not a number" in answer["response"]["result"]["message"]


async def test_oversized_bodies_are_413(
    server: WebhookServer, session: aiohttp.ClientSession, registry: CollectorRegistry
) -> None:
    big = b'{"a": "' + b"x" * (7 * 1024 * 1024) + b'"}'
    async with session.post(url(server, "/mutate"), data=big, headers=JSON) as response:
        assert response.status == 413
        assert "too large" in await response.text()

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(8):
            yield b" " * (1024 * 1024)

    async with session.post(url(server, "/convert"), data=chunks(), headers=JSON) as response:
        assert response.status == 413
    assert (
        sample(registry, "controller_runtime_webhook_requests_total", webhook="/mutate", code="413")
        == 1
    )
    await server.check_serving()


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "message"),
    [
        ("POST", "/mutate", JSON, b"{not json", 400, "invalid JSON: Expecting property name"),
        ("POST", "/mutate", JSON, b'{"apiVersion": "admis', 400, "invalid JSON: Unterminated"),
        ("POST", "/mutate", JSON, b"", 400, "request body is empty"),
        ("POST", "/mutate", JSON, b"\xff\xfe{}", 400, "body is not UTF-8"),
        ("POST", "/mutate", JSON, b'{"a": NaN}', 400, "NaN is not a number"),
        ("POST", "/mutate", JSON, b"[" * 100_000, 400, "invalid JSON"),
        ("POST", "/mutate", JSON, b'{"kind": "AdmissionReview"}', 400, "apiVersion is required"),
        ("POST", "/convert", JSON, b"[]", 400, "ConversionReview must be an object"),
        ("POST", "/mutate", {"Content-Type": "text/plain"}, b"{}", 415, "Content-Type is"),
        ("POST", "/mutate", {}, b"{}", 415, "Content-Type is"),
        ("GET", "/mutate", {}, b"", 405, "GET is not allowed; use POST"),
        ("POST", "/nowhere", JSON, b"{}", 404, "no webhook is served on /nowhere"),
    ],
)
async def test_bad_requests_are_4xx_with_one_line(
    server: WebhookServer,
    session: aiohttp.ClientSession,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    status: int,
    message: str,
) -> None:
    async with session.request(method, url(server, path), data=body, headers=headers) as response:
        text = await response.text()
    assert response.status == status
    assert message in text
    assert text.count("\n") == 1
    assert text.endswith("\n")


async def test_metrics_follow_requests(
    server: WebhookServer, session: aiohttp.ClientSession, registry: CollectorRegistry
) -> None:
    for _ in range(3):
        await post(session, server, "/validate", admission_review())
    await post(session, server, "/validate", {"kind": "AdmissionReview"})
    await post(session, server, "/nowhere", {})
    total = "controller_runtime_webhook_requests_total"
    assert sample(registry, total, webhook="/validate", code="200") == 3
    assert sample(registry, total, webhook="/validate", code="400") == 1
    assert sample(registry, total, webhook="/nowhere", code="404") == 0
    latency = "controller_runtime_webhook_latency_seconds"
    assert sample(registry, f"{latency}_count", webhook="/validate") == 4
    assert sample(registry, f"{latency}_count", webhook="/convert") == 0
    assert sample(registry, f"{latency}_bucket", webhook="/validate", le="1000.0") == 4
    assert LATENCY_BUCKETS == (
        1e-8,
        1e-7,
        1e-6,
        1e-5,
        1e-4,
        1e-3,
        0.01,
        0.1,
        1.0,
        10.0,
        100.0,
        1000.0,
    )
    gauge = "controller_runtime_webhook_requests_in_flight"
    assert registry.get_sample_value(gauge, {"webhook": "/mutate"}) == 0
    assert sample(registry, "controller_runtime_conversion_webhook_panics_total") == 0
    assert sample(registry, "certwatcher_read_certificate_total") == 1


async def test_in_flight_counts_a_running_handler(
    server: WebhookServer, session: aiohttp.ClientSession, registry: CollectorRegistry
) -> None:
    gauge = "controller_runtime_webhook_requests_in_flight"
    slow = asyncio.create_task(
        post(session, server, "/mutate", admission_review(labels={"slow": ""}))
    )
    seen = set()
    while not slow.done():  # the handler hangs until the 0.3 s handler timeout
        seen.add(registry.get_sample_value(gauge, {"webhook": "/mutate"}))
        await asyncio.sleep(0.01)
    assert 1 in seen
    await slow
    assert registry.get_sample_value(gauge, {"webhook": "/mutate"}) == 0


async def _healthz(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    """One keep-alive GET /healthz on an open connection."""
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: webhook\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    match = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
    assert head.startswith(b"HTTP/1.1 200")
    assert match is not None
    return await reader.readexactly(int(match.group(1)))


def _peer(writer: asyncio.StreamWriter) -> bytes:
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    assert der is not None
    return bytes(der)


async def test_rotated_certificate_is_served_without_a_restart(
    server: WebhookServer, cert_dir: Path, ca: CA, leaf: Leaf, registry: CollectorRegistry
) -> None:
    other = CA("rotated-ca")
    trust = ca.client_context(other)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.bound_port, ssl=trust)
    assert _peer(writer) == leaf.der
    assert await _healthz(reader, writer) == b"ok"

    rotated = other.issue()
    rotated.write(cert_dir)

    async def presented() -> bytes:
        _, probe = await asyncio.open_connection("127.0.0.1", server.bound_port, ssl=trust)
        try:
            return _peer(probe)
        finally:
            probe.close()

    async def rotated_presented() -> bool:
        return await presented() == rotated.der

    await eventually(
        rotated_presented, timeout=5, interval=0.05, what="the rotated certificate served"
    )

    # The connection opened before the rotation keeps its certificate and keeps working.
    assert await _healthz(reader, writer) == b"ok"
    assert _peer(writer) == leaf.der
    writer.close()

    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=other.client_context())) as s,
        s.post(url(server, "/validate"), json=admission_review()) as response,
    ):
        assert response.status == 200
    assert sample(registry, "certwatcher_read_certificate_total") == 2
    assert sample(registry, "certwatcher_read_certificate_errors_total") == 0


async def test_waits_for_certificates_before_listening(
    tmp_path: Path, leaf: Leaf, registry: CollectorRegistry
) -> None:
    server = new_server(tmp_path, registry)
    stopping = asyncio.Event()
    task = asyncio.create_task(server.start(stopping))
    await asyncio.sleep(0.2)
    assert not server.serving.is_set()
    with pytest.raises(RuntimeError, match="not serving yet"):
        await server.check_serving()
    leaf.write(tmp_path)
    await asyncio.wait_for(server.serving.wait(), 5)
    await server.check_serving()
    stopping.set()
    await asyncio.wait_for(task, 5)
    with pytest.raises(RuntimeError, match="not serving"):
        await server.check_serving()


async def test_stop_while_waiting_for_certificates(
    tmp_path: Path, registry: CollectorRegistry
) -> None:
    server = new_server(tmp_path, registry)
    stopping = asyncio.Event()
    with capture_logs() as logs:
        task = asyncio.create_task(server.start(stopping))
        await eventually(
            lambda: WAITING in [entry["event"] for entry in logs],
            timeout=5,
            interval=0.01,
            what="the server to wait for its certificate",
        )
        await asyncio.sleep(0.2)  # several polls of the empty directory (every 0.05 s)

        # Still waiting: no certificate, nothing loaded, no port bound, not ready.
        assert not task.done()
        assert os.listdir(tmp_path) == []
        assert not server.certs.loaded
        assert sample(registry, "certwatcher_read_certificate_total") == 0
        assert not server.serving.is_set()
        assert server.bound_port == 0
        with pytest.raises(RuntimeError, match="not serving yet"):
            await server.check_serving()

        stopping.set()
        # start() returns, without raising, as soon as it is told to stop.
        assert await asyncio.wait_for(task, 2) is None
    events = [entry["event"] for entry in logs]
    assert "serving webhooks" not in events
    assert "webhook server stopped" not in events  # it never got as far as listening


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated")
async def test_refuses_tls_older_than_1_2(server: WebhookServer) -> None:
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname = False
    old.verify_mode = ssl.CERT_NONE
    old.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises((ssl.SSLError, ConnectionError)):
        await asyncio.open_connection("127.0.0.1", server.bound_port, ssl=old)


def test_registration_rules(cert_dir: Path, registry: CollectorRegistry) -> None:
    server = new_server(cert_dir, registry)
    with pytest.raises(ValueError, match="already registered"):
        server.register_admission("/mutate", Labeller())
    for bad in ("mutate", "/healthz"):
        with pytest.raises(ValueError, match="invalid webhook path"):
            server.register_conversion(bad, SizeConverter())
    # A second server on the same registry shares its series instead of clashing.
    assert new_server(cert_dir, registry).metrics is server.metrics
