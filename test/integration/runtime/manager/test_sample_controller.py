"""A controller written only against kruise.runtime's public API, on the real API server,
and the manager's metrics and probes while it runs."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from support.paths import REPO_ROOT
from support.polling import eventually

from kruise.runtime.client import CONFIGMAPS, Client, NotFound
from kruise.runtime.envtest import ControlPlane
from kruise.runtime.manager import Manager, ManagerOptions
from kruise.runtime.metrics import new_registry

sys.path.insert(0, str(REPO_ROOT / "examples"))
import configmap_mirror


@pytest.fixture
async def running(control_plane: ControlPlane) -> AsyncIterator[tuple[Manager, Client]]:
    registry = new_registry()
    client = await Client.connect(control_plane.kubeconfig_path, registry=registry)
    options = ManagerOptions(
        metrics_addr="127.0.0.1:0",
        health_probe_addr="127.0.0.1:0",
        leader_election=True,
        leader_election_id="mirror-test",
        leader_election_namespace="default",
        lease_duration=4,
        renew_deadline=3,
        retry_period=1,
    )
    manager = Manager(client, options, registry=registry)
    configmap_mirror.setup(manager)
    stop = asyncio.Event()
    task = asyncio.create_task(manager.run(stop))
    await asyncio.wait_for(manager.elected.wait(), 30)
    try:
        yield manager, client
    finally:
        stop.set()
        await task
        await client.close()


async def test_mirror_follows_its_source(running: tuple[Manager, Client], namespace: str) -> None:
    _, client = running
    source = {
        "metadata": {"name": "settings", "namespace": namespace, "labels": {"mirror": "true"}},
        "data": {"color": "blue"},
    }
    created = await client.create(CONFIGMAPS, source)

    async def mirror_data() -> dict[str, str] | None:
        try:
            mirror = await client.get(CONFIGMAPS, "settings-mirror", namespace)
        except NotFound:
            return None
        data: dict[str, str] = mirror.get("data") or {}
        return data

    assert await eventually(mirror_data, what="the mirror") == {"color": "blue"}
    mirror = await client.get(CONFIGMAPS, "settings-mirror", namespace)
    assert mirror["metadata"]["ownerReferences"][0]["uid"] == created["metadata"]["uid"]

    await client.patch(CONFIGMAPS, "settings", {"data": {"color": "red"}}, namespace)
    await eventually(lambda: _equals(mirror_data, {"color": "red"}), what="the mirror red")

    await client.patch(CONFIGMAPS, "settings-mirror", {"data": {"color": "hacked"}}, namespace)
    await eventually(lambda: _equals(mirror_data, {"color": "red"}), what="the mirror restored")

    await client.delete(CONFIGMAPS, "settings", namespace)
    await eventually(lambda: _equals(mirror_data, None), what="the mirror deleted")


async def _equals(read: Callable[[], Awaitable[Any]], expected: Any) -> bool:
    return bool(await read() == expected)


async def test_metrics_and_probes_while_running(
    running: tuple[Manager, Client], namespace: str
) -> None:
    manager, client = running
    await client.create(
        CONFIGMAPS,
        {"metadata": {"name": "m", "namespace": namespace, "labels": {"mirror": "true"}}},
    )
    host, port = manager.addresses["metrics"]
    health_host, health_port = manager.addresses["health"]
    async with aiohttp.ClientSession() as http:

        async def scrape() -> str:
            async with http.get(f"http://{host}:{port}/metrics") as response:
                assert response.status == 200
                return await response.text()

        async def reconciled() -> str | None:
            text = await scrape()
            line = (
                'controller_runtime_reconcile_total{controller="configmap-mirror",result="success"}'
            )
            value = next((ln.split()[-1] for ln in text.splitlines() if ln.startswith(line)), "0")
            return text if float(value) >= 1 else None

        body = await eventually(reconciled, what="a successful reconcile counted")
        expected = [
            'controller_runtime_reconcile_total{controller="configmap-mirror",result="error"} 0.0',
            'controller_runtime_reconcile_errors_total{controller="configmap-mirror"} 0.0',
            'controller_runtime_terminal_reconcile_errors_total{controller="configmap-mirror"}',
            'controller_runtime_reconcile_panics_total{controller="configmap-mirror"} 0.0',
            'controller_runtime_reconcile_time_seconds_bucket{controller="configmap-mirror",le="0.005"}',
            'controller_runtime_max_concurrent_reconciles{controller="configmap-mirror"} 2.0',
            'controller_runtime_active_workers{controller="configmap-mirror"}',
            'workqueue_adds_total{controller="configmap-mirror",name="configmap-mirror"}',
            'workqueue_depth{controller="configmap-mirror",name="configmap-mirror"}',
            'workqueue_queue_duration_seconds_bucket{controller="configmap-mirror",le="1e-08",name="configmap-mirror"}',
            'workqueue_work_duration_seconds_count{controller="configmap-mirror",name="configmap-mirror"}',
            'workqueue_unfinished_work_seconds{controller="configmap-mirror",name="configmap-mirror"}',
            'workqueue_longest_running_processor_seconds{controller="configmap-mirror",name="configmap-mirror"}',
            'workqueue_retries_total{controller="configmap-mirror",name="configmap-mirror"}',
            'leader_election_master_status{name="mirror-test"} 1.0',
            'rest_client_requests_total{code="201",host=',
            "process_resident_memory_bytes",
        ]
        missing = [series for series in expected if series not in body]
        assert missing == []

        for path in ("/healthz", "/readyz", "/readyz/cache-sync", "/healthz/leader-election"):
            async with http.get(f"http://{health_host}:{health_port}{path}") as response:
                assert (path, response.status, await response.text()) == (path, 200, "ok")
        async with http.get(f"http://{health_host}:{health_port}/readyz?verbose") as response:
            text = await response.text()
        assert "[+]cache-sync ok" in text
        assert "[+]leader-election ok" in text
