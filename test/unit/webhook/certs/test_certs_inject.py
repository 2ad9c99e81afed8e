"""What the client configs should be, and when an object needs writing at all."""

from __future__ import annotations

import base64
import copy
from typing import Any

from kruise.webhook.certs.inject import (
    Endpoint,
    same_client_config,
    webhook_path,
    with_conversion_injected,
    with_webhooks_injected,
)

CA = b"-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n"
CA_B64 = base64.b64encode(CA).decode()
IN_CLUSTER = Endpoint("kruise-system", "kruise-webhook-service")
BY_URL = Endpoint("kruise-system", "kruise-webhook-service", "https://127.0.0.1:9876")


def service_config(path: str | None = "/validate-x", **extra: Any) -> dict[str, Any]:
    service: dict[str, Any] = {"namespace": "old", "name": "old-svc"}
    if path:
        service["path"] = path
    return {"service": service, **extra}


def configuration(*configs: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"name": "kruise-validating-webhook-configuration", "resourceVersion": "7"},
        "webhooks": [{"name": f"w{i}.kb.io", "clientConfig": c} for i, c in enumerate(configs)],
    }


def test_in_cluster_config_points_at_the_service_on_443() -> None:
    assert IN_CLUSTER.client_config(service_config(), CA) == {
        "service": {
            "namespace": "kruise-system",
            "name": "kruise-webhook-service",
            "path": "/validate-x",
            "port": 443,
        },
        "caBundle": CA_B64,
    }


def test_url_config_keeps_the_path() -> None:
    assert BY_URL.client_config(service_config(), CA) == {
        "url": "https://127.0.0.1:9876/validate-x",
        "caBundle": CA_B64,
    }
    # ...and the way back from a URL to the service keeps it too.
    back = IN_CLUSTER.client_config({"url": "https://10.0.0.1:9876/mutate-y"}, CA)
    assert back["service"]["path"] == "/mutate-y"
    assert "url" not in back


def test_path_falls_back_to_the_default() -> None:
    assert webhook_path(None) is None
    assert webhook_path({"service": {"name": "s"}}) is None
    assert IN_CLUSTER.client_config(None, CA, "/convert")["service"]["path"] == "/convert"
    assert "path" not in IN_CLUSTER.client_config(None, CA)["service"]


def test_same_client_config_compares_as_the_api_server_means() -> None:
    wanted = IN_CLUSTER.client_config(service_config(), CA)
    assert same_client_config(copy.deepcopy(wanted), wanted)
    without_port = copy.deepcopy(wanted)
    del without_port["service"]["port"]
    assert same_client_config(without_port, wanted)
    assert not same_client_config({**wanted, "caBundle": "Cg=="}, wanted)
    assert not same_client_config({k: v for k, v in wanted.items() if k != "caBundle"}, wanted)
    assert not same_client_config(None, wanted)
    assert not same_client_config(service_config(caBundle=CA_B64), wanted)


def test_a_configuration_is_rewritten_only_when_a_webhook_differs() -> None:
    original = configuration(service_config("/a"), service_config("/b"))
    fixed = with_webhooks_injected(original, IN_CLUSTER, CA)
    assert fixed is not None
    assert [w["clientConfig"]["caBundle"] for w in fixed["webhooks"]] == [CA_B64, CA_B64]
    assert [w["clientConfig"]["service"]["path"] for w in fixed["webhooks"]] == ["/a", "/b"]
    assert fixed["metadata"]["resourceVersion"] == "7"
    assert "caBundle" not in original["webhooks"][0]["clientConfig"]  # the input is untouched
    assert with_webhooks_injected(fixed, IN_CLUSTER, CA) is None
    # Another CA, or another endpoint, needs a write again.
    assert with_webhooks_injected(fixed, IN_CLUSTER, CA + b"\n") is not None
    assert with_webhooks_injected(fixed, BY_URL, CA) is not None


def test_a_configuration_without_webhooks_needs_nothing() -> None:
    assert with_webhooks_injected({"metadata": {"name": "x"}}, IN_CLUSTER, CA) is None


def crd(conversion: dict[str, Any] | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"group": "apps.kruise.io", "versions": [{"name": "v1beta1"}]}
    if conversion is not None:
        spec["conversion"] = conversion
    return {"metadata": {"name": "statefulsets.apps.kruise.io"}, "spec": spec}


def test_a_webhook_conversion_gets_the_ca_and_the_convert_path() -> None:
    placeholder = crd(
        {
            "strategy": "Webhook",
            "webhook": {
                "clientConfig": {"service": {"namespace": "kruise-system", "name": "x"}},
                "conversionReviewVersions": ["v1beta1"],
            },
        }
    )
    fixed = with_conversion_injected(placeholder, IN_CLUSTER, CA)
    assert fixed is not None
    webhook = fixed["spec"]["conversion"]["webhook"]
    assert webhook["conversionReviewVersions"] == ["v1beta1"]
    assert webhook["clientConfig"] == {
        "service": {
            "namespace": "kruise-system",
            "name": "kruise-webhook-service",
            "path": "/convert",
            "port": 443,
        },
        "caBundle": CA_B64,
    }
    assert with_conversion_injected(fixed, IN_CLUSTER, CA) is None
    by_url = with_conversion_injected(fixed, BY_URL, CA)
    assert by_url is not None
    assert by_url["spec"]["conversion"]["webhook"]["clientConfig"] == {
        "url": "https://127.0.0.1:9876/convert",
        "caBundle": CA_B64,
    }


def test_crds_without_webhook_conversion_are_left_alone() -> None:
    assert with_conversion_injected(crd(None), IN_CLUSTER, CA) is None
    assert with_conversion_injected(crd({"strategy": "None"}), IN_CLUSTER, CA) is None
