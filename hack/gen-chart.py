#!/usr/bin/env python3
"""Generate the Helm chart charts/kruise-py from the kustomize render of config/default.

Usage: .venv/bin/python hack/gen-chart.py [--check]

The chart is a function of config/: every object `kubectl kustomize config/default` prints
becomes a template, with the fields users tune (image, replicas, resources, ports, log
settings, webhook timeout, scheduling, namespace...) turned into values whose defaults are
what the render holds, so `helm template` with default values prints config/default again.
Optional kustomize Components under config/ (config/prometheus) become templates behind a
switch that is off by default. Without --check it writes the chart (removing templates no
object produces any more); with --check it writes nothing and exits 1 naming stale files.
KUBECTL overrides the pinned kubectl used to render.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHART = Path("charts/kruise-py")  # relative to the repository root
CONFIG = ROOT / "config"
CONTROLLERS = ("cloneset", "statefulset", "broadcastjob", "advancedcronjob")
KEEP = "helm.sh/resource-policy"
NAMESPACE = '{{ include "kruise-py.namespace" . }}'
MANAGER_CONTAINER = "manager"
# A component's objects are switched by <value>.enabled; prometheus keeps OpenKruise's name.
COMPONENT_VALUES = {"prometheus": "serviceMonitor"}
# Objects of these kinds, wherever they come from, sit behind <value>.enabled.
KIND_SWITCHES = {"PodDisruptionBudget": "podDisruptionBudget", "NetworkPolicy": "networkPolicy"}

Doc = dict[str, Any]


# ---- rendering config/ ----------------------------------------------------------------------


def kubectl_binary() -> str:
    if explicit := os.environ.get("KUBECTL"):
        return explicit
    from kruise.runtime.envtest.binaries import Binaries  # noqa: PLC0415 - only when rendering

    binaries = Binaries.default()
    binaries.require("kubectl")
    return str(binaries.kubectl)


def render(path: Path) -> list[Doc]:
    done = subprocess.run(
        [kubectl_binary(), "kustomize", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise SystemExit(f"gen-chart: kubectl kustomize {path} failed: {done.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def key(doc: Doc) -> tuple[str, str, str]:
    meta = doc["metadata"]
    return doc["kind"], meta.get("namespace", ""), meta["name"]


def optional_components() -> list[str]:
    """Components under config/ that config/default does not already include."""
    default = yaml.safe_load((CONFIG / "default" / "kustomization.yaml").read_text()) or {}
    included = {Path(str(c)).name for c in default.get("components") or []}
    found = []
    for kustomization in sorted(CONFIG.glob("*/kustomization.yaml")):
        doc = yaml.safe_load(kustomization.read_text()) or {}
        name = kustomization.parent.name
        if doc.get("kind") == "Component" and name not in included:
            found.append(name)
    return found


def render_with_component(component: str) -> list[Doc]:
    """config/default plus one component, through a throw-away overlay."""
    with tempfile.TemporaryDirectory() as tmp:
        overlay = Path(tmp)
        (overlay / "kustomization.yaml").write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "kustomize.config.k8s.io/v1beta1",
                    "kind": "Kustomization",
                    # kustomize takes other kustomizations by relative path only.
                    "resources": [os.path.relpath(CONFIG / "default", overlay)],
                    "components": [os.path.relpath(CONFIG / component, overlay)],
                }
            )
        )
        return render(overlay)


def camel(name: str) -> str:
    head, *rest = re.split(r"[-_]", name)
    return head + "".join(part.capitalize() for part in rest)


# ---- holes: fields that become template expressions -----------------------------------------


@dataclass
class Holes:
    """Placeholders put into the objects before they are dumped, then swapped for template
    text: an inline one for its expression, a line one (the placeholder is the whole value
    of a line) for lines built from that line's indentation."""

    inline: dict[str, str] = field(default_factory=dict)
    lines: dict[str, Callable[[str], str]] = field(default_factory=dict)

    def expr(self, expression: str) -> str:
        for token, known in self.inline.items():
            if known == expression:
                return token
        token = f"HELMHOLE{len(self.inline) + len(self.lines)}X"
        self.inline[token] = expression
        return token

    def block(self, build: Callable[[str], str]) -> str:
        token = f"HELMHOLE{len(self.inline) + len(self.lines)}X"
        self.lines[token] = build
        return token

    def fill(self, text: str) -> str:
        for token, build in self.lines.items():
            pattern = re.compile(rf"^( *)(.*){token}\n", re.MULTILINE)
            text = pattern.sub(lambda m, b=build: b(m.group(1) + m.group(2)), text)
        for token, expression in self.inline.items():
            text = text.replace(token, expression)
        return text


def values_block(path: str, key_name: str) -> Callable[[str], str]:
    """``key:`` followed by the value at ``path`` as YAML, only when it is not empty."""

    def build(prefix: str) -> str:
        indent = len(prefix) - len(prefix.lstrip(" -"))
        lead = " " * indent
        return (
            f"{{{{- with .Values.{path} }}}}\n{lead}{key_name}:\n"
            f"{{{{- toYaml . | nindent {indent + 2} }}}}\n{{{{- end }}}}\n"
        )

    return build


def arg_if(condition: str, arg: str) -> Callable[[str], str]:
    """An args item (``- --flag=...``) present only when ``condition`` holds."""

    def build(prefix: str) -> str:
        return f"{{{{- if {condition} }}}}\n{prefix}{arg}\n{{{{- end }}}}\n"

    return build


# ---- the manager Deployment -----------------------------------------------------------------


def flag_value(args: list[str], flag: str) -> str:
    for arg in args:
        if arg.startswith(f"{flag}="):
            return arg.split("=", 1)[1]
    raise SystemExit(f"gen-chart: the manager's args in config/manager have no {flag}=")


def port_of(address: str, flag: str) -> int:
    host, _, port = address.rpartition(":")
    if host or not port.isdigit():
        raise SystemExit(f"gen-chart: {flag}={address}: the chart expects ':PORT'")
    return int(port)


def split_image(image: str) -> tuple[str, str]:
    name, sep, tag = image.rpartition(":")
    if not sep or "/" in tag:
        return image, "latest"
    return name, tag


def manager_container(deployment: Doc) -> Doc:
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        if container["name"] == MANAGER_CONTAINER:
            found: Doc = container
            return found
    raise SystemExit(f"gen-chart: the Deployment has no container {MANAGER_CONTAINER!r}")


def manager_values(deployment: Doc) -> Doc:
    """The manager's values as the render sets them: the chart's defaults."""
    container = manager_container(deployment)
    pod = deployment["spec"]["template"]["spec"]
    args = container["args"]
    repository, tag = split_image(container["image"])
    return {
        "replicas": deployment["spec"]["replicas"],
        "image": {"repository": repository, "tag": tag},
        "resources": container.get("resources") or {},
        "log": {"level": 0, "format": flag_value(args, "--log-format")},
        "metrics": {"port": port_of(flag_value(args, "--metrics-addr"), "--metrics-addr")},
        "healthProbe": {
            "port": port_of(flag_value(args, "--health-probe-addr"), "--health-probe-addr")
        },
        "nodeSelector": pod.get("nodeSelector") or {},
        "tolerations": pod.get("tolerations") or [],
        "affinity": pod.get("affinity") or {},
        "priorityClassName": pod.get("priorityClassName") or "",
    }


CONTROLLERS_ARG_ITEM = '{{ include "kruise-py.controllersFlag" . }}'
CONTROLLERS_ARG = (
    "{{- $off := list }}{{- range $name, $on := .Values.controllers }}"
    '{{- if not $on }}{{- $off = append $off (printf "-%s" $name) }}{{- end }}{{- end }}'
    '{{- if $off }}--controllers=*,{{ join "," $off }}{{- end }}'
)


# The manager flags whose value is a value of the chart.
ARG_VALUES = {
    "--metrics-addr": ":{{ .Values.manager.metrics.port }}",
    "--health-probe-addr": ":{{ .Values.manager.healthProbe.port }}",
    "--log-format": "{{ .Values.manager.log.format }}",
}


def template_manager_args(container: Doc, holes: Holes) -> None:
    args: list[str] = []
    for arg in container["args"]:
        flag = arg.split("=", 1)[0]
        expression = ARG_VALUES.get(flag)
        args.append(f"{flag}={holes.expr(expression)}" if expression else arg)
    level = 'ne (toString .Values.manager.log.level) "0"'
    args.append(holes.block(arg_if(level, "--verbosity={{ .Values.manager.log.level }}")))
    args.append(holes.block(arg_if('include "kruise-py.controllersFlag" .', CONTROLLERS_ARG_ITEM)))
    container["args"] = args


def template_deployment(deployment: Doc, holes: Holes) -> None:
    deployment["spec"]["replicas"] = holes.expr("{{ .Values.manager.replicas }}")
    pod = deployment["spec"]["template"]["spec"]
    container = manager_container(deployment)
    container["image"] = holes.expr(
        '"{{ .Values.manager.image.repository }}:{{ .Values.manager.image.tag }}"'
    )
    template_manager_args(container, holes)
    container["resources"] = holes.block(values_block("manager.resources", "resources"))
    for name in ("nodeSelector", "tolerations", "affinity"):
        pod.pop(name, None)
        pod[name] = holes.block(values_block(f"manager.{name}", name))
    pod.pop("priorityClassName", None)
    pod["priorityClassName"] = holes.block(
        lambda prefix: (
            "{{- with .Values.manager.priorityClassName }}\n"
            f"{prefix}{{{{ . | quote }}}}\n{{{{- end }}}}\n"
        )
    )


def template_ports(node: Any, ports: dict[int, str], holes: Holes) -> None:
    """Every port field (and prometheus.io/port) holding the metrics or health port."""
    if isinstance(node, list):
        for item in node:
            template_ports(item, ports, holes)
        return
    if not isinstance(node, dict):
        return
    for name, value in node.items():
        if name in ("port", "containerPort", "targetPort") and value in ports:
            node[name] = holes.expr(f"{{{{ {ports[value]} }}}}")
        elif name == "prometheus.io/port" and str(value).isdigit() and int(value) in ports:
            node[name] = holes.expr(f"{{{{ {ports[int(value)]} | quote }}}}")
        else:
            template_ports(value, ports, holes)


def template_namespaces(node: Any, namespace: str, holes: Holes) -> None:
    if isinstance(node, list):
        for item in node:
            template_namespaces(item, namespace, holes)
    elif isinstance(node, dict):
        for name, value in node.items():
            if name == "namespace" and value == namespace:
                node[name] = holes.expr(NAMESPACE)
            else:
                template_namespaces(value, namespace, holes)


# ---- from objects to templates ---------------------------------------------------------------


class LiteralDumper(yaml.SafeDumper):
    """Multi-line strings (CRD descriptions) as literal blocks, as people write them."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\n\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


LiteralDumper.add_representer(str, _str)


def dump(doc: Doc) -> str:
    text = yaml.dump(
        doc, Dumper=LiteralDumper, sort_keys=False, default_flow_style=False, width=1 << 16
    )
    # Template actions would be read from the objects' own text otherwise.
    return text.replace("{{", '{{ "{{" }}')


@dataclass
class Template:
    """One file of templates/: its objects, and the value that switches it on, if any."""

    name: str
    docs: list[Doc]
    switch: str | None = None


FILE_OF_KIND = {
    "ServiceAccount": "rbac",
    "Role": "rbac",
    "ClusterRole": "rbac",
    "RoleBinding": "rbac",
    "ClusterRoleBinding": "rbac",
    "Deployment": "manager",
    "Service": "webhook",
    "MutatingWebhookConfiguration": "webhook",
    "ValidatingWebhookConfiguration": "webhook",
}


def file_of(doc: Doc) -> str:
    if doc["kind"] == "CustomResourceDefinition":
        return "crd-" + doc["metadata"]["name"].split(".")[0]
    return FILE_OF_KIND.get(doc["kind"], re.sub(r"(?<!^)(?=[A-Z])", "-", doc["kind"]).lower())


def group(default: list[Doc], extras: dict[str, list[Doc]]) -> list[Template]:
    templates: dict[str, Template] = {}
    for doc in default:
        name = file_of(doc)
        switch = KIND_SWITCHES.get(doc["kind"])
        if doc["kind"] == "CustomResourceDefinition":
            switch = "installCRDs"
        elif switch:
            switch = f"{switch}.enabled"
        templates.setdefault(name, Template(name, [], switch)).docs.append(doc)
    for component, docs in extras.items():
        value = COMPONENT_VALUES.get(component, camel(component))
        templates[component] = Template(component, docs, f"{value}.enabled")
    return list(templates.values())


def template_text(template: Template, holes: Holes) -> str:
    body = "---\n".join(dump(doc) for doc in template.docs)
    if template.switch:
        body = f"{{{{- if .Values.{template.switch} }}}}\n{body}{{{{- end }}}}\n"
    return holes.fill(f"# Generated by hack/gen-chart.py from config/; run `make chart`.\n{body}")


def template_objects(docs: list[Doc], namespace: str, ports: dict[int, str], holes: Holes) -> None:
    for doc in docs:
        kind = doc["kind"]
        if kind == "CustomResourceDefinition":
            doc["metadata"].setdefault("annotations", {})[KEEP] = "keep"
        else:
            template_ports(doc, ports, holes)
        template_namespaces(doc, namespace, holes)
        if kind == "Deployment":
            template_deployment(doc, holes)
        elif kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            for webhook in doc.get("webhooks") or []:
                webhook["timeoutSeconds"] = holes.expr(
                    "{{ .Values.webhookConfiguration.timeoutSeconds }}"
                )
        elif kind == "PodDisruptionBudget" and "minAvailable" in doc["spec"]:
            doc["spec"]["minAvailable"] = holes.expr(
                "{{ .Values.podDisruptionBudget.minAvailable }}"
            )


# ---- values, schema and the static files -----------------------------------------------------


def only(docs: list[Doc], kind: str) -> Doc:
    found = [d for d in docs if d["kind"] == kind]
    if len(found) != 1:
        raise SystemExit(f"gen-chart: config/default renders {len(found)} {kind}, expected 1")
    return found[0]


def default_values(docs: list[Doc], extras: dict[str, list[Doc]]) -> Doc:
    deployment = only(docs, "Deployment")
    timeouts = {
        w.get("timeoutSeconds", 10)
        for d in docs
        if d["kind"].endswith("WebhookConfiguration")
        for w in d.get("webhooks") or []
    }
    if len(timeouts) != 1:
        raise SystemExit(f"gen-chart: the webhooks' timeoutSeconds differ: {sorted(timeouts)}")
    values: Doc = {
        "installation": {"namespace": deployment["metadata"]["namespace"]},
        "installCRDs": True,
        "manager": manager_values(deployment),
        "controllers": dict.fromkeys(CONTROLLERS, True),
        "webhookConfiguration": {"timeoutSeconds": timeouts.pop()},
    }
    pdbs = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    if pdbs:
        values["podDisruptionBudget"] = {
            "enabled": True,
            "minAvailable": pdbs[0]["spec"].get("minAvailable", 1),
        }
    if any(d["kind"] == "NetworkPolicy" for d in docs):
        values["networkPolicy"] = {"enabled": True}
    for component in extras:
        values[COMPONENT_VALUES.get(component, camel(component))] = {"enabled": False}
    return values


VALUE_NOTES = {
    "installation": "Where the namespaced objects go; empty: the release's namespace (-n).",
    "installCRDs": "Install (and upgrade) the four CRDs. They carry\n"
    "helm.sh/resource-policy: keep, so `helm uninstall` leaves them, and every CloneSet,\n"
    "StatefulSet, ... with them.",
    "manager": "kruise-manager: the image, replicas, resources, flags and scheduling.\n"
    "log.level is the manager's -v (0: info, >= 1: debug); log.format json or console.",
    "controllers": "Each false adds -NAME to --controllers: that controller does not run. Its\n"
    "webhooks are still served (OpenKruise keeps webhooks on for every kind).",
    "webhookConfiguration": "The API server's timeout for each admission webhook call.",
    "podDisruptionBudget": "Keep a replica through node drains (the webhooks fail closed).",
    "networkPolicy": "The NetworkPolicy of config/ around the manager's pods.",
    "serviceMonitor": "A metrics Service and a Prometheus Operator ServiceMonitor.",
}


def values_text(values: Doc) -> str:
    parts = [
        "# Default values of the kruise-py chart. Generated by hack/gen-chart.py from the\n"
        "# kustomize render of config/default: with these values `helm template` prints\n"
        "# what `kubectl kustomize config/default` prints. values.schema.json checks them.\n"
    ]
    for name, value in values.items():
        note = VALUE_NOTES.get(name, "")
        comment = "".join(f"# {line}\n" for line in note.splitlines())
        parts.append(comment + yaml.safe_dump({name: value}, sort_keys=False, width=100))
    return "\n".join(parts)


def port_schema() -> Doc:
    return {"type": "integer", "minimum": 1, "maximum": 65535}


def object_schema(properties: Doc, required: list[str] | None = None) -> Doc:
    schema: Doc = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return schema


def manager_schema() -> Doc:
    quantity = {"type": ["string", "integer", "number"]}
    resources = object_schema(
        {
            "limits": {"type": "object", "additionalProperties": quantity},
            "requests": {"type": "object", "additionalProperties": quantity},
            "claims": {"type": "array"},
        }
    )
    return object_schema(
        {
            "replicas": {"type": "integer", "minimum": 0},
            "image": object_schema(
                {
                    "repository": {"type": "string", "minLength": 1},
                    "tag": {"type": "string", "minLength": 1},
                },
                ["repository", "tag"],
            ),
            "resources": resources,
            "log": object_schema(
                {
                    "level": {
                        "type": ["integer", "string"],
                        "minimum": 0,
                        "pattern": "^[0-9]+$",
                    },
                    "format": {"enum": ["json", "console"]},
                }
            ),
            "metrics": object_schema({"port": port_schema()}),
            "healthProbe": object_schema({"port": port_schema()}),
            "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}},
            "tolerations": {"type": "array", "items": {"type": "object"}},
            "affinity": {"type": "object"},
            "priorityClassName": {"type": "string"},
        },
    )


def schema(values: Doc) -> Doc:
    switch = object_schema({"enabled": {"type": "boolean"}})
    properties: Doc = {
        "installation": object_schema({"namespace": {"type": "string"}}),
        "installCRDs": {"type": "boolean"},
        "manager": manager_schema(),
        "controllers": object_schema({name: {"type": "boolean"} for name in CONTROLLERS}),
        "webhookConfiguration": object_schema(
            {"timeoutSeconds": {"type": "integer", "minimum": 1, "maximum": 30}}
        ),
    }
    if "podDisruptionBudget" in values:
        properties["podDisruptionBudget"] = object_schema(
            {
                "enabled": {"type": "boolean"},
                "minAvailable": {
                    "type": ["integer", "string"],
                    "minimum": 0,
                    "pattern": "^[0-9]+%?$",
                },
            }
        )
    for name in values:
        properties.setdefault(name, switch)
    return {
        "$schema": "https://json-schema.org/draft-07/schema#",
        "title": "kruise-py chart values",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }


def chart_yaml() -> str:
    version = re.search(
        r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.MULTILINE
    )
    if version is None:
        raise SystemExit("gen-chart: no version in pyproject.toml")
    return yaml.safe_dump(
        {
            "apiVersion": "v2",
            "name": "kruise-py",
            "description": "kruise-py: OpenKruise's CloneSet, Advanced StatefulSet, "
            "BroadcastJob and AdvancedCronJob controllers, in Python",
            "type": "application",
            "version": version.group(1),
            "appVersion": version.group(1),
            "keywords": ["openkruise", "cloneset", "statefulset", "workload"],
        },
        sort_keys=False,
    )


HELPERS = """\
{{/* Generated by hack/gen-chart.py; run `make chart`. */}}

{{/* Where the namespaced objects go: installation.namespace, else the release's. */}}
{{- define "kruise-py.namespace" -}}
{{- .Values.installation.namespace | default .Release.Namespace -}}
{{- end -}}

{{/* --controllers=*,-NAME,... for the controllers switched off; empty when all run. */}}
{{- define "kruise-py.controllersFlag" -}}
CONTROLLERS_ARG
{{- end -}}
"""

NOTES = """\
kruise-py {{ .Chart.AppVersion }} is installed in {{ include "kruise-py.namespace" . }}.
{{- if eq (int .Values.manager.replicas) 0 }}

manager.replicas is 0: nothing serves the admission webhooks, so CloneSet, StatefulSet,
BroadcastJob and AdvancedCronJob writes are refused until a kruise-manager runs.
{{- end }}

Check that it runs:

  kubectl -n {{ include "kruise-py.namespace" . }} rollout status deploy/kruise-controller-manager
  kubectl -n {{ include "kruise-py.namespace" . }} get pods -l control-plane=controller-manager
  kubectl -n {{ include "kruise-py.namespace" . }} logs deploy/kruise-controller-manager

and that the webhooks answer (the dry run is admitted only through them):

  kubectl create --dry-run=server -f - <<'EOF'
  apiVersion: apps.kruise.io/v1alpha1
  kind: CloneSet
  metadata: {name: probe, namespace: default}
  spec:
    replicas: 1
    selector: {matchLabels: {app: probe}}
    template:
      metadata: {labels: {app: probe}}
      spec: {containers: [{name: main, image: nginx}]}
  EOF
{{- if .Values.installCRDs }}

`helm uninstall` keeps the CRDs (helm.sh/resource-policy: keep) and so every workload.
{{- end }}
"""

HELMIGNORE = "# Generated by hack/gen-chart.py.\n.DS_Store\n*.swp\n*.bak\n*.tmp\n*~\n"


# ---- the chart -----------------------------------------------------------------------------


def chart_files() -> dict[str, str]:
    """Every file of the chart, by path under charts/kruise-py, rendered from config/."""
    default = render(CONFIG / "default")
    known = {key(doc) for doc in default}
    extras = {
        name: [doc for doc in render_with_component(name) if key(doc) not in known]
        for name in optional_components()
    }
    extras = {name: docs for name, docs in extras.items() if docs}
    values = default_values(default, extras)
    namespace = values["installation"]["namespace"]
    manager = values["manager"]
    ports = {
        manager["metrics"]["port"]: ".Values.manager.metrics.port",
        manager["healthProbe"]["port"]: ".Values.manager.healthProbe.port",
    }
    holes = Holes()
    templated = group(copy.deepcopy(default), copy.deepcopy(extras))
    template_objects([d for t in templated for d in t.docs], namespace, ports, holes)
    files = {
        "Chart.yaml": chart_yaml(),
        ".helmignore": HELMIGNORE,
        "values.yaml": values_text(values),
        "values.schema.json": json.dumps(schema(values), indent=2) + "\n",
        "templates/_helpers.tpl": HELPERS.replace("CONTROLLERS_ARG", CONTROLLERS_ARG),
        "templates/NOTES.txt": NOTES,
    }
    for template in templated:
        files[f"templates/{template.name}.yaml"] = template_text(template, holes)
    return files


def stale(chart: Path, files: dict[str, str]) -> list[str]:
    present = {str(p.relative_to(chart)) for p in chart.rglob("*") if p.is_file()}
    wrong = [name for name, text in files.items() if not _same(chart / name, text)]
    return sorted(set(wrong) | (present - set(files)))


def _same(path: Path, text: str) -> bool:
    return path.is_file() and path.read_text() == text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, write none")
    args = parser.parse_args(argv)
    chart = ROOT / CHART
    files = chart_files()
    outdated = stale(chart, files)
    if args.check:
        for name in outdated:
            print(f"stale: {CHART / name}", file=sys.stderr)
        if outdated:
            print("the chart differs from config/; run `make chart`.", file=sys.stderr)
        return 1 if outdated else 0
    for name in outdated:
        path = chart / name
        if name in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[name])
            print(f"wrote {CHART / name}")
        else:
            path.unlink()
            print(f"removed {CHART / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
