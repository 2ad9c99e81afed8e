"""controller-runtime series exist at 0 from the start and are exposed on /metrics."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from kruise.runtime.metrics import (
    RECONCILE_TIME_BUCKETS,
    ControllerMetrics,
    LeaderElectionMetrics,
    metrics_app,
    new_registry,
)


def test_controller_series_start_at_zero() -> None:
    registry = new_registry(process_collectors=False)
    metrics = ControllerMetrics(registry)
    metrics.init_controller("cloneset", workers=3)
    for result in ("success", "error", "requeue", "requeue_after"):
        labels = {"controller": "cloneset", "result": result}
        assert registry.get_sample_value("controller_runtime_reconcile_total", labels) == 0
    one = {"controller": "cloneset"}
    assert registry.get_sample_value("controller_runtime_max_concurrent_reconciles", one) == 3
    assert registry.get_sample_value("controller_runtime_active_workers", one) == 0
    assert registry.get_sample_value("controller_runtime_reconcile_errors_total", one) == 0
    assert registry.get_sample_value("controller_runtime_reconcile_panics_total", one) == 0
    assert registry.get_sample_value("controller_runtime_terminal_reconcile_errors_total", one) == 0


def test_reconcile_buckets_match_controller_runtime() -> None:
    assert RECONCILE_TIME_BUCKETS[:6] == (0.005, 0.01, 0.025, 0.05, 0.1, 0.15)
    assert 0.5 in RECONCILE_TIME_BUCKETS
    assert 0.55 not in RECONCILE_TIME_BUCKETS
    assert RECONCILE_TIME_BUCKETS[-4:] == (30.0, 40.0, 50.0, 60.0)
    assert len(RECONCILE_TIME_BUCKETS) == 40


async def test_metrics_endpoint_serves_the_registry() -> None:
    registry = new_registry()
    LeaderElectionMetrics(registry).init_lease("kruise-manager")
    client = TestClient(TestServer(metrics_app(registry)))
    await client.start_server()
    try:
        response = await client.get("/metrics")
        body = await response.text()
    finally:
        await client.close()
    assert response.status == 200
    assert 'leader_election_master_status{name="kruise-manager"} 0.0' in body
    assert "process_resident_memory_bytes" in body
    assert "python_info" in body
