"""Thousands of broken reviews against the live server: never a 5xx, always still healthy.

A seeded generator takes valid AdmissionReviews and ConversionReviews and breaks them:
values of the wrong type anywhere in the tree, missing keys, foreign envelopes, bodies
cut short or with bytes flipped, random bytes, deep nesting, wrong Content-Types. A few
connections also promise more body than they send and hang up.
"""

from __future__ import annotations

import asyncio
import collections
import json
import random
import string
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs
from support.reviews import admission_review, conversion_review, widgets
from support.webhook_handlers import Denier, Labeller, SizeConverter
from support.webhook_tls import CA, running

from kruise.runtime.webhook import WebhookServer

CASES = 10_000
WORKERS = 8
PATHS = ("/mutate", "/validate", "/convert")
SEED = 20240607


def _text(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + '~/.-_ "\\\u00e9\u2603\U0001f600'
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value, of any type."""
    kind = rng.randint(0, 9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 7, 2**63, -(2**70), 10**40])
    if kind == 3:
        return rng.choice([0.5, -1e308, 1e-300, 3.0])
    if kind in {4, 5, 6}:
        return _text(rng)
    if kind in {7, 8}:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _nodes(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into ``doc``: dict keys and list indexes."""
    items: list[tuple[Any, Any]] = []
    if isinstance(doc, dict):
        items = list(doc.items())
    elif isinstance(doc, list):
        items = list(enumerate(doc))
    for key, child in items:
        yield (*path, key)
        yield from _nodes(child, (*path, key))


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


def _break_tree(rng: random.Random, doc: Any) -> Any:
    for _ in range(rng.randint(1, 3)):
        paths = list(_nodes(doc))
        if not paths:
            return _value(rng)
        path = rng.choice(paths)
        parent = _parent(doc, path)
        if isinstance(parent, dict) and rng.random() < 0.3:
            del parent[path[-1]]
        else:
            parent[path[-1]] = _value(rng)
    return doc


def _valid(rng: random.Random) -> tuple[str, Any]:
    choice = rng.randint(0, 3)
    if choice < 2:
        version = rng.choice(["admission.k8s.io/v1", "admission.k8s.io/v1beta1"])
        labels = rng.choice([None, {"app": "a"}, {"deny": "yes"}])
        return rng.choice(["/mutate", "/validate"]), admission_review(version, labels=labels)
    version = rng.choice(["apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"])
    desired = rng.choice(["example.io/v1", "example.io/v2"])
    return "/convert", conversion_review(
        widgets(rng.randint(0, 3)), api_version=version, desired=desired
    )


def case(rng: random.Random) -> tuple[str, bytes, str]:
    """A path, a body and a Content-Type."""
    path, review = _valid(rng)
    if rng.random() < 0.2:
        path = rng.choice(PATHS)  # an admission review at /convert, and so on
    content_type = "application/json" if rng.random() > 0.02 else rng.choice(["", "text/json"])
    return path, _body(rng, review), content_type


def _body(rng: random.Random, review: Any) -> bytes:
    """``review`` broken one of several ways, or (3 times in 20) left whole."""
    kind = rng.randint(0, 19)
    if kind <= 9:
        body = json.dumps(_break_tree(rng, review)).encode()
    elif kind == 10:
        review["apiVersion"] = rng.choice([_text(rng), "admission.k8s.io/v2", _value(rng)])
        body = json.dumps(review).encode()
    elif kind == 11:
        review["kind"] = rng.choice(["AdmissionReview", "ConversionReview", _value(rng)])
        body = json.dumps(review).encode()
    elif kind == 12:
        full = json.dumps(review).encode()
        body = full[: rng.randint(0, len(full) - 1)]
    elif kind == 13:
        flipped = bytearray(json.dumps(review).encode())
        for _ in range(rng.randint(1, 4)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        body = bytes(flipped)
    elif kind == 14:
        body = rng.randbytes(rng.randint(0, 200))
    elif kind == 15:
        depth = rng.choice([10, 1000, 50_000])
        body = (b"[" * depth + b"]" * depth) if rng.random() < 0.5 else b'{"a":' * depth
    elif kind == 16:
        body = json.dumps(_value(rng)).encode()
    else:
        body = json.dumps(review).encode()  # valid, so the handlers run too
    return body


@pytest.fixture
async def server(cert_dir: Path, registry: CollectorRegistry) -> AsyncIterator[WebhookServer]:
    server = WebhookServer(
        host="127.0.0.1", port=0, cert_dir=cert_dir, registry=registry, handler_timeout=1.0
    )
    server.register_admission("/mutate", Labeller())
    server.register_admission("/validate", Denier())
    server.register_conversion("/convert", SizeConverter())
    async with running(server) as started:
        yield started


async def _short_bodies(server: WebhookServer, ca: CA, count: int) -> None:
    """Promise a long body, send part of it, hang up."""
    for i in range(count):
        _, writer = await asyncio.open_connection(
            "127.0.0.1", server.bound_port, ssl=ca.client_context()
        )
        writer.write(
            b"POST /mutate HTTP/1.1\r\nHost: w\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000\r\n\r\n" + b'{"apiVersion": "adm'[: i % 20]
        )
        await writer.drain()
        writer.close()
        await writer.wait_closed()


async def test_malformed_reviews_never_get_a_5xx(
    server: WebhookServer, ca: CA, registry: CollectorRegistry
) -> None:
    rng = random.Random(SEED)
    cases = [case(rng) for _ in range(CASES)]
    statuses: collections.Counter[int] = collections.Counter()
    failures: list[str] = []
    connector = aiohttp.TCPConnector(ssl=ca.client_context(), limit=WORKERS)
    # Log entries are kept, not rendered: tracebacks of the handlers' faults are slow to draw.
    with capture_logs() as logs:
        async with aiohttp.ClientSession(connector=connector) as session:
            queue = iter(cases)

            async def worker() -> None:
                for path, body, content_type in queue:
                    headers = {"Content-Type": content_type} if content_type else {}
                    async with session.post(
                        f"https://127.0.0.1:{server.bound_port}{path}", data=body, headers=headers
                    ) as response:
                        text = await response.text()
                    statuses[response.status] += 1
                    if response.status >= 500 or (
                        response.status == 200 and '"response"' not in text
                    ):
                        failures.append(f"{response.status} {path} {body[:200]!r}: {text[:200]}")

            await asyncio.gather(*(worker() for _ in range(WORKERS)))
            await _short_bodies(server, ca, 40)

            async with session.get(f"https://127.0.0.1:{server.bound_port}/healthz") as response:
                assert response.status == 200
            path, review = "/validate", admission_review(labels={"deny": "yes"})
            async with session.post(
                f"https://127.0.0.1:{server.bound_port}{path}", json=review
            ) as response:
                assert (await response.json())["response"]["status"]["code"] == 422
    await server.check_serving()

    assert not failures, "\n".join(failures[:20])
    assert any(entry["event"] == "admission handler failed" for entry in logs)
    assert sum(statuses.values()) == CASES
    assert set(statuses) <= {200, 400, 415}, statuses
    assert statuses[200] > CASES // 10, statuses  # the handlers ran, often
    assert statuses[400] > CASES // 2, statuses
    counted = sum(
        registry.get_sample_value(
            "controller_runtime_webhook_requests_total", {"webhook": p, "code": str(c)}
        )
        or 0
        for p in PATHS
        for c in statuses
    )
    assert counted == CASES + 40 + 1  # the cases, the hung-up bodies, the last check
    gauge = "controller_runtime_webhook_requests_in_flight"
    assert all(registry.get_sample_value(gauge, {"webhook": p}) == 0 for p in PATHS)
