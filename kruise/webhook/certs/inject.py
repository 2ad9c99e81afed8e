"""Give the API server our CA: ``caBundle`` in every webhook of the two webhook
configurations and in the conversion webhook of the Kruise CRDs.

An object is written only when its client configs differ from what they should be,
so replicas that agree leave it untouched and a sync that changes nothing writes
nothing. Writes are whole objects read fresh and carry their resourceVersion; on
Conflict the object is read again and compared again.
"""

from __future__ import annotations

import base64
import binascii
import copy
import enum
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kruise.runtime.client import (
    CUSTOM_RESOURCE_DEFINITIONS,
    Client,
    Conflict,
    KubeObject,
    NotFound,
    Resource,
)

SERVICE_PORT = 443
CONVERSION_PATH = "/convert"
ATTEMPTS = 5


class Injection(enum.StrEnum):
    MISSING = "missing"  # no such object
    UNCHANGED = "unchanged"  # already right
    UPDATED = "updated"


class InjectionError(Exception):
    """An object kept changing under us."""


@dataclass(frozen=True)
class Endpoint:
    """How the API server reaches the webhook: ``base_url`` (``https://host:port``)
    when set, else the Service ``namespace/service`` on port 443."""

    namespace: str
    service: str
    base_url: str | None = None

    def client_config(
        self, current: Mapping[str, Any] | None, ca_pem: bytes, default_path: str | None = None
    ) -> dict[str, Any]:
        """The client config to have, keeping the path ``current`` points at."""
        path = webhook_path(current) or default_path
        config: dict[str, Any]
        if self.base_url:
            config = {"url": self.base_url + (path or "")}
        else:
            service: dict[str, Any] = {"namespace": self.namespace, "name": self.service}
            if path:
                service["path"] = path
            service["port"] = SERVICE_PORT
            config = {"service": service}
        config["caBundle"] = base64.b64encode(ca_pem).decode()
        return config


def webhook_path(client_config: Mapping[str, Any] | None) -> str | None:
    """The path a client config sends requests to, from its service or its URL."""
    if not client_config:
        return None
    service = client_config.get("service")
    if isinstance(service, Mapping) and service.get("path"):
        return str(service["path"])
    url = client_config.get("url")
    if isinstance(url, str) and url:
        return urlsplit(url).path or None
    return None


def same_client_config(current: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> bool:
    """Equal as the API server means them: ``caBundle`` compared as bytes, a service
    port left out meaning 443."""
    return _normalised(current or {}) == _normalised(wanted)


def with_webhooks_injected(
    configuration: KubeObject, endpoint: Endpoint, ca_pem: bytes
) -> KubeObject | None:
    """A copy of a webhook configuration with every webhook's client config right, or
    None when it is right already."""
    webhooks = configuration.get("webhooks") or []
    wanted = [endpoint.client_config(w.get("clientConfig"), ca_pem) for w in webhooks]
    if all(
        same_client_config(w.get("clientConfig"), c) for w, c in zip(webhooks, wanted, strict=True)
    ):
        return None
    fixed = copy.deepcopy(configuration)
    for webhook, config in zip(fixed["webhooks"], wanted, strict=True):
        webhook["clientConfig"] = config
    return fixed


def with_conversion_injected(
    crd: KubeObject, endpoint: Endpoint, ca_pem: bytes
) -> KubeObject | None:
    """A copy of a CRD with its conversion webhook's client config right, or None when
    it is right already (or the CRD converts without a webhook)."""
    conversion = (crd.get("spec") or {}).get("conversion") or {}
    if conversion.get("strategy") != "Webhook":
        return None
    current = (conversion.get("webhook") or {}).get("clientConfig")
    wanted = endpoint.client_config(current, ca_pem, CONVERSION_PATH)
    if same_client_config(current, wanted):
        return None
    fixed = copy.deepcopy(crd)
    fixed["spec"]["conversion"].setdefault("webhook", {})["clientConfig"] = wanted
    return fixed


async def inject_ca(
    client: Client, resource: Resource, name: str, endpoint: Endpoint, ca_pem: bytes
) -> Injection:
    """Bring the object ``name`` in line: a CRD's conversion webhook, or every webhook
    of a webhook configuration."""
    fix = (
        with_conversion_injected
        if resource == CUSTOM_RESOURCE_DEFINITIONS
        else with_webhooks_injected
    )
    return await _read_fix_write(
        client, resource, name, functools.partial(fix, endpoint=endpoint, ca_pem=ca_pem)
    )


async def _read_fix_write(
    client: Client,
    resource: Resource,
    name: str,
    fix: Callable[[KubeObject], KubeObject | None],
) -> Injection:
    for _ in range(ATTEMPTS):
        try:
            current = await client.get(resource, name)
        except NotFound:
            return Injection.MISSING
        fixed = fix(current)
        if fixed is None:
            return Injection.UNCHANGED
        try:
            await client.update(resource, fixed)
        except Conflict:
            continue
        except NotFound:
            return Injection.MISSING
        return Injection.UPDATED
    raise InjectionError(f"{resource.kind} {name} changed under each of {ATTEMPTS} attempts")


def _normalised(config: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"url": config.get("url") or None}
    service = config.get("service")
    if isinstance(service, Mapping):
        out["service"] = (
            service.get("namespace"),
            service.get("name"),
            service.get("path") or None,
            service.get("port") or SERVICE_PORT,
        )
    else:
        out["service"] = None
    bundle = config.get("caBundle") or ""
    try:
        out["caBundle"] = base64.b64decode(bundle, validate=True)
    except (binascii.Error, ValueError):
        out["caBundle"] = bundle
    return out
