"""Helpers for the certificate controller's tests on the real API server."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

from kruise.runtime.client import (
    CUSTOM_RESOURCE_DEFINITIONS,
    MUTATING_WEBHOOK_CONFIGURATIONS,
    SECRETS,
    VALIDATING_WEBHOOK_CONFIGURATIONS,
    Client,
    NotFound,
)
from kruise.webhook.certs import ALL_KEYS, CertController, CertOptions
from kruise.webhook.certs.store import bundle_from_secret
from kruise.webhook.certs.writer import read_files

MUTATING = "kruise-mutating-webhook-configuration"
VALIDATING = "kruise-validating-webhook-configuration"
CRD_NAME = "certtests.apps.kruise.io"
MUTATING_PATH = "/mutate-certtest"
VALIDATING_PATH = "/validate-certtest"
SECRET = "kruise-webhook-certs"
# How long the controller may take to repair a reset Secret, caBundle or cert dir: the
# bound the tests hold it to (it reacts to watch events), not a speed claim.
REPAIR_WITHIN = 10.0


def options_for(namespace: str, cert_dir: Path, **overrides: Any) -> CertOptions:
    """The controller's options for a test: the test namespace as the manager's, and only
    the test CRD among the apps.kruise.io CRDs (other tests may have installed real ones)."""
    values: dict[str, Any] = {
        "namespace": namespace,
        "cert_dir": cert_dir,
        "crd_names": frozenset({CRD_NAME}),
    }
    values.update(overrides)
    return CertOptions(**values)


@contextlib.asynccontextmanager
async def running(controller: CertController) -> AsyncIterator[CertController]:
    """Run ``controller`` as the manager would, and stop it afterwards."""
    stopping = asyncio.Event()
    task = asyncio.create_task(controller.start(stopping))
    try:
        yield controller
    finally:
        stopping.set()
        await asyncio.wait_for(task, 30)


async def ready(controller: CertController, within: float = 30) -> None:
    assert await asyncio.wait_for(controller.wait_ready(), within), controller.last_error


def b64(pem: bytes) -> str:
    return base64.b64encode(pem).decode()


async def secret_files(client: Client, namespace: str) -> dict[str, bytes]:
    return bundle_from_secret(await client.get(SECRETS, SECRET, namespace)).files()


def dir_files(cert_dir: Path) -> dict[str, bytes]:
    return read_files(cert_dir, ALL_KEYS)


async def client_configs(client: Client) -> dict[str, dict[str, Any]]:
    """The client config of the one webhook of each configuration, and of the CRD."""
    mutating = await client.get(MUTATING_WEBHOOK_CONFIGURATIONS, MUTATING)
    validating = await client.get(VALIDATING_WEBHOOK_CONFIGURATIONS, VALIDATING)
    crd = await client.get(CUSTOM_RESOURCE_DEFINITIONS, CRD_NAME)
    return {
        "mutating": mutating["webhooks"][0]["clientConfig"],
        "validating": validating["webhooks"][0]["clientConfig"],
        "crd": crd["spec"]["conversion"]["webhook"]["clientConfig"],
    }


async def injected_everywhere(client: Client, ca_pem: bytes) -> bool:
    configs = await client_configs(client)
    return all(c.get("caBundle") == b64(ca_pem) for c in configs.values())


async def resource_versions(client: Client, namespace: str) -> dict[str, str]:
    objects = {
        "secret": await client.get(SECRETS, SECRET, namespace),
        "mutating": await client.get(MUTATING_WEBHOOK_CONFIGURATIONS, MUTATING),
        "validating": await client.get(VALIDATING_WEBHOOK_CONFIGURATIONS, VALIDATING),
        "crd": await client.get(CUSTOM_RESOURCE_DEFINITIONS, CRD_NAME),
    }
    return {k: o["metadata"]["resourceVersion"] for k, o in objects.items()}


async def delete_quietly(
    client: Client, resource: Any, name: str, namespace: str | None = None
) -> None:
    with contextlib.suppress(NotFound):
        await client.delete(resource, name, namespace)


class HealthzServer:
    """An HTTPS server answering /healthz with the pair in ``cert_dir``, on IPv4 loopback
    only (as the webhook server listens on 0.0.0.0): the probe dials ``localhost``."""

    def __init__(self, cert_dir: Path, port: int) -> None:
        self.cert_dir = cert_dir
        self.port = port
        self.runner: web.AppRunner | None = None

    async def __aenter__(self) -> None:
        async def healthz(_: web.Request) -> web.Response:
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_get("/healthz", healthz)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_dir / "tls.crt", self.cert_dir / "tls.key")
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port, ssl_context=context).start()

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()
