"""The cache's informers as Prometheus series, read from their counters at scrape time.

Nothing is counted twice or on the hot path: each scrape reads every informer's
``InformerStats``. Series carry the informer's name (``pods``, ``clonesets.apps.kruise.io``,
``pods/ns`` when scoped to a namespace):

- ``kruise_informer_lists_total``: LISTs made (the first one and every relist);
- ``kruise_informer_relists_total``: relists forced by a watch answered 410 Gone or
  "too old resource version";
- ``kruise_informer_watches_total``: watch connections opened;
- ``kruise_informer_watch_inactivity_restarts_total``: silent watches dropped;
- ``kruise_informer_errors_total``: failed lists and watches, retried with backoff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from kruise.runtime.cache.informer import Informer, InformerStats

_SERIES: tuple[tuple[str, str, Callable[[InformerStats], int]], ...] = (
    (
        "kruise_informer_lists",
        "LISTs an informer made, the first and every relist.",
        lambda s: s.lists,
    ),
    (
        "kruise_informer_relists",
        "Relists forced by a watch answered 410 Gone (too old resource version).",
        lambda s: s.relists_after_gone,
    ),
    ("kruise_informer_watches", "Watch connections an informer opened.", lambda s: s.watches),
    (
        "kruise_informer_watch_inactivity_restarts",
        "Watches dropped because nothing arrived for too long.",
        lambda s: s.inactivity_restarts,
    ),
    (
        "kruise_informer_errors",
        "Failed lists and watches, retried with backoff.",
        lambda s: s.errors,
    ),
)


class InformerCollector(Collector):
    """Exports the counters of the informers ``informers()`` returns on each scrape."""

    def __init__(self, informers: Callable[[], Iterable[Informer]]) -> None:
        self._informers = informers

    def collect(self) -> Iterator[CounterMetricFamily]:
        """One counter family a statistic, one sample an informer."""
        informers = list(self._informers())
        for name, documentation, read in _SERIES:
            family = CounterMetricFamily(name, documentation, labels=["informer"])
            for informer in informers:
                family.add_metric([informer.name], read(informer.stats))
            yield family


def register_informer_metrics(
    registry: CollectorRegistry, informers: Callable[[], Iterable[Informer]]
) -> InformerCollector:
    """Register an ``InformerCollector`` on ``registry`` and return it."""
    collector = InformerCollector(informers)
    registry.register(collector)
    return collector
