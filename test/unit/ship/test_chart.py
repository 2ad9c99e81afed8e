"""The Helm chart generator's pieces (hack/gen-chart.py) and the chart as committed: no
processes here; test/integration/ship/test_chart.py renders it with kubectl and helm."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from types import ModuleType
from typing import Any

import pytest
import yaml
from support.paths import REPO_ROOT

from kruise.runtime.envtest.binaries import HELM_VERSION

CHART = REPO_ROOT / "charts" / "kruise-py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_chart", REPO_ROOT / "hack" / "gen-chart.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gen = load_generator()


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "m", "namespace": "kube-system"},
        "spec": {
            "replicas": 2,
            "template": {
                "metadata": {"annotations": {"prometheus.io/port": "8080"}},
                "spec": {
                    "containers": [
                        {
                            "name": "manager",
                            "image": "registry:5000/kruise-py:v1",
                            "args": [
                                "--metrics-addr=:8080",
                                "--health-probe-addr=:8000",
                                "--log-format=json",
                            ],
                            "ports": [
                                {"containerPort": 9876},
                                {"containerPort": 8080},
                                {"containerPort": 8000},
                            ],
                            "readinessProbe": {"httpGet": {"port": 8000}},
                            "resources": {"requests": {"cpu": "100m"}},
                        }
                    ]
                },
            },
        },
    }


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("kruise-py", ("kruise-py", "latest")),
        ("kruise-py:v1", ("kruise-py", "v1")),
        ("registry:5000/kruise-py", ("registry:5000/kruise-py", "latest")),
        ("registry:5000/team/kruise-py:v1.2", ("registry:5000/team/kruise-py", "v1.2")),
    ],
)
def test_split_image(image: str, expected: tuple[str, str]) -> None:
    assert gen.split_image(image) == expected


def test_ports_must_be_a_bare_port() -> None:
    assert gen.port_of(":8443", "--metrics-addr") == 8443
    with pytest.raises(SystemExit, match="expects ':PORT'"):
        gen.port_of("127.0.0.1:8080", "--metrics-addr")


def test_manager_defaults_come_from_the_render() -> None:
    values = gen.manager_values(deployment())
    assert values["replicas"] == 2
    assert values["image"] == {"repository": "registry:5000/kruise-py", "tag": "v1"}
    assert values["metrics"] == {"port": 8080}
    assert values["healthProbe"] == {"port": 8000}
    assert values["log"] == {"level": 0, "format": "json"}
    assert values["resources"] == {"requests": {"cpu": "100m"}}
    assert values["nodeSelector"] == {}
    assert values["tolerations"] == []
    assert values["priorityClassName"] == ""


def test_a_missing_flag_stops_the_generator() -> None:
    broken = deployment()
    broken["spec"]["template"]["spec"]["containers"][0]["args"] = ["--metrics-addr=:8080"]
    with pytest.raises(SystemExit, match="config/manager have no --log-format="):
        gen.manager_values(broken)


def templated(doc: dict[str, Any]) -> str:
    holes = gen.Holes()
    ports = {8080: ".Values.manager.metrics.port", 8000: ".Values.manager.healthProbe.port"}
    gen.template_objects([doc], "kube-system", ports, holes)
    return str(holes.fill(gen.dump(doc)))


def test_the_deployment_template_reads_the_values() -> None:
    text = templated(deployment())
    assert "replicas: {{ .Values.manager.replicas }}" in text
    assert 'image: "{{ .Values.manager.image.repository }}:{{ .Values.manager.image.tag }}"' in (
        text
    )
    assert "- --metrics-addr=:{{ .Values.manager.metrics.port }}" in text
    assert "- --health-probe-addr=:{{ .Values.manager.healthProbe.port }}" in text
    assert "- --log-format={{ .Values.manager.log.format }}" in text
    assert "prometheus.io/port: {{ .Values.manager.metrics.port | quote }}" in text
    assert "containerPort: {{ .Values.manager.metrics.port }}" in text
    assert "port: {{ .Values.manager.healthProbe.port }}" in text
    # The webhook port is not a value: the Service and the env both name it.
    assert "containerPort: 9876" in text
    assert 'namespace: {{ include "kruise-py.namespace" . }}' in text
    assert "HELMHOLE" not in text


def test_optional_fields_are_blocks_indented_under_their_key() -> None:
    text = templated(deployment())
    assert (
        "{{- with .Values.manager.resources }}\n        resources:\n"
        "{{- toYaml . | nindent 10 }}\n{{- end }}\n"
    ) in text
    assert (
        "{{- with .Values.manager.nodeSelector }}\n      nodeSelector:\n"
        "{{- toYaml . | nindent 8 }}\n{{- end }}\n"
    ) in text
    assert (
        "{{- with .Values.manager.priorityClassName }}\n"
        "      priorityClassName: {{ . | quote }}\n{{- end }}\n"
    ) in text
    assert (
        '{{- if include "kruise-py.controllersFlag" . }}\n'
        '        - {{ include "kruise-py.controllersFlag" . }}\n{{- end }}\n'
    ) in text


def test_template_actions_in_the_objects_text_are_escaped() -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "things.example.com"},
        "spec": {"description": "use {{ .name }} here"},
    }
    assert '{{ "{{" }} .name }}' in templated(crd)


def test_crds_get_the_keep_policy_and_sit_behind_install_crds() -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "clonesets.apps.kruise.io"},
    }
    [template] = gen.group([crd], {})
    assert template.name == "crd-clonesets"
    assert template.switch == "installCRDs"
    assert "helm.sh/resource-policy: keep" in templated(crd)


def test_components_are_switched_off_by_default() -> None:
    monitor = {"kind": "ServiceMonitor", "metadata": {"name": "m"}}
    policy = {"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "kube-system"}}
    templates = gen.group([policy], {"prometheus": [monitor], "extra-thing": [monitor]})
    assert [(t.name, t.switch) for t in templates] == [
        ("network-policy", "networkPolicy.enabled"),
        ("prometheus", "serviceMonitor.enabled"),
        ("extra-thing", "extraThing.enabled"),
    ]


# ---- the chart as committed -----------------------------------------------------------------


def test_chart_is_a_v2_chart_named_kruise_py() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "kruise-py"
    version = re.search(r'^version = "(.+)"', (REPO_ROOT / "pyproject.toml").read_text(), re.M)
    assert version is not None
    assert chart["version"] == chart["appVersion"] == version.group(1)


def test_values_have_the_names_openkruise_users_know() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    manager = values["manager"]
    assert set(manager["image"]) == {"repository", "tag"}
    for name in ("replicas", "resources", "nodeSelector", "tolerations", "affinity"):
        assert name in manager
    assert manager["priorityClassName"] == ""
    assert set(manager["log"]) == {"level", "format"}
    assert "port" in manager["metrics"]
    assert "port" in manager["healthProbe"]
    assert values["webhookConfiguration"]["timeoutSeconds"] > 0
    assert values["installCRDs"] is True
    assert values["controllers"] == {
        "cloneset": True,
        "statefulset": True,
        "broadcastjob": True,
        "advancedcronjob": True,
    }
    assert values["serviceMonitor"] == {"enabled": False}
    assert values["podDisruptionBudget"]["enabled"] is True
    assert values["installation"]["namespace"] == "kube-system"


def test_the_schema_names_every_value_and_refuses_others() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    schema = json.loads((CHART / "values.schema.json").read_text())

    def check(value: Any, node: dict[str, Any], where: str) -> None:
        if not isinstance(value, dict) or "properties" not in node:
            return
        assert node.get("additionalProperties") is False, where
        assert set(value) <= set(node["properties"]), where
        for name, item in value.items():
            check(item, node["properties"][name], f"{where}.{name}")

    check(values, schema, "values")


def test_every_crd_template_keeps_its_crd() -> None:
    crds = sorted((CHART / "templates").glob("crd-*.yaml"))
    assert [p.name for p in crds] == [
        "crd-advancedcronjobs.yaml",
        "crd-broadcastjobs.yaml",
        "crd-clonesets.yaml",
        "crd-statefulsets.yaml",
    ]
    for path in crds:
        text = path.read_text()
        assert "{{- if .Values.installCRDs }}" in text
        assert "helm.sh/resource-policy: keep" in text


def test_helm_is_pinned_in_one_place() -> None:
    script = (REPO_ROOT / "hack" / "build-helm.sh").read_text()
    assert f"HELM_VERSION=${{HELM_VERSION:-{HELM_VERSION}}}" in script
    assert "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" in script


def test_make_targets() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(r"^setup: .*\bhelm\b", makefile, re.M), "make setup builds helm"
    for target in ("helm", "chart", "helm-lint"):
        assert re.search(rf"^{target}: .*## ", makefile, re.M), target
