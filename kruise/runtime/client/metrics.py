"""REST client metrics with controller-runtime's names, on a registry the caller owns."""

from __future__ import annotations

import weakref

from prometheus_client import CollectorRegistry, Counter, Histogram

# client-go's request latency buckets.
LATENCY_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)

# What client-go puts in the code label when no HTTP answer came back.
NO_RESPONSE_CODE = "<error>"


class ClientMetrics:
    """``rest_client_requests_total{code,method,host}`` and
    ``rest_client_request_duration_seconds{verb,host}``.

    One instance per registry (``for_registry``), so several clients can share it.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "rest_client_requests_total",
            "Number of HTTP requests, partitioned by status code, method, and host.",
            ["code", "method", "host"],
            registry=registry,
        )
        self.duration = Histogram(
            "rest_client_request_duration_seconds",
            "Request latency in seconds. Broken down by verb, and host.",
            ["verb", "host"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

    def observe(self, method: str, host: str, code: int | None, seconds: float) -> None:
        """Count one request and its latency; ``code`` None means no HTTP answer came back."""
        label = NO_RESPONSE_CODE if code is None else str(code)
        self.requests.labels(code=label, method=method, host=host).inc()
        self.duration.labels(verb=method, host=host).observe(seconds)

    _by_registry: weakref.WeakKeyDictionary[CollectorRegistry, ClientMetrics] = (
        weakref.WeakKeyDictionary()
    )

    @classmethod
    def for_registry(cls, registry: CollectorRegistry) -> ClientMetrics:
        """The one instance for ``registry``, created on first use."""
        metrics = cls._by_registry.get(registry)
        if metrics is None:
            metrics = cls._by_registry[registry] = cls(registry)
        return metrics
