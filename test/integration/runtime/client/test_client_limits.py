"""Client-side QPS, request timeouts and the request metric, against a real API server."""

from __future__ import annotations

import asyncio
import time

import pytest
from prometheus_client import CollectorRegistry

from kruise.runtime.client import CONFIGMAPS, Client, NotFound, Timeout, kubeconfig_config
from kruise.runtime.envtest import ControlPlane


async def test_qps_and_burst_pace_requests(control_plane: ControlPlane, namespace: str) -> None:
    config = await kubeconfig_config(control_plane.kubeconfig_path)
    async with Client(config.with_options(qps=10, burst=2)) as client:
        started = time.monotonic()
        for _ in range(7):  # 2 from the burst, then one every 100 ms
            await client.list(CONFIGMAPS, namespace)
        assert time.monotonic() - started >= 0.45


async def test_watches_are_not_paced_by_the_rate_limiter(
    control_plane: ControlPlane, namespace: str
) -> None:
    # As in client-go: a re-watch must not queue behind writes waiting for tokens.
    config = await kubeconfig_config(control_plane.kubeconfig_path)
    async with Client(config.with_options(qps=0.001, burst=1)) as client:
        created = await client.create(CONFIGMAPS, {"metadata": {"name": "paced"}}, namespace)
        assert client.transport.limiter.available() < 0.5  # the next token is ~1000 s away
        version = created["metadata"]["resourceVersion"]
        async with asyncio.timeout(60):
            async with client.watch(CONFIGMAPS, namespace, resource_version="0") as events:
                event_type, obj = await anext(events)
        assert (event_type, obj["metadata"]["resourceVersion"]) == ("ADDED", version)
        assert client.transport.limiter.available() < 0.5


async def test_request_timeout_is_client_side(client: Client, namespace: str) -> None:
    # A watch request answers only when timeoutSeconds is up: far beyond 0.5 s.
    with pytest.raises(Timeout) as caught:
        await client.transport.request(
            "GET",
            CONFIGMAPS.path(namespace),
            params={"watch": "1", "timeoutSeconds": "30"},
            request_timeout=0.5,
        )
    assert caught.value.client_side


async def test_requests_total_counts_codes(
    client: Client, registry: CollectorRegistry, namespace: str
) -> None:
    def sample(code: str, method: str) -> float:
        labels = {"code": code, "method": method, "host": client.transport.host}
        return registry.get_sample_value("rest_client_requests_total", labels) or 0.0

    assert client.transport.host.startswith("127.0.0.1:")
    before_created, before_missing = sample("201", "POST"), sample("404", "GET")
    await client.create(CONFIGMAPS, {"metadata": {"name": "counted"}}, namespace)
    with pytest.raises(NotFound):
        await client.get(CONFIGMAPS, "missing", namespace)
    assert sample("201", "POST") == before_created + 1
    assert sample("404", "GET") == before_missing + 1
    latency = registry.get_sample_value(
        "rest_client_request_duration_seconds_count",
        {"verb": "POST", "host": client.transport.host},
    )
    assert (latency or 0) >= 1
