"""What the certificate controller counts, under ``kruise_``."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class CertMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry if registry is not None else CollectorRegistry()
        self.syncs = Counter(
            "kruise_webhook_cert_syncs",
            "Certificate controller syncs, by result (success or error).",
            ["result"],
            registry=registry,
        )
        self.writes = Counter(
            "kruise_webhook_cert_writes",
            "Objects and files the certificate controller wrote, by target "
            "(secret, files, mutatingwebhookconfiguration, validatingwebhookconfiguration, "
            "customresourcedefinition).",
            ["target"],
            registry=registry,
        )
        self.expiry = Gauge(
            "kruise_webhook_cert_expiry_timestamp_seconds",
            "When the serving certificate this replica serves expires (Unix time).",
            registry=registry,
        )
