"""Wire every apps.kruise.io webhook, the conversion of every kind (one ``/convert`` path
for the four CRDs) and the certificate controller into a manager. Both run in every
replica, leader or not."""

from __future__ import annotations

from typing import Any

from kruise.apis.apps.conversion import KruiseConverter
from kruise.apis.apps.validation.names import dns1123_label, dns1123_subdomain
from kruise.runtime.client import PODS, Client, NotFound
from kruise.runtime.manager import Manager
from kruise.runtime.webhook import AdmissionHandler, ConversionError, Converter, WebhookServer
from kruise.webhook import advancedcronjob, broadcastjob, cloneset, statefulset
from kruise.webhook.certs import CertController, CertOptions
from kruise.webhook.cloneset import PodGetter

CONVERT_PATH = "/convert"


class _UserFacingConversion:
    """The converter's ValueErrors are messages for the user, not internal failures."""

    def __init__(self) -> None:
        self._converter = KruiseConverter()

    def convert(self, obj: dict[str, Any], desired_api_version: str) -> dict[str, Any]:
        try:
            return self._converter.convert(obj, desired_api_version)
        except ValueError as err:
            raise ConversionError(str(err)) from err


def pod_reader(client: Client) -> PodGetter:
    """Reads a pod live: one just named in podsToDelete may not be in any cache."""

    async def get_pod(namespace: str, name: str) -> dict[str, Any] | None:
        # The names come from the user's podsToDelete: one that cannot name a pod
        # ("../secrets/x") names none, and must never become part of a URL.
        if not name or not namespace or dns1123_subdomain(name) or dns1123_label(namespace):
            return None
        try:
            return await client.get(PODS, name, namespace)
        except NotFound:
            return None

    return get_pod


def admission_handlers(get_pod: PodGetter) -> dict[str, AdmissionHandler]:
    """Every apps.kruise.io admission handler, keyed by the path the webhook
    configurations name; ``get_pod`` reads a pod live (None when it does not exist)."""
    return {
        **cloneset.handlers(get_pod),
        **statefulset.handlers(),
        **broadcastjob.handlers(),
        **advancedcronjob.handlers(),
    }


def converter() -> Converter:
    """The converter served on ``CONVERT_PATH``: every kind, refusals as messages."""
    return _UserFacingConversion()


def add_webhooks(
    manager: Manager, options: CertOptions, *, bind_host: str = "0.0.0.0"
) -> tuple[WebhookServer, CertController]:
    """Add the webhook server and the certificate controller to ``manager``."""
    client = manager.client
    server = WebhookServer(
        host=bind_host, port=options.port, cert_dir=options.cert_dir, registry=manager.registry
    )
    for path, handler in admission_handlers(pod_reader(client)).items():
        server.register_admission(path, handler)
    server.register_conversion(CONVERT_PATH, converter())
    certs = CertController(client, options, clock=manager.clock, registry=manager.registry)
    manager.add(certs, needs_leader_election=False)
    manager.add(server, needs_leader_election=False)
    manager.add_readyz("webhook-ready", certs.check_ready)
    return server, certs
