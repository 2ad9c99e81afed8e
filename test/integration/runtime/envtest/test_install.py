"""Installing CRDs and webhook configurations the envtest way."""

from __future__ import annotations

import base64

import pytest

from kruise.runtime.envtest import ControlPlane, EnvtestError, WebhookEndpoint
from kruise.runtime.envtest.certs import TinyCA
from kruise.runtime.envtest.install import install_crds


def _crd(group: str, kind: str, conversion: bool = False) -> dict[str, object]:
    plural = kind.lower() + "s"
    schema = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    versions = [
        {"name": "v1alpha1", "served": True, "storage": not conversion, "schema": schema},
    ]
    spec: dict[str, object] = {
        "group": group,
        "names": {
            "kind": kind,
            "plural": plural,
            "singular": kind.lower(),
            "listKind": kind + "List",
        },
        "scope": "Namespaced",
        "versions": versions,
    }
    if conversion:
        versions.append({"name": "v1beta1", "served": True, "storage": True, "schema": schema})
        spec["conversion"] = {
            "strategy": "Webhook",
            "webhook": {
                "clientConfig": {"service": {"name": "svc", "namespace": "ns", "path": "/convert"}},
                "conversionReviewVersions": ["v1"],
            },
        }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": spec,
    }


def test_crds_are_established_and_served(control_plane: ControlPlane, namespace: str) -> None:
    control_plane.install_crds([_crd("envtest.kruise.io", "Widget")])
    created = control_plane.rest.request(
        "POST",
        f"/apis/envtest.kruise.io/v1alpha1/namespaces/{namespace}/widgets",
        {"apiVersion": "envtest.kruise.io/v1alpha1", "kind": "Widget", "metadata": {"name": "w"}},
    )
    assert created["metadata"]["name"] == "w"
    # Installing again replaces instead of failing.
    control_plane.install_crds([_crd("envtest.kruise.io", "Widget")])


def test_conversion_and_webhooks_point_at_the_local_endpoint(control_plane: ControlPlane) -> None:
    endpoint = WebhookEndpoint("127.0.0.1", 9443, TinyCA("webhook-ca").cert_pem)
    control_plane.install_crds([_crd("convert.kruise.io", "Gadget", conversion=True)], endpoint)
    crd = control_plane.rest.get(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.convert.kruise.io"
    )
    client_config = crd["spec"]["conversion"]["webhook"]["clientConfig"]
    assert client_config["url"] == "https://127.0.0.1:9443/convert"
    assert "service" not in client_config
    assert base64.b64decode(client_config["caBundle"]) == endpoint.ca_pem

    webhook = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "envtest-validating"},
        "webhooks": [
            {
                "name": "vgadget.kb.io",
                "clientConfig": {"service": {"name": "s", "namespace": "n", "path": "/validate"}},
                "rules": [
                    {
                        "apiGroups": ["convert.kruise.io"],
                        "apiVersions": ["*"],
                        "operations": ["CREATE"],
                        "resources": ["gadgets"],
                    }
                ],
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "failurePolicy": "Ignore",
            }
        ],
    }
    control_plane.install_webhooks([webhook], endpoint)
    stored = control_plane.rest.get(
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/envtest-validating"
    )
    assert stored["webhooks"][0]["clientConfig"]["url"] == "https://127.0.0.1:9443/validate"


def test_a_crd_that_never_establishes_names_the_reason(control_plane: ControlPlane) -> None:
    bad_ca = WebhookEndpoint("127.0.0.1", 9443, b"not a certificate")
    with pytest.raises(EnvtestError, match=r"doodads.broken.kruise.io \(InvalidCABundle"):
        install_crds(
            control_plane.rest, [_crd("broken.kruise.io", "Doodad", conversion=True)], bad_ca, 3
        )
