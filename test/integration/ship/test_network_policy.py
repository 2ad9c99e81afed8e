"""config/network-policy, on in config/default: what each NetworkPolicy lets in and out,
read from the render, and the whole of config/default accepted by a real API server
(``kubectl apply -k config/default --dry-run=server``)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.paths import REPO_ROOT

from kruise.runtime.envtest import Binaries, ControlPlane

Doc = dict[str, Any]


def kubectl(*args: str, kubeconfig: Path | None = None) -> subprocess.CompletedProcess[str]:
    binaries = Binaries.default()
    binaries.require("kubectl")
    command = [str(binaries.kubectl)]
    if kubeconfig is not None:
        command.append(f"--kubeconfig={kubeconfig}")
    return subprocess.run(
        [*command, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    result = kubectl("kustomize", "config/default")
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


@pytest.fixture(scope="module")
def policies(docs: list[Doc]) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == "NetworkPolicy"}


@pytest.fixture(scope="module")
def ports(docs: list[Doc]) -> dict[str, int]:
    [deployment] = [d for d in docs if d["kind"] == "Deployment"]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {p["name"]: p["containerPort"] for p in container["ports"]}


def ingress_ports(policy: Doc) -> list[tuple[int, list[Doc] | None]]:
    """(port, from) for every port of every ingress rule; from None means from anywhere."""
    return [
        (port["port"], rule.get("from"))
        for rule in policy["spec"].get("ingress", [])
        for port in rule["ports"]
    ]


def test_three_policies_all_for_the_manager_pods(docs: list[Doc], policies: dict[str, Doc]) -> None:
    assert sorted(policies) == [
        "kruise-manager-allow-apiserver-egress",
        "kruise-manager-allow-metrics-traffic",
        "kruise-manager-allow-webhook-traffic",
    ]
    [deployment] = [d for d in docs if d["kind"] == "Deployment"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    for policy in policies.values():
        assert policy["metadata"]["namespace"] == "kube-system"
        selector = policy["spec"]["podSelector"]["matchLabels"]
        assert selector
        assert all(labels.get(k) == v for k, v in selector.items())
        assert selector == deployment["spec"]["selector"]["matchLabels"]


def test_webhook_and_health_ports_are_open_to_all(
    policies: dict[str, Doc], ports: dict[str, int]
) -> None:
    policy = policies["kruise-manager-allow-webhook-traffic"]
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    assert sorted(ingress_ports(policy), key=lambda p: p[0]) == sorted(
        [(ports["webhook-server"], None), (ports["health"], None)], key=lambda p: p[0]
    )


def test_metrics_only_from_namespaces_labelled_metrics_enabled(
    policies: dict[str, Doc], ports: dict[str, int]
) -> None:
    policy = policies["kruise-manager-allow-metrics-traffic"]
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    assert ingress_ports(policy) == [
        (ports["metrics"], [{"namespaceSelector": {"matchLabels": {"metrics": "enabled"}}}])
    ]


def test_no_other_port_is_let_in(policies: dict[str, Doc], ports: dict[str, int]) -> None:
    opened = {port for p in policies.values() for port, _ in ingress_ports(p)}
    assert opened == set(ports.values())


def test_egress_only_to_the_api_server_ports(policies: dict[str, Doc]) -> None:
    egress = [p for p in policies.values() if "Egress" in p["spec"]["policyTypes"]]
    assert [p["metadata"]["name"] for p in egress] == ["kruise-manager-allow-apiserver-egress"]
    [rule] = egress[0]["spec"]["egress"]
    assert sorted((p["port"], p["protocol"]) for p in rule["ports"]) == [
        (443, "TCP"),
        (6443, "TCP"),
    ]
    # No DNS: in the cluster the manager reaches the API server by the Service's IP.
    assert "to" not in rule


def test_config_default_with_its_policies_passes_a_server_side_dry_run(
    control_plane: ControlPlane, docs: list[Doc], policies: dict[str, Doc]
) -> None:
    result = kubectl(
        "apply",
        "-k",
        "config/default",
        "--dry-run=server",
        kubeconfig=control_plane.kubeconfig_path,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == len(docs)
    for name in policies:
        assert f"networkpolicy.networking.k8s.io/{name} created (server dry run)" in lines, (
            result.stdout
        )
    assert not control_plane.rest.ok(
        "/apis/networking.k8s.io/v1/namespaces/kube-system/networkpolicies"
        "/kruise-manager-allow-metrics-traffic"
    )
