"""charts/kruise-py rendered by the pinned helm against config/default rendered by the pinned
kubectl: the chart with default values is config/default (the drift test), each value lands
where it should, and the schema refuses wrong values with a message."""

from __future__ import annotations

import copy
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from kruise_manager.main import CONTROLLERS, build_parser
from support.paths import REPO_ROOT

from kruise.runtime.envtest import Binaries
from kruise.runtime.envtest.binaries import helm_binary

CHART = REPO_ROOT / "charts" / "kruise-py"
KEEP = "helm.sh/resource-policy"
SCHEMA_ERROR = "values don't meet the specifications of the schema"

Doc = dict[str, Any]
Key = tuple[str, str, str]


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return run([str(helm_binary()), *args])


def template(*sets: str, namespace: str | None = None) -> dict[Key, Doc]:
    flags = [f"--set={s}" for s in sets]
    if namespace:
        flags.append(f"--namespace={namespace}")
    done = helm("template", "kruise-py", str(CHART), *flags)
    assert done.returncode == 0, done.stderr
    return by_key(yaml.safe_load_all(done.stdout))


def kustomize(path: Path) -> dict[Key, Doc]:
    binaries = Binaries.default()
    binaries.require("kubectl")
    done = run([str(binaries.kubectl), "kustomize", str(path)])
    assert done.returncode == 0, done.stderr
    return by_key(yaml.safe_load_all(done.stdout))


def by_key(docs: Any) -> dict[Key, Doc]:
    out = {}
    for doc in docs:
        if doc:
            meta = doc["metadata"]
            out[(doc["kind"], meta.get("namespace", ""), meta["name"])] = doc
    return out


def without_keep(docs: dict[Key, Doc]) -> dict[Key, Doc]:
    """The chart's only addition: CRDs that `helm uninstall` leaves in place."""
    out = copy.deepcopy(docs)
    for doc in out.values():
        annotations = doc["metadata"].get("annotations") or {}
        if doc["kind"] == "CustomResourceDefinition":
            assert annotations.pop(KEEP) == "keep"
            if not annotations:
                doc["metadata"].pop("annotations", None)
    return out


def of_kind(docs: dict[Key, Doc], kind: str) -> list[Doc]:
    return [d for k, d in docs.items() if k[0] == kind]


def manager_args(docs: dict[Key, Doc]) -> list[str]:
    [deployment] = of_kind(docs, "Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    args: list[str] = container["args"]
    return args


@pytest.fixture(scope="module")
def default_chart() -> dict[Key, Doc]:
    return template()


@pytest.fixture(scope="module")
def default_config() -> dict[Key, Doc]:
    return kustomize(REPO_ROOT / "config" / "default")


# ---- drift ----------------------------------------------------------------------------------


def test_the_chart_is_what_make_chart_writes() -> None:
    spec = importlib.util.spec_from_file_location("gen_chart", REPO_ROOT / "hack" / "gen-chart.py")
    assert spec is not None
    assert spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    stale = gen.stale(CHART, gen.chart_files())
    assert stale == [], f"charts/kruise-py differs from config/ in {stale}: run `make chart`"


def test_default_values_render_config_default(
    default_chart: dict[Key, Doc], default_config: dict[Key, Doc]
) -> None:
    assert sorted(default_chart) == sorted(default_config)
    chart = without_keep(default_chart)
    for key, doc in default_config.items():
        assert chart[key] == doc, f"{key} differs"


def test_service_monitor_renders_the_prometheus_component(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "resources": [os.path.relpath(REPO_ROOT / "config" / "default", tmp_path)],
                "components": [os.path.relpath(REPO_ROOT / "config" / "prometheus", tmp_path)],
            }
        )
    )
    chart = template("serviceMonitor.enabled=true")
    assert of_kind(chart, "ServiceMonitor")
    assert without_keep(chart) == kustomize(tmp_path)


def test_crds_are_kept_on_uninstall(default_chart: dict[Key, Doc]) -> None:
    crds = of_kind(default_chart, "CustomResourceDefinition")
    assert len(crds) == 4
    assert all(c["metadata"]["annotations"][KEEP] == "keep" for c in crds)


# ---- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "kind"),
    [
        ("installCRDs=false", "CustomResourceDefinition"),
        ("podDisruptionBudget.enabled=false", "PodDisruptionBudget"),
        ("networkPolicy.enabled=false", "NetworkPolicy"),
    ],
)
def test_switches_leave_their_objects_out(
    setting: str, kind: str, default_chart: dict[Key, Doc]
) -> None:
    assert of_kind(default_chart, kind)
    chart = template(setting)
    assert of_kind(chart, kind) == []
    assert len(chart) == len(default_chart) - len(of_kind(default_chart, kind))


def test_controller_switches_become_the_managers_controllers_flag(
    default_chart: dict[Key, Doc],
) -> None:
    assert not [a for a in manager_args(default_chart) if a.startswith("--controllers")]
    assert build_parser().parse_args(manager_args(default_chart)).controllers == set(CONTROLLERS)
    args = manager_args(template("controllers.cloneset=false", "controllers.advancedcronjob=false"))
    assert "--controllers=*,-advancedcronjob,-cloneset" in args
    parsed = build_parser().parse_args(args)
    assert parsed.controllers == {"statefulset", "broadcastjob"}


def test_manager_values_reach_the_deployment() -> None:
    chart = template(
        "manager.image.repository=registry.example.com/kruise-py",
        "manager.image.tag=v9",
        "manager.replicas=5",
        "manager.resources.limits.memory=1Gi",
        "manager.log.level=4",
        "manager.log.format=console",
        "manager.metrics.port=9443",
        "manager.healthProbe.port=9000",
        "manager.nodeSelector.pool=system",
        "manager.tolerations[0].key=dedicated",
        "manager.tolerations[0].operator=Exists",
        "manager.affinity=null",
        "manager.priorityClassName=system-cluster-critical",
        "webhookConfiguration.timeoutSeconds=25",
    )
    [deployment] = of_kind(chart, "Deployment")
    pod = deployment["spec"]["template"]
    [container] = pod["spec"]["containers"]
    assert deployment["spec"]["replicas"] == 5
    assert container["image"] == "registry.example.com/kruise-py:v9"
    # --set merges into the default resources.
    assert container["resources"]["limits"]["memory"] == "1Gi"
    args = build_parser().parse_args(container["args"])
    assert (args.verbosity, args.log_format) == (4, "console")
    assert (args.metrics_addr, args.health_probe_addr) == (":9443", ":9000")
    assert {"name": "metrics", "containerPort": 9443, "protocol": "TCP"} in container["ports"]
    assert container["readinessProbe"]["httpGet"]["port"] == 9000
    assert container["livenessProbe"]["httpGet"]["port"] == 9000
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "9443"
    assert pod["spec"]["nodeSelector"] == {"pool": "system"}
    assert pod["spec"]["tolerations"] == [{"key": "dedicated", "operator": "Exists"}]
    assert "affinity" not in pod["spec"]
    assert pod["spec"]["priorityClassName"] == "system-cluster-critical"
    webhooks = [
        w
        for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
        for config in of_kind(chart, kind)
        for w in config["webhooks"]
    ]
    assert webhooks
    assert {w["timeoutSeconds"] for w in webhooks} == {25}
    policies = yaml.safe_dump(of_kind(chart, "NetworkPolicy"))
    assert "port: 9443" in policies
    assert "port: 9000" in policies


def test_namespace_defaults_to_kube_system_and_may_follow_the_release(
    default_chart: dict[Key, Doc],
) -> None:
    def namespaces(docs: dict[Key, Doc]) -> set[str]:
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for name, value in node.items():
                    if name == "namespace" and isinstance(value, str):
                        found.add(value)
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(list(docs.values()))
        return found

    assert namespaces(default_chart) == {"kube-system"}
    assert namespaces(template(namespace="elsewhere")) == {"kube-system"}
    assert namespaces(template("installation.namespace=", namespace="kruise")) == {"kruise"}
    assert namespaces(template("installation.namespace=kruise-system")) == {"kruise-system"}


# ---- lint and the schema ----------------------------------------------------------------------


def test_helm_lint_is_clean() -> None:
    done = helm("lint", "--strict", str(CHART))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 chart(s) failed" in done.stdout


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("manager.replicas=-1", "at '/manager/replicas': minimum: got -1, want 0"),
        ("manager.replicas=two", "at '/manager/replicas': got string, want integer"),
        ("controllers.daemonset=false", "at '/controllers': additional properties 'daemonset'"),
        ("controllers.cloneset=off", "at '/controllers/cloneset': got string, want boolean"),
        ("manager.log.format=text", "at '/manager/log/format': value must be one of"),
        ("manager.log.level=debug", "at '/manager/log/level'"),
        ("manager.metrics.port=70000", "at '/manager/metrics/port': maximum"),
        ("webhookConfiguration.timeoutSeconds=60", "at '/webhookConfiguration/timeoutSeconds'"),
        ("installCRDs=yes", "at '/installCRDs': got string, want boolean"),
        ("manager.image.tag=", "at '/manager/image/tag'"),
        ("manager.imagee.tag=v1", "at '/manager': additional properties 'imagee'"),
        ("podDisruptionBudget.minAvailable=half", "at '/podDisruptionBudget/minAvailable'"),
    ],
)
def test_the_schema_refuses_wrong_values(setting: str, message: str) -> None:
    done = helm("template", "kruise-py", str(CHART), f"--set={setting}")
    assert done.returncode != 0
    assert SCHEMA_ERROR in done.stderr
    assert message in done.stderr, done.stderr
    lint = helm("lint", str(CHART), f"--set={setting}")
    assert lint.returncode != 0
    assert message in lint.stdout + lint.stderr
