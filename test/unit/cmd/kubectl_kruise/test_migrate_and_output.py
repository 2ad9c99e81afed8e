"""migrate's plan and the CloneSet it creates; tables and -o formats; the namespace a
kubeconfig context picks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from kubectl_kruise.common import CommandError
from kubectl_kruise.migrate import Plan, cloneset_available, cloneset_from_deployment
from kubectl_kruise.printing import as_list, render, table
from kubectl_kruise.session import context_namespace, resolve_namespace

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "namespace": "ns",
        "labels": {"team": "a"},
        "annotations": {"deployment.kubernetes.io/revision": "3", "owner": "me"},
    },
    "spec": {
        "replicas": 5,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}},
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
        "minReadySeconds": 3,
        "revisionHistoryLimit": 4,
    },
}


def test_cloneset_from_deployment() -> None:
    cs = cloneset_from_deployment(DEPLOYMENT, "web2", 0)
    assert cs["apiVersion"] == "apps.kruise.io/v1alpha1"
    assert cs["metadata"] == {
        "name": "web2",
        "namespace": "ns",
        "labels": {"team": "a"},
        "annotations": {"owner": "me"},
    }
    assert cs["spec"] == {
        "replicas": 0,
        "selector": {"matchLabels": {"app": "web"}},
        "template": DEPLOYMENT["spec"]["template"],
        "updateStrategy": {"type": "ReCreate", "maxUnavailable": 0, "maxSurge": "25%"},
        "revisionHistoryLimit": 4,
        "minReadySeconds": 3,
    }
    assert cs["spec"]["template"] is not DEPLOYMENT["spec"]["template"]


def test_plan_moves_surge_pods_at_a_time() -> None:
    assert list(Plan(0, 5, 5, 2).steps()) == [(2, 3), (4, 1), (5, 0)]
    assert list(Plan(0, 5, 5, 1).steps()) == [(1, 4), (2, 3), (3, 2), (4, 1), (5, 0)]


def test_plan_carries_on_from_a_partial_migration_and_moves_part() -> None:
    assert list(Plan(2, 3, 2, 1).steps()) == [(3, 2), (4, 1)]
    assert list(Plan(0, 0, 0, 1).steps()) == []


def test_cloneset_available() -> None:
    cs = {
        "metadata": {"generation": 2},
        "status": {"observedGeneration": 2, "availableReplicas": 2},
    }
    assert cloneset_available(cs, 2)
    assert not cloneset_available(cs, 3)
    cs["status"]["conditions"] = [{"type": "FailedScale", "status": "True", "message": "quota"}]
    with pytest.raises(CommandError, match="cannot scale: quota"):
        cloneset_available(cs, 2)


def test_table_aligns_columns_like_kubectl() -> None:
    assert table(("REVISION", "CHANGE-CAUSE"), [(1, "<none>"), (12, "x")]) == (
        "REVISION   CHANGE-CAUSE\n1          <none>\n12         x\n"
    )


def test_output_formats() -> None:
    obj = {"kind": "CloneSet", "metadata": {"name": "web"}}
    assert json.loads(render(obj, "json")) == obj
    assert yaml.safe_load(render(obj, "yaml")) == obj
    assert render(obj, "name", "cloneset.apps.kruise.io/web") == "cloneset.apps.kruise.io/web\n"
    assert as_list([obj])["kind"] == "List"


KUBECONFIG = {
    "current-context": "a",
    "contexts": [
        {"name": "a", "context": {"cluster": "c", "namespace": "team-a"}},
        {"name": "b", "context": {"cluster": "c"}},
    ],
}


def test_context_namespace() -> None:
    assert context_namespace([KUBECONFIG], None) == "team-a"
    assert context_namespace([KUBECONFIG], "b") is None
    # The first file to set current-context wins, as kubectl merges files.
    assert context_namespace([{"current-context": "b"}, KUBECONFIG], None) is None


def test_resolve_namespace(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(KUBECONFIG))
    assert resolve_namespace(None, str(path), None) == "team-a"
    assert resolve_namespace("given", str(path), None) == "given"
    assert resolve_namespace(None, str(path), "b") == "default"
    missing = str(tmp_path / "none")
    assert resolve_namespace(None, None, None, {"KUBECONFIG": f"{missing}:{path}"}) == "team-a"
