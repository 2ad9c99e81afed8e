"""config/default as kustomize renders it with the pinned kubectl, read field by field, then
dry-run applied by the shared control plane; the samples and the optional parts too."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from kruise_manager.main import build_parser

from kruise.runtime.envtest import Binaries, ControlPlane
from kruise.webhook.certs.options import (
    DEFAULT_SECRET,
    DEFAULT_SERVICE,
    MUTATING_CONFIGURATION,
    VALIDATING_CONFIGURATION,
)

ROOT = Path(__file__).resolve().parents[3]
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "kruise-manager"
CLUSTER_SCOPED = {
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "Namespace",
}
RBAC_LIST_FIELDS = ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs")

Doc = dict[str, Any]


def kubectl(*args: str, kubeconfig: Path | None = None) -> subprocess.CompletedProcess[str]:
    binary = Binaries.default()
    binary.require("kubectl")
    command = [str(binary.kubectl)]
    if kubeconfig is not None:
        command.append(f"--kubeconfig={kubeconfig}")
    return subprocess.run(
        [*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def render(path: str | Path) -> list[Doc]:
    result = kubectl("kustomize", str(path))
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def only(docs: list[Doc], kind: str, name: str | None = None) -> Doc:
    found = [
        d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"{len(found)} {kind} {name or ''}"
    return found[0]


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    return render("config/default")


@pytest.fixture(scope="module")
def deployment(docs: list[Doc]) -> Doc:
    return only(docs, "Deployment", "kruise-controller-manager")


@pytest.fixture(scope="module")
def pod(deployment: Doc) -> Doc:
    template: Doc = deployment["spec"]["template"]
    return template


@pytest.fixture(scope="module")
def container(pod: Doc) -> Doc:
    containers = pod["spec"]["containers"]
    assert len(containers) == 1
    manager: Doc = containers[0]
    return manager


def env_of(container: Doc) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# ---- what is rendered -----------------------------------------------------------------


def test_renders_every_part_and_no_namespace(docs: list[Doc]) -> None:
    kinds = Counter(d["kind"] for d in docs)
    assert kinds == {
        "CustomResourceDefinition": 4,
        "ServiceAccount": 1,
        "ClusterRole": 2,
        "ClusterRoleBinding": 1,
        "Role": 2,
        "RoleBinding": 2,
        "Service": 1,
        "Deployment": 1,
        "PodDisruptionBudget": 1,
        "MutatingWebhookConfiguration": 1,
        "ValidatingWebhookConfiguration": 1,
        "NetworkPolicy": 3,
    }
    assert "Namespace" not in kinds


def test_every_namespaced_object_is_in_kube_system(docs: list[Doc]) -> None:
    for doc in docs:
        namespace = doc["metadata"].get("namespace")
        if doc["kind"] in CLUSTER_SCOPED:
            assert namespace is None, doc["metadata"]["name"]
        else:
            assert namespace == NAMESPACE, (doc["kind"], doc["metadata"]["name"])
        for subject in doc.get("subjects", []):
            assert subject == {
                "kind": "ServiceAccount",
                "name": SERVICE_ACCOUNT,
                "namespace": NAMESPACE,
            }


def test_webhooks_and_conversion_reach_the_service_in_kube_system(docs: list[Doc]) -> None:
    wanted = {"name": DEFAULT_SERVICE, "namespace": NAMESPACE, "port": 443}
    configurations = {
        only(docs, "MutatingWebhookConfiguration")["metadata"]["name"],
        only(docs, "ValidatingWebhookConfiguration")["metadata"]["name"],
    }
    assert configurations == {MUTATING_CONFIGURATION, VALIDATING_CONFIGURATION}
    for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        for webhook in only(docs, kind)["webhooks"]:
            service = webhook["clientConfig"]["service"]
            assert {k: service[k] for k in wanted} == wanted, webhook["name"]
            assert webhook["failurePolicy"] == "Fail"
    converting = [
        d for d in docs if d["kind"] == "CustomResourceDefinition" and d["spec"].get("conversion")
    ]
    assert sorted(d["metadata"]["name"] for d in converting) == [
        "advancedcronjobs.apps.kruise.io",
        "broadcastjobs.apps.kruise.io",
        "clonesets.apps.kruise.io",
        "statefulsets.apps.kruise.io",
    ]
    for crd in converting:
        conversion = crd["spec"]["conversion"]
        assert conversion["strategy"] == "Webhook"
        assert conversion["webhook"]["clientConfig"]["service"] == {**wanted, "path": "/convert"}


def test_webhook_service_forwards_443_to_the_webhook_port(
    docs: list[Doc], pod: Doc, container: Doc
) -> None:
    service = only(docs, "Service", DEFAULT_SERVICE)
    assert selects(service["spec"]["selector"], pod["metadata"]["labels"])
    [port] = service["spec"]["ports"]
    assert port["port"] == 443
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert port["targetPort"] == ports["webhook-server"] == 9876
    assert env_of(container)["WEBHOOK_PORT"] == "9876"


def test_deployment_runs_two_replicas_of_the_manager(
    deployment: Doc, pod: Doc, container: Doc
) -> None:
    assert deployment["spec"]["replicas"] == 2
    assert selects(deployment["spec"]["selector"]["matchLabels"], pod["metadata"]["labels"])
    assert container["image"] == "kruise-py:latest"
    assert pod["spec"]["serviceAccountName"] == SERVICE_ACCOUNT
    args = container["args"]
    for flag in (
        "--enable-leader-election",
        "--metrics-addr=:8080",
        "--metrics-secure",
        "--health-probe-addr=:8000",
        "--log-format=json",
    ):
        assert flag in args
    assert "command" not in container, "the image's ENTRYPOINT is kruise-manager"
    # The args are flags kruise-manager accepts.
    parsed = build_parser().parse_args(args)
    assert parsed.enable_leader_election
    assert parsed.metrics_secure
    # Long enough for the graceful handover on SIGTERM.
    assert pod["spec"]["terminationGracePeriodSeconds"] > parsed.graceful_shutdown_timeout
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_deployment_environment(container: Doc, pod: Doc) -> None:
    env = env_of(container)
    assert env["POD_NAMESPACE"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
    assert env["POD_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    cert_dir = env["WEBHOOK_CERT_DIR"]
    assert "emptyDir" in volumes[mounts[cert_dir]]
    assert "emptyDir" in volumes[mounts["/tmp"]]
    assert mounts[cert_dir] != mounts["/tmp"]
    assert not [
        m
        for m in container["volumeMounts"]
        if not m.get("readOnly") and m["mountPath"] not in {cert_dir, "/tmp"}
    ]


def test_deployment_ports_probes_and_resources(container: Doc) -> None:
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"webhook-server": 9876, "metrics": 8080, "health": 8000}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": 8000}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": 8000}
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}


def test_deployment_spreads_replicas_across_nodes(pod: Doc) -> None:
    anti = pod["spec"]["affinity"]["podAntiAffinity"]
    [term] = anti["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    selector = term["podAffinityTerm"]["labelSelector"]["matchLabels"]
    assert selects(selector, pod["metadata"]["labels"])


def test_deployment_is_locked_down(pod: Doc, container: Doc) -> None:
    pod_security = pod["spec"]["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["runAsUser"] != 0
    assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}
    security = container["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert not pod["spec"].get("hostNetwork")


def test_deployment_is_scraped(pod: Doc) -> None:
    assert pod["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/scheme": "https",
        "prometheus.io/port": "8080",
        "prometheus.io/path": "/metrics",
    }


def test_disruption_budget_keeps_one_replica(docs: list[Doc], pod: Doc) -> None:
    pdb = only(docs, "PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["minAvailable"] == 1
    assert selects(pdb["spec"]["selector"]["matchLabels"], pod["metadata"]["labels"])


# ---- RBAC -----------------------------------------------------------------------------


def rules(docs: list[Doc], kind: str, name: str) -> set[tuple[str, str, tuple[str, ...], str]]:
    """(apiGroup, resource, resourceNames, verbs) for every rule, one resource at a time."""
    found = set()
    for rule in only(docs, kind, name)["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                names = tuple(sorted(rule.get("resourceNames", [])))
                found.add((group, resource, names, ",".join(sorted(rule["verbs"]))))
    return found


def test_no_wildcards_anywhere_in_rbac(docs: list[Doc]) -> None:
    roles = [d for d in docs if d["kind"] in {"Role", "ClusterRole"}]
    assert len(roles) == 4
    for role in roles:
        assert "aggregationRule" not in role
        if role["metadata"]["name"] == "kruise-py-metrics-reader":
            # For the scraper, not the manager: get on /metrics, nothing else.
            assert role["rules"] == [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]
            continue
        for rule in role["rules"]:
            assert "nonResourceURLs" not in rule
            for field in RBAC_LIST_FIELDS:
                for value in rule.get(field, []):
                    assert "*" not in value, (role["metadata"]["name"], field, rule)
            assert rule["verbs"]


def test_cluster_role_is_exactly_what_the_code_uses(docs: list[Doc]) -> None:
    crds = tuple(
        sorted(d["metadata"]["name"] for d in docs if d["kind"] == "CustomResourceDefinition")
    )
    assert rules(docs, "ClusterRole", "kruise-manager-role") == {
        ("", "pods", (), "create,delete,get,list,patch,update,watch"),
        ("", "pods/status", (), "patch"),
        ("", "persistentvolumeclaims", (), "create,delete,get,list,patch,watch"),
        ("", "events", (), "create,patch"),
        ("apps", "controllerrevisions", (), "create,delete,get,list,patch,update,watch"),
        ("apps.kruise.io", "clonesets", (), "get,list,patch,watch"),
        ("apps.kruise.io", "clonesets/status", (), "update"),
        ("apps.kruise.io", "statefulsets", (), "get,list,watch"),
        ("apps.kruise.io", "statefulsets/status", (), "update"),
        ("", "nodes", (), "list,watch"),
        ("apps.kruise.io", "broadcastjobs", (), "create,delete,get,list,patch,watch"),
        ("apps.kruise.io", "broadcastjobs/status", (), "update"),
        ("apps.kruise.io", "advancedcronjobs", (), "get,list,watch"),
        ("apps.kruise.io", "advancedcronjobs/status", (), "update"),
        ("batch", "jobs", (), "create,delete,get,list,watch"),
        (
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            (MUTATING_CONFIGURATION,),
            "get,list,update,watch",
        ),
        (
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
            (VALIDATING_CONFIGURATION,),
            "get,list,update,watch",
        ),
        ("apiextensions.k8s.io", "customresourcedefinitions", (), "list,watch"),
        ("apiextensions.k8s.io", "customresourcedefinitions", crds, "get,update"),
        ("authentication.k8s.io", "tokenreviews", (), "create"),
        ("authorization.k8s.io", "subjectaccessreviews", (), "create"),
    }


def test_namespace_roles_are_scoped_to_the_names_the_code_uses(docs: list[Doc]) -> None:
    lease = build_parser().get_default("leader_election_id")
    assert rules(docs, "Role", "kruise-leader-election-role") == {
        ("coordination.k8s.io", "leases", (lease,), "get,update,watch"),
        ("coordination.k8s.io", "leases", (), "create"),
    }
    assert rules(docs, "Role", "kruise-webhook-certs-role") == {
        ("", "secrets", (DEFAULT_SECRET,), "get,list,update,watch"),
        ("", "secrets", (), "create"),
    }


def test_bindings_grant_each_role_to_the_service_account(docs: list[Doc]) -> None:
    only(docs, "ServiceAccount", SERVICE_ACCOUNT)
    bound = {
        (d["roleRef"]["kind"], d["roleRef"]["name"])
        for d in docs
        if d["kind"] in {"RoleBinding", "ClusterRoleBinding"}
    }
    assert bound == {
        ("ClusterRole", "kruise-manager-role"),
        ("Role", "kruise-leader-election-role"),
        ("Role", "kruise-webhook-certs-role"),
    }


# ---- against the API server --------------------------------------------------------------


def test_server_side_dry_run_of_everything(control_plane: ControlPlane, docs: list[Doc]) -> None:
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
    assert all(line.endswith("(server dry run)") for line in lines), result.stdout
    # Nothing was created.
    assert not control_plane.rest.ok(
        "/apis/apps/v1/namespaces/kube-system/deployments/kruise-controller-manager"
    )


@pytest.fixture(scope="module")
def crds_installed(control_plane: ControlPlane) -> None:
    control_plane.install_crds([ROOT / "config" / "crd" / "bases"])


@pytest.mark.parametrize(
    "sample",
    [
        "apps_v1alpha1_statefulset.yaml",
        "apps_v1beta1_statefulset.yaml",
        "apps_v1alpha1_broadcastjob.yaml",
        "apps_v1alpha1_advancedcronjob.yaml",
    ],
)
def test_sample_fits_the_crd_schema(
    control_plane: ControlPlane, crds_installed: None, namespace: str, sample: str
) -> None:
    """The API server's own validation (the CRD's schema, pruning): a field the schema
    does not know would be dropped, and --validate=strict makes that an error."""
    result = kubectl(
        "create",
        "--dry-run=server",
        "--validate=strict",
        f"--namespace={namespace}",
        "-f",
        f"config/samples/{sample}",
        kubeconfig=control_plane.kubeconfig_path,
    )
    assert result.returncode == 0, result.stderr
    assert "(server dry run)" in result.stdout


# ---- the optional parts and the Makefile --------------------------------------------------


def test_prometheus_component_adds_a_monitor_for_the_manager(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    # kustomize takes other kustomizations by relative path only.
    (overlay / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "resources": [os.path.relpath(ROOT / "config" / "default", overlay)],
                "components": [os.path.relpath(ROOT / "config" / "prometheus", overlay)],
            }
        )
    )
    docs = render(overlay)
    pod = only(docs, "Deployment")["spec"]["template"]
    service = only(docs, "Service", "kruise-manager-metrics-service")
    monitor = only(docs, "ServiceMonitor")
    assert service["metadata"]["namespace"] == monitor["metadata"]["namespace"] == NAMESPACE
    assert selects(service["spec"]["selector"], pod["metadata"]["labels"])
    assert service["spec"]["ports"][0]["targetPort"] == 8080
    assert selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"])
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["port"] == service["spec"]["ports"][0]["name"]
    assert endpoint["path"] == "/metrics"
    # --metrics-secure: HTTPS, Prometheus' token, the webhook CA and Service name.
    assert endpoint["scheme"] == "https"
    assert endpoint["bearerTokenFile"] == "/var/run/secrets/kubernetes.io/serviceaccount/token"
    tls = endpoint["tlsConfig"]
    assert tls["serverName"] == f"{DEFAULT_SERVICE}.{NAMESPACE}.svc"
    assert tls["ca"]["secret"]["name"] == DEFAULT_SECRET
    # Only the monitoring objects are added.
    assert len(docs) == len(render("config/default")) + 2


@pytest.mark.parametrize(
    ("img", "image"),
    [
        ("kruise-py:latest", "kruise-py:latest"),
        (
            "registry.example.com:5000/team/kruise-py:v1.2.3",
            "registry.example.com:5000/team/kruise-py:v1.2.3",
        ),
        ("registry.example.com:5000/kruise-py", "registry.example.com:5000/kruise-py:latest"),
        ("kp@sha256:" + "0" * 64, "kp@sha256:" + "0" * 64),
    ],
)
def test_make_sets_the_image_without_editing_the_tree(
    img: str, image: str, docs: list[Doc]
) -> None:
    before = (ROOT / "config" / "default" / "kustomization.yaml").read_text()
    kubectl_binary = Binaries.default().kubectl
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "manifests-render",
            f"IMG={img}",
            f"KUBECTL={kubectl_binary}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert len(rendered) == len(docs)
    container = only(rendered, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == image
    assert (ROOT / "config" / "default" / "kustomization.yaml").read_text() == before
