"""The Grafana dashboard queries only series kruise-manager really exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from kruise.runtime.client.metrics import ClientMetrics
from kruise.runtime.expectations import ScaleExpectations
from kruise.runtime.metrics import new_registry
from kruise.runtime.metrics.controller import ControllerMetrics
from kruise.runtime.metrics.leaderelection import LeaderElectionMetrics
from kruise.runtime.webhook.metrics import WebhookMetrics
from kruise.runtime.workqueue.metrics import WorkqueueMetricsProvider
from kruise.webhook.certs.metrics import CertMetrics

DASHBOARD = Path(__file__).resolve().parents[3] / "config" / "grafana" / "kruise-py.json"
# A metric name right before a label matcher: `name{...}`.
SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def exported_series(registry: CollectorRegistry) -> dict[str, set[str]]:
    """Every series name the registry exposes (``_total``, ``_bucket``... included),
    with the label names it carries."""
    series: dict[str, set[str]] = {}
    for family in registry.collect():
        for sample in family.samples:
            series.setdefault(sample.name, set()).update(sample.labels)
    return series


@pytest.fixture(scope="module")
def manager_series() -> dict[str, set[str]]:
    """What a manager's registry holds once each metric family has a series."""
    registry = new_registry()
    controller = ControllerMetrics(registry)
    controller.init_controller("cloneset", 1)
    LeaderElectionMetrics(registry).init_lease("kruise-manager")
    webhook = WebhookMetrics(registry)
    webhook.requests.labels("/validate", "200").inc()
    webhook.latency.labels("/validate").observe(0.01)
    webhook.in_flight.labels("/validate").set(0)
    client = ClientMetrics(registry)
    client.observe("GET", "host", 200, 0.01)
    client.duration.labels("GET", "host").observe(0.01)
    queue = WorkqueueMetricsProvider(registry)
    for histogram in (queue.queue_duration, queue.work_duration):
        histogram.labels("cloneset", "cloneset").observe(0.01)
    for counter in (queue.adds, queue.retries):
        counter.labels("cloneset", "cloneset").inc()
    for gauge in (queue.depth, queue.unfinished_work, queue.longest_running):
        gauge.labels("cloneset", "cloneset").set(0)
    ScaleExpectations(registry=registry)
    certs = CertMetrics(registry)
    certs.syncs.labels("success").inc()
    certs.writes.labels("secret").inc()
    return exported_series(registry)


def expressions(dashboard: dict[str, Any]) -> list[str]:
    found = []
    for panel in dashboard["panels"]:
        found += [t["expr"] for t in panel.get("targets", [])]
    for variable in dashboard["templating"]["list"]:
        if variable.get("type") == "query":
            found.append(variable["definition"])
    return found


def test_dashboard_is_importable(dashboard: dict[str, Any]) -> None:
    assert dashboard["title"] == "kruise-py"
    assert dashboard["uid"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    names = [v["name"] for v in dashboard["templating"]["list"]]
    assert names[0] == "datasource"
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}"
            assert panel["targets"], panel["title"]


def test_every_queried_series_is_exported(
    dashboard: dict[str, Any], manager_series: dict[str, set[str]]
) -> None:
    queried = {
        name for expr in expressions(dashboard) for name in SELECTOR.findall(expr)
    } - PROMQL_WORDS
    assert queried, "no series found in the dashboard"
    unknown = sorted(queried - set(manager_series))
    assert not unknown, f"the dashboard queries series nobody exports: {unknown}"


def test_the_series_the_issue_names_are_on_the_dashboard(dashboard: dict[str, Any]) -> None:
    queried = {name for expr in expressions(dashboard) for name in SELECTOR.findall(expr)}
    assert {
        "controller_runtime_reconcile_total",
        "controller_runtime_reconcile_errors_total",
        "controller_runtime_reconcile_time_seconds_bucket",
        "workqueue_depth",
        "workqueue_adds_total",
        "workqueue_queue_duration_seconds_bucket",
        "workqueue_work_duration_seconds_bucket",
        "rest_client_requests_total",
        "leader_election_master_status",
        "controller_runtime_webhook_requests_total",
        "controller_runtime_webhook_latency_seconds_bucket",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
    } <= queried


def test_grouping_labels_exist_on_their_series(
    dashboard: dict[str, Any], manager_series: dict[str, set[str]]
) -> None:
    """`sum by (x) (rate(series{...}` groups by labels the series has."""
    pattern = re.compile(r"sum by \(([^)]*)\) \((?:rate\()?([a-zA-Z_:][a-zA-Z0-9_:]*)\{")
    checked = 0
    for expr in expressions(dashboard):
        for labels, series in pattern.findall(expr):
            wanted = {label.strip() for label in labels.split(",")} - {"le"}
            assert wanted <= manager_series[series], (series, wanted)
            checked += 1
    assert checked >= 10
