"""The webhook server called by a real kube-apiserver: validation, mutation, conversion.

The webhook configurations select only objects labelled with this test's own marker in
this test's namespace, and the CRD has a group of its own, so nothing else is affected.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from support.polling import eventually
from support.webhook_handlers import Denier, SizeConverter

from kruise.runtime.envtest import ControlPlane, WebhookEndpoint
from kruise.runtime.envtest.certs import TinyCA
from kruise.runtime.envtest.rest import RestError
from kruise.runtime.webhook import (
    AdmissionRequest,
    AdmissionResponse,
    WebhookServer,
)

VALIDATING = "/validate-configmaps"
MUTATING = "/mutate-configmaps"
ADMISSION = "/apis/admissionregistration.k8s.io/v1"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


class AddLabel:
    def __init__(self) -> None:
        self.versions: set[str] = set()

    async def handle(self, request: AdmissionRequest) -> AdmissionResponse:
        self.versions.add(request.api_version)
        original = request.object or {}
        mutated = copy.deepcopy(original)
        mutated["metadata"].setdefault("labels", {})["mutated-by"] = "kruise-py"
        return AdmissionResponse.patch_from(original, mutated)


@dataclass
class Running:
    server: WebhookServer
    endpoint: WebhookEndpoint
    mutator: AddLabel
    registry: CollectorRegistry


@pytest.fixture
async def webhook(tmp_path: Path) -> AsyncIterator[Running]:
    ca = TinyCA("webhook-test-ca")
    ca.issue("127.0.0.1", hosts=["127.0.0.1"], server=True).write(
        tmp_path / "tls.crt", tmp_path / "tls.key"
    )
    registry = CollectorRegistry()
    server = WebhookServer(host="127.0.0.1", port=0, cert_dir=tmp_path, registry=registry)
    mutator = AddLabel()
    server.register_admission(VALIDATING, Denier())
    server.register_admission(MUTATING, mutator)
    server.register_conversion("/convert", SizeConverter())
    stopping = asyncio.Event()
    task = asyncio.create_task(server.start(stopping))
    await asyncio.wait_for(server.serving.wait(), 10)
    try:
        yield Running(
            server, WebhookEndpoint("127.0.0.1", server.bound_port, ca.cert_pem), mutator, registry
        )
    finally:
        stopping.set()
        await asyncio.wait_for(task, 15)


def _webhook(
    name: str, path: str, marker: str, namespace: str, versions: list[str]
) -> dict[str, Any]:
    return {
        "name": name,
        "clientConfig": {"service": {"name": "unused", "namespace": "unused", "path": path}},
        "rules": [
            {
                "apiGroups": [""],
                "apiVersions": ["v1"],
                "operations": ["CREATE", "UPDATE"],
                "resources": ["configmaps"],
                "scope": "Namespaced",
            }
        ],
        "objectSelector": {"matchLabels": {"webhook-test": marker}},
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
        "sideEffects": "None",
        "admissionReviewVersions": versions,
        "failurePolicy": "Fail",
        "timeoutSeconds": 5,
    }


def configurations(marker: str, namespace: str) -> list[dict[str, Any]]:
    name = f"webhook-test-{marker}"
    return [
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": name},
            "webhooks": [
                _webhook("deny.webhook-test.kruise.io", VALIDATING, marker, namespace, ["v1"])
            ],
        },
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": name},
            # v1beta1 only: the API server must be answered in the version it asked in.
            "webhooks": [
                _webhook("label.webhook-test.kruise.io", MUTATING, marker, namespace, ["v1beta1"])
            ],
        },
    ]


async def call(plane: ControlPlane, method: str, path: str, body: Any = None) -> Any:
    # The synchronous client runs in a thread: the API server calls back into this loop.
    return await asyncio.to_thread(plane.rest.request, method, path, body)


async def create_configmap(
    plane: ControlPlane, namespace: str, marker: str, **labels: str
) -> dict[str, Any]:
    body = {
        "metadata": {
            "generateName": "webhook-test-",
            "labels": {"webhook-test": marker, **labels},
        },
        "data": {"k": "v"},
    }
    created: dict[str, Any] = await call(
        plane, "POST", f"/api/v1/namespaces/{namespace}/configmaps", body
    )
    return created


async def test_admission_through_the_api_server(
    control_plane: ControlPlane, namespace: str, webhook: Running
) -> None:
    marker = uuid.uuid4().hex
    configs = configurations(marker, namespace)
    await asyncio.to_thread(control_plane.install_webhooks, configs, webhook.endpoint)
    try:
        # The API server picks new configurations up within a moment; until it has, the
        # object is admitted unlabelled, so try again.
        async def refused() -> RestError | None:
            try:
                cm = await create_configmap(control_plane, namespace, marker, deny="yes")
            except RestError as err:
                return err
            path = f"/api/v1/namespaces/{namespace}/configmaps/{cm['metadata']['name']}"
            await call(control_plane, "DELETE", path)
            return None

        refusal = await eventually(
            refused, timeout=30, interval=0.2, what="the validating webhook to refuse deny=yes"
        )
        assert refusal.status == 422
        message = str(refusal)
        assert 'admission webhook "deny.webhook-test.kruise.io" denied the request' in message
        assert 'metadata.labels.deny: Forbidden: "yes" is not allowed' in message

        async def mutated() -> dict[str, Any] | None:
            cm = await create_configmap(control_plane, namespace, marker, deny="no")
            return cm if "mutated-by" in cm["metadata"]["labels"] else None

        cm = await eventually(
            mutated, timeout=30, interval=0.2, what="the mutating webhook to label a ConfigMap"
        )
        assert cm["metadata"]["labels"] == {
            "webhook-test": marker,
            "deny": "no",
            "mutated-by": "kruise-py",
        }
        assert webhook.mutator.versions == {"admission.k8s.io/v1beta1"}
        total = "controller_runtime_webhook_requests_total"
        for path in (VALIDATING, MUTATING):
            labels = {"webhook": path, "code": "200"}
            assert (webhook.registry.get_sample_value(total, labels) or 0) >= 1
    finally:
        for doc in configs:
            plural = doc["kind"].lower() + "s"
            await call(control_plane, "DELETE", f"{ADMISSION}/{plural}/{doc['metadata']['name']}")


def widget_crd(group: str) -> dict[str, Any]:
    def version(name: str, storage: bool, spec: dict[str, Any]) -> dict[str, Any]:
        schema = {
            "type": "object",
            "properties": {"spec": {"type": "object", "properties": spec}},
        }
        return {
            "name": name,
            "served": True,
            "storage": storage,
            "schema": {"openAPIV3Schema": schema},
        }

    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {
                "plural": "widgets",
                "singular": "widget",
                "kind": "Widget",
                "listKind": "WidgetList",
            },
            "versions": [
                version("v1", True, {"size": {"type": "string"}}),
                version("v2", False, {"replicas": {"type": "integer"}}),
            ],
            "conversion": {
                "strategy": "Webhook",
                "webhook": {
                    "clientConfig": {
                        "service": {"name": "unused", "namespace": "unused", "path": "/convert"}
                    },
                    "conversionReviewVersions": ["v1"],
                },
            },
        },
    }


async def test_conversion_through_the_api_server(
    control_plane: ControlPlane, namespace: str, webhook: Running
) -> None:
    group = f"w{uuid.uuid4().hex[:10]}.webhook-test.kruise.io"
    crd = widget_crd(group)
    await asyncio.to_thread(control_plane.install_crds, [crd], webhook.endpoint)
    try:
        v1 = f"/apis/{group}/v1/namespaces/{namespace}/widgets"
        v2 = f"/apis/{group}/v2/namespaces/{namespace}/widgets"
        body = {
            "apiVersion": f"{group}/v2",
            "kind": "Widget",
            "metadata": {"name": "w"},
            "spec": {"replicas": 3},
        }
        created = await call(control_plane, "POST", v2, body)
        assert created["spec"] == {"replicas": 3}
        stored = await call(control_plane, "GET", f"{v1}/w")
        assert (stored["apiVersion"], stored["spec"]) == (f"{group}/v1", {"size": "3"})

        bad = {
            "apiVersion": f"{group}/v1",
            "kind": "Widget",
            "metadata": {"name": "bad"},
            "spec": {"size": "many"},
        }
        await call(control_plane, "POST", v1, bad)
        with pytest.raises(RestError) as refused:
            await call(control_plane, "GET", f"{v2}/bad")
        assert "spec.size 'many' is not a number" in str(refused.value)

        total = "controller_runtime_webhook_requests_total"
        assert (
            webhook.registry.get_sample_value(total, {"webhook": "/convert", "code": "200"}) or 0
        ) >= 2
    finally:
        await call(control_plane, "DELETE", f"{CRDS}/{crd['metadata']['name']}")
