"""Webhook and certificate-watcher series under controller-runtime's names.

One set per registry, shared by every server on it, so a server built twice on the same
registry (a restart in tests, say) does not register the names twice.
"""

from __future__ import annotations

import weakref

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# prometheus.ExponentialBuckets(10e-9, 10, 12): 1e-8 ... 1e3 seconds.
LATENCY_BUCKETS = tuple(float(f"1e{exponent}") for exponent in range(-8, 4))


class WebhookMetrics:
    """The ``controller_runtime_webhook_*``, conversion-panic and ``certwatcher_*`` series of
    one registry; get it with ``webhook_metrics(registry)``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "controller_runtime_webhook_requests_total",
            "Total number of admission requests by HTTP status code.",
            ["webhook", "code"],
            registry=registry,
        )
        self.latency = Histogram(
            "controller_runtime_webhook_latency_seconds",
            "Histogram of the latency of processing admission requests",
            ["webhook"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge(
            "controller_runtime_webhook_requests_in_flight",
            "Current number of admission requests being served.",
            ["webhook"],
            registry=registry,
        )
        self.admission_panics = Counter(
            "controller_runtime_webhook_panics_total",
            "Total number of webhook panics",
            registry=registry,
        )
        self.conversion_panics = Counter(
            "controller_runtime_conversion_webhook_panics_total",
            "Total number of conversion webhook panics",
            registry=registry,
        )
        self.certificate_reads = Counter(
            "certwatcher_read_certificate_total",
            "Total number of certificate reads",
            registry=registry,
        )
        self.certificate_read_errors = Counter(
            "certwatcher_read_certificate_errors_total",
            "Total number of certificate read errors",
            registry=registry,
        )

    def init_webhook(self, path: str) -> WebhookSeries:
        """Series for ``path`` exist from registration, before its first request."""
        series = WebhookSeries(self, path)
        series.in_flight.set(0)
        return series


class WebhookSeries:
    """The series of one webhook path, looked up once rather than on every request."""

    def __init__(self, metrics: WebhookMetrics, path: str) -> None:
        self._requests = metrics.requests
        self._by_code: dict[int, Counter] = {}
        self.path = path
        self.in_flight = metrics.in_flight.labels(path)
        self.latency = metrics.latency.labels(path)

    def answered(self, status: int, seconds: float) -> None:
        """Count one answered request and its latency."""
        self.latency.observe(seconds)
        counter = self._by_code.get(status)
        if counter is None:
            counter = self._by_code[status] = self._requests.labels(self.path, str(status))
        counter.inc()


_by_registry: weakref.WeakKeyDictionary[CollectorRegistry, WebhookMetrics] = (
    weakref.WeakKeyDictionary()
)


def webhook_metrics(registry: CollectorRegistry) -> WebhookMetrics:
    """The registry's webhook series, registered on first use."""
    metrics = _by_registry.get(registry)
    if metrics is None:
        metrics = _by_registry[registry] = WebhookMetrics(registry)
    return metrics
