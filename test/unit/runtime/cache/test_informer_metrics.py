"""The informers' counters (lists, relists after 410, watches, silent watches, errors) as
kruise_informer_* series, read at scrape time, and exported by every manager."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry

from kruise.runtime.cache import Informer
from kruise.runtime.cache.metrics import register_informer_metrics
from kruise.runtime.client import CONFIGMAPS, PODS
from kruise.runtime.manager import Manager, ManagerOptions

NO_CLIENT: Any = object()  # an informer that is never started calls nothing


def sample(registry: CollectorRegistry, name: str, informer: str) -> float | None:
    return registry.get_sample_value(f"{name}_total", {"informer": informer})


def test_each_informers_counters_are_series_read_at_scrape_time() -> None:
    pods = Informer(NO_CLIENT, PODS)
    configmaps = Informer(NO_CLIENT, CONFIGMAPS, namespace="team-a")
    registry = CollectorRegistry()
    register_informer_metrics(registry, lambda: [pods, configmaps])

    pods.stats.lists = 3
    pods.stats.relists_after_gone = 2
    pods.stats.watches = 5
    pods.stats.inactivity_restarts = 1
    pods.stats.errors = 4
    assert sample(registry, "kruise_informer_lists", "pods") == 3
    assert sample(registry, "kruise_informer_relists", "pods") == 2
    assert sample(registry, "kruise_informer_watches", "pods") == 5
    assert sample(registry, "kruise_informer_watch_inactivity_restarts", "pods") == 1
    assert sample(registry, "kruise_informer_errors", "pods") == 4
    assert sample(registry, "kruise_informer_lists", "configmaps/team-a") == 0

    pods.stats.relists_after_gone += 1  # no re-registration: the next scrape sees it
    assert sample(registry, "kruise_informer_relists", "pods") == 3


def test_a_manager_exports_the_informers_of_its_cache() -> None:
    registry = CollectorRegistry()
    manager = Manager(
        NO_CLIENT, ManagerOptions(metrics_addr="0", health_probe_addr="0"), registry=registry
    )
    assert sample(registry, "kruise_informer_relists", "pods") is None
    informer = manager.cache.informer(PODS)
    informer.stats.relists_after_gone = 7
    assert sample(registry, "kruise_informer_relists", "pods") == 7
