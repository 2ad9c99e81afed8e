"""Health endpoints: named checks, verbose listings, exclusions and single checks."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from kruise.runtime.manager.healthz import HealthChecks


async def ok() -> None:
    return None


async def broken() -> None:
    raise RuntimeError("caches not synced")


async def client_for(checks: HealthChecks) -> TestClient:  # type: ignore[type-arg]
    client = TestClient(TestServer(checks.app()))
    await client.start_server()
    return client


async def test_all_passing_answers_ok() -> None:
    checks = HealthChecks()
    checks.add_readyz("ping", ok)
    client = await client_for(checks)
    try:
        response = await client.get("/readyz")
        assert response.status == 200
        assert await response.text() == "ok"
        verbose = await client.get("/readyz?verbose")
        assert await verbose.text() == "[+]ping ok\n/readyz check passed\n"
    finally:
        await client.close()


async def test_a_failing_check_is_named_with_its_reason() -> None:
    checks = HealthChecks()
    checks.add_readyz("ping", ok)
    checks.add_readyz("cache-sync", broken)
    client = await client_for(checks)
    try:
        response = await client.get("/readyz")
        assert response.status == 500
        body = await response.text()
        assert "[-]cache-sync failed: caches not synced" in body
        assert "[+]ping ok" in body
        excluded = await client.get("/readyz?exclude=cache-sync")
        assert excluded.status == 200
        single = await client.get("/readyz/ping")
        assert (single.status, await single.text()) == (200, "ok")
        missing = await client.get("/readyz/nope")
        assert missing.status == 404
    finally:
        await client.close()


async def test_liveness_and_readiness_are_separate() -> None:
    checks = HealthChecks()
    checks.add_healthz("ping", ok)
    checks.add_readyz("webhook", broken)
    client = await client_for(checks)
    try:
        assert (await client.get("/healthz")).status == 200
        assert (await client.get("/readyz")).status == 500
    finally:
        await client.close()
