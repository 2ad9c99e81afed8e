"""The metrics filter: tokens reviewed, users authorized, answers cached, refusals early.

The reviews go to a stand-in for the API server's two review endpoints (a dict of tokens
and a set of allowed users); the same filter against a real kube-apiserver is in
test/integration/ship/test_metrics_auth_live.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from kruise.runtime.metrics import DelegatingAuth, UserInfo, metrics_app
from kruise.runtime.metrics.auth import (
    SUBJECT_ACCESS_REVIEWS,
    TOKEN_REVIEWS,
    TTLCache,
    auth_middleware,
)

READER = UserInfo("system:serviceaccount:monitoring:prometheus", "uid-1", ("system:authenticated",))
STRANGER = UserInfo("system:serviceaccount:default:nobody", "uid-2", ("system:authenticated",))


@dataclass
class FakeReviews:
    """Answers TokenReviews from ``tokens`` and SubjectAccessReviews from ``allowed``."""

    tokens: dict[str, UserInfo]
    allowed: set[str]
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail: bool = False

    async def __call__(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        self.sent.append((path, body))
        if self.fail:
            raise ConnectionError("API server unreachable")
        if path == TOKEN_REVIEWS:
            user = self.tokens.get(body["spec"]["token"])
            if user is None:
                return {**body, "status": {"authenticated": False, "error": "invalid token"}}
            status = {
                "username": user.username,
                "uid": user.uid,
                "groups": list(user.groups),
            }
            return {**body, "status": {"authenticated": True, "user": status}}
        assert path == SUBJECT_ACCESS_REVIEWS
        spec = body["spec"]
        ok = spec["user"] in self.allowed and spec["nonResourceAttributes"] == {
            "path": "/metrics",
            "verb": "get",
        }
        return {**body, "status": {"allowed": ok}}

    def kinds(self) -> list[str]:
        return [body["kind"] for _, body in self.sent]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingCollector(Collector):
    def __init__(self) -> None:
        self.reads = 0

    def collect(self) -> Iterable[GaugeMetricFamily]:
        self.reads += 1
        yield GaugeMetricFamily("reads_so_far", "how often the registry was read", self.reads)


@dataclass
class Served:
    url: str
    reviews: FakeReviews
    collector: CountingCollector
    clock: Clock
    session: aiohttp.ClientSession

    async def get(self, token: str | None = None, path: str = "/metrics") -> tuple[int, str]:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        async with self.session.get(self.url + path, headers=headers) as response:
            return response.status, await response.text()


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    reviews = FakeReviews({"reader-token": READER, "stranger-token": STRANGER}, {READER.username})
    registry = CollectorRegistry()
    collector = CountingCollector()
    registry.register(collector)
    Counter("controller_runtime_reconcile_total", "x", ["controller"], registry=registry).labels(
        "cloneset"
    ).inc()
    clock = Clock()
    auth = DelegatingAuth(reviews, now=clock)
    runner = web.AppRunner(metrics_app(registry, middlewares=[auth_middleware(auth)]))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        yield Served(f"http://127.0.0.1:{port}", reviews, collector, clock, session)
    await runner.cleanup()


async def test_without_a_token_401_and_no_review_nor_registry_read(served: Served) -> None:
    status, body = await served.get()
    assert status == 401
    assert body.strip() == "Unauthorized"
    assert served.reviews.sent == []
    assert served.collector.reads == 0


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "reader-token"])
async def test_a_header_that_is_not_a_bearer_token_is_401(served: Served, header: str) -> None:
    async with served.session.get(served.url + "/metrics", headers={"Authorization": header}) as r:
        assert r.status == 401
    assert served.reviews.sent == []


async def test_an_unknown_token_is_401_without_reading_the_registry(served: Served) -> None:
    status, _ = await served.get("forged")
    assert status == 401
    assert served.reviews.kinds() == ["TokenReview"]
    assert served.collector.reads == 0


async def test_a_user_without_the_grant_is_403_without_reading_the_registry(
    served: Served,
) -> None:
    status, body = await served.get("stranger-token")
    assert status == 403
    assert body.strip() == f"Authorization denied for user {STRANGER.username}"
    assert served.reviews.kinds() == ["TokenReview", "SubjectAccessReview"]
    assert served.collector.reads == 0


async def test_the_reader_gets_the_metrics(served: Served) -> None:
    status, body = await served.get("reader-token")
    assert status == 200
    assert 'controller_runtime_reconcile_total{controller="cloneset"} 1.0' in body
    assert served.collector.reads == 1
    _, review = served.reviews.sent[1]
    assert review["spec"] == {
        "user": READER.username,
        "uid": READER.uid,
        "groups": list(READER.groups),
        "nonResourceAttributes": {"path": "/metrics", "verb": "get"},
    }


async def test_answers_are_cached_for_a_while_then_asked_again(served: Served) -> None:
    for _ in range(3):
        assert (await served.get("reader-token"))[0] == 200
        assert (await served.get("stranger-token"))[0] == 403
        assert (await served.get("forged"))[0] == 401
    assert len(served.reviews.sent) == 5  # two tokens and a user each, once
    served.clock.now += 11  # past the 10 s a refusal is kept, not the 60 s of the rest
    assert (await served.get("stranger-token"))[0] == 403
    assert (await served.get("reader-token"))[0] == 200
    assert served.reviews.kinds()[5:] == ["SubjectAccessReview"]
    served.clock.now += 60
    assert (await served.get("reader-token"))[0] == 200
    assert served.reviews.kinds()[6:] == ["TokenReview", "SubjectAccessReview"]


async def test_a_revoked_grant_takes_effect_once_the_cache_expires(served: Served) -> None:
    assert (await served.get("reader-token"))[0] == 200
    served.reviews.allowed.clear()
    served.clock.now += 61
    assert (await served.get("reader-token"))[0] == 403


async def test_an_unreachable_api_server_is_500_and_not_remembered(served: Served) -> None:
    served.reviews.fail = True
    status, body = await served.get("reader-token")
    assert status == 500
    assert body.strip() == "Authentication failed"
    assert served.collector.reads == 0
    served.reviews.fail = False
    assert (await served.get("reader-token"))[0] == 200


async def test_another_path_is_authorized_for_that_path(served: Served) -> None:
    status, _ = await served.get("reader-token", path="/debug")
    assert status == 403  # the reader may get /metrics, nothing else
    assert served.reviews.sent[-1][1]["spec"]["nonResourceAttributes"]["path"] == "/debug"


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    clock = Clock()
    cache: TTLCache[int] = TTLCache(size=3, now=clock)
    for i in range(3):
        cache.put(str(i), i, ttl=10)
    assert cache.get("0") == 0  # now the most recently used
    cache.put("3", 3, ttl=10)
    assert len(cache) == 3
    assert cache.get("1") is None
    assert [cache.get(k) for k in ("0", "2", "3")] == [0, 2, 3]
    clock.now += 10
    assert cache.get("0") is None


async def test_the_token_is_not_kept_in_the_cache() -> None:
    auth = DelegatingAuth(FakeReviews({"secret-token": READER}, set()))
    assert await auth.authenticate("secret-token") == READER
    assert len(auth._users) == 1
    assert "secret-token" not in repr(auth._users._entries)  # keyed by a digest
