"""Admission and conversion webhooks over HTTPS, with certificate reloading.

server = WebhookServer(cert_dir=Path("/tmp/k8s-webhook-server/serving-certs"), registry=reg)
server.register_admission("/validate-apps-kruise-io-v1alpha1-cloneset", validator)
server.register_conversion("/convert", converter)
manager.add(server, needs_leader_election=False)
manager.add_readyz("webhook", server.check_serving)
"""

from kruise.runtime.webhook.admission import (
    AdmissionHandler,
    AdmissionRequest,
    AdmissionResponse,
)
from kruise.runtime.webhook.certwatcher import CertWatcher
from kruise.runtime.webhook.conversion import ConversionError, Converter
from kruise.runtime.webhook.jsonpatch import JsonPatchError
from kruise.runtime.webhook.metrics import LATENCY_BUCKETS, WebhookMetrics
from kruise.runtime.webhook.server import WebhookServer

__all__ = [
    "LATENCY_BUCKETS",
    "AdmissionHandler",
    "AdmissionRequest",
    "AdmissionResponse",
    "CertWatcher",
    "ConversionError",
    "Converter",
    "JsonPatchError",
    "WebhookMetrics",
    "WebhookServer",
]
