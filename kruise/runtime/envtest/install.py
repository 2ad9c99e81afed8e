"""Install CRDs and webhook configurations into a control plane, the envtest way.

Webhook ``clientConfig.service`` references are rewritten to a local URL, because a
manager under test serves on loopback and not behind a Service.
"""

from __future__ import annotations

import base64
import copy
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kruise.runtime.envtest.process import EnvtestError
from kruise.runtime.envtest.rest import RestError, SyncRest

CRD_COLLECTION = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
WEBHOOK_COLLECTIONS = {
    "MutatingWebhookConfiguration": (
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"
    ),
    "ValidatingWebhookConfiguration": (
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"
    ),
}

Source = str | Path | dict[str, Any]


@dataclass(frozen=True)
class WebhookEndpoint:
    """Where the API server reaches a webhook server running outside the cluster."""

    host: str
    port: int
    ca_pem: bytes

    def url(self, path: str) -> str:
        """The https URL of ``path`` on this endpoint."""
        return f"https://{self.host}:{self.port}/{path.lstrip('/')}"

    def client_config(self, path: str) -> dict[str, Any]:
        """A webhook ``clientConfig`` that calls ``path`` here and trusts ``ca_pem``."""
        return {"url": self.url(path), "caBundle": base64.b64encode(self.ca_pem).decode()}


def load_documents(sources: Iterable[Source]) -> list[dict[str, Any]]:
    """YAML documents from files, directories (every *.yaml, *.yml, *.json) or dicts."""
    docs: list[dict[str, Any]] = []
    for source in sources:
        if isinstance(source, dict):
            docs.append(source)
            continue
        path = Path(source)
        files = (
            sorted(f for f in path.iterdir() if f.suffix in {".yaml", ".yml", ".json"})
            if path.is_dir()
            else [path]
        )
        for file in files:
            docs.extend(d for d in yaml.safe_load_all(file.read_text()) if isinstance(d, dict))
    return docs


def install_crds(
    rest: SyncRest,
    sources: Iterable[Source],
    webhook: WebhookEndpoint | None = None,
    timeout: float = 30.0,
) -> list[dict[str, Any]]:
    """Create or replace each CRD and wait until it is Established and discoverable."""
    crds = [d for d in load_documents(sources) if d.get("kind") == "CustomResourceDefinition"]
    for crd in crds:
        rest.apply(CRD_COLLECTION, _with_conversion_endpoint(crd, webhook))
    wait_for_crds(rest, crds, timeout)
    return crds


def _with_conversion_endpoint(
    crd: dict[str, Any], webhook: WebhookEndpoint | None
) -> dict[str, Any]:
    conversion = crd.get("spec", {}).get("conversion")
    if not conversion or conversion.get("strategy") != "Webhook":
        return crd
    crd = copy.deepcopy(crd)
    conversion = crd["spec"]["conversion"]
    if webhook is None:
        # Nobody serves conversions here; the API server can only store as-is.
        crd["spec"]["conversion"] = {"strategy": "None"}
        return crd
    settings = conversion.setdefault("webhook", {})
    service = settings.get("clientConfig", {}).get("service", {})
    settings["clientConfig"] = webhook.client_config(service.get("path", "/convert"))
    settings.setdefault("conversionReviewVersions", ["v1", "v1beta1"])
    return crd


def wait_for_crds(rest: SyncRest, crds: list[dict[str, Any]], timeout: float = 30.0) -> None:
    """Wait until every CRD is Established and served; ``EnvtestError`` naming the ones that
    are not, with the API server's reason, after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pending = {crd["metadata"]["name"]: crd for crd in crds}
    reasons: dict[str, str] = {}
    while pending:
        for name, crd in list(pending.items()):
            established, reasons[name] = _established(rest, name)
            if established and _discoverable(rest, crd):
                del pending[name]
        if not pending:
            return
        if time.monotonic() > deadline:
            described = [f"{n} ({reasons[n]})" if reasons[n] else n for n in sorted(pending)]
            listing = ", ".join(described)
            raise EnvtestError(f"CRDs not established within {timeout:.0f}s: {listing}")
        time.sleep(0.1)


def _established(rest: SyncRest, name: str) -> tuple[bool, str]:
    """Whether the CRD is Established, and the API server's reason when it is not."""
    try:
        current = rest.get(f"{CRD_COLLECTION}/{name}")
    except RestError as err:
        return False, str(err)
    for condition in (current.get("status") or {}).get("conditions") or []:
        if condition["type"] == "Established":
            if condition["status"] == "True":
                return True, ""
            return False, f"{condition.get('reason')}: {condition.get('message')}"
    return False, ""


def _discoverable(rest: SyncRest, crd: dict[str, Any]) -> bool:
    spec = crd["spec"]
    plural = spec["names"]["plural"]
    for version in spec["versions"]:
        if not version.get("served", True):
            continue
        try:
            listing = rest.get(f"/apis/{spec['group']}/{version['name']}")
        except RestError:
            return False
        if not any(r["name"] == plural for r in listing.get("resources", [])):
            return False
    return True


def install_webhooks(
    rest: SyncRest,
    sources: Iterable[Source],
    endpoint: WebhookEndpoint,
    timeout: float = 10.0,
) -> list[dict[str, Any]]:
    """Create or replace webhook configurations, pointed at ``endpoint``."""
    installed = []
    for doc in load_documents(sources):
        collection = WEBHOOK_COLLECTIONS.get(str(doc.get("kind")))
        if collection is None:
            continue
        local = copy.deepcopy(doc)
        for webhook in local.get("webhooks", []):
            service = webhook.get("clientConfig", {}).get("service", {})
            webhook["clientConfig"] = endpoint.client_config(service.get("path", "/"))
        rest.apply(collection, local)
        installed.append(local)
    deadline = time.monotonic() + timeout
    for doc in installed:
        collection = WEBHOOK_COLLECTIONS[doc["kind"]]
        while not rest.ok(f"{collection}/{doc['metadata']['name']}"):
            if time.monotonic() > deadline:
                raise EnvtestError(f"webhook configuration {doc['metadata']['name']} not readable")
            time.sleep(0.1)
    return installed
