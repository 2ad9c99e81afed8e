"""Self-managed webhook certificates, as OpenKruise's webhook controller manages them.

Every replica runs a ``CertController``: it keeps one CA and serving certificate in the
Secret ``kruise-webhook-certs`` (created conflict-safely, so all replicas share it),
writes them atomically into the cert dir the webhook server reads, and injects the CA
into the webhook configurations and the apps.kruise.io CRDs' conversion webhooks,
only where it differs.

    certs = CertController(client, CertOptions.from_env(port=9876), registry=registry)
    manager.add(certs, needs_leader_election=False)
    manager.add_readyz("webhook-ready", certs.check_ready)
    if not await certs.wait_ready(20): ...   # after the manager started it
"""

from kruise.webhook.certs.controller import CertController, CertsNotReady, CertSyncError
from kruise.webhook.certs.generate import (
    ALL_KEYS,
    CA_CERT,
    CA_KEY,
    CERT,
    KEY,
    TLS_CERT,
    TLS_KEY,
    CertBundle,
    new_bundle,
    problem,
    renew,
    serving_names,
)
from kruise.webhook.certs.inject import Endpoint, Injection
from kruise.webhook.certs.options import CertOptions, parse_renew_before
from kruise.webhook.certs.probe import ServingProbe, WebhookNotServing, https_probe
from kruise.webhook.certs.store import Outcome, SecretStoreError
from kruise.webhook.certs.writer import write_files

__all__ = [
    "ALL_KEYS",
    "CA_CERT",
    "CA_KEY",
    "CERT",
    "KEY",
    "TLS_CERT",
    "TLS_KEY",
    "CertBundle",
    "CertController",
    "CertOptions",
    "CertSyncError",
    "CertsNotReady",
    "Endpoint",
    "Injection",
    "Outcome",
    "SecretStoreError",
    "ServingProbe",
    "WebhookNotServing",
    "https_probe",
    "new_bundle",
    "parse_renew_before",
    "problem",
    "renew",
    "serving_names",
    "write_files",
]
