"""Wire every apps.kruise.io webhook, the conversion of every kind (one ``/convert`` path
for the four CRDs) and the certificate controller into a manager. Both run in every
replica, leader or not."""

from __future__ import annotations

from typing import Any

from kruise.apis.apps.conversion import KruiseConverter
from kruise.runtime.client import PODS, NotFound
from kruise.runtime.manager import Manager
from kruise.runtime.webhook import ConversionError, WebhookServer
from kruise.webhook import advancedcronjob, broadcastjob, cloneset, statefulset
from kruise.webhook.certs import CertController, CertOptions

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


def add_webhooks(
    manager: Manager, options: CertOptions, *, bind_host: str = "0.0.0.0"
) -> tuple[WebhookServer, CertController]:
    """Add the webhook server and the certificate controller to ``manager``."""
    client = manager.client

    async def get_pod(namespace: str, name: str) -> dict[str, Any] | None:
        # A live read: a pod just named in podsToDelete may not be in any cache.
        try:
            return await client.get(PODS, name, namespace)
        except NotFound:
            return None

    server = WebhookServer(
        host=bind_host, port=options.port, cert_dir=options.cert_dir, registry=manager.registry
    )
    routes = {
        **cloneset.handlers(get_pod),
        **statefulset.handlers(),
        **broadcastjob.handlers(),
        **advancedcronjob.handlers(),
    }
    for path, handler in routes.items():
        server.register_admission(path, handler)
    server.register_conversion(CONVERT_PATH, _UserFacingConversion())
    certs = CertController(client, options, clock=manager.clock, registry=manager.registry)
    manager.add(certs, needs_leader_election=False)
    manager.add(server, needs_leader_election=False)
    manager.add_readyz("webhook-ready", certs.check_ready)
    return server, certs
