"""Pod-spec and claim-template defaults (Kubernetes 1.16's, with Kruise's pull policy)."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.apis.apps.defaults.pod import (
    default_claim_template,
    default_pod_spec,
    default_pod_template,
)


def defaulted(spec: dict[str, Any]) -> dict[str, Any]:
    default_pod_spec(spec)
    return spec


def test_pod_spec_fields() -> None:
    assert defaulted({"containers": [{"name": "main", "image": "nginx:1.19"}]}) == {
        "containers": [
            {
                "name": "main",
                "image": "nginx:1.19",
                "imagePullPolicy": "Always",
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }
        ],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
        "schedulerName": "default-scheduler",
    }


def test_set_values_are_kept() -> None:
    spec = {
        "dnsPolicy": "Default",
        "restartPolicy": "Never",
        "securityContext": {"runAsUser": 1000},
        "terminationGracePeriodSeconds": 0,
        "schedulerName": "mine",
        "containers": [
            {
                "name": "a",
                "image": "x",
                "imagePullPolicy": "Never",
                "terminationMessagePath": "/t",
                "terminationMessagePolicy": "FallbackToLogsOnError",
            }
        ],
    }
    before = {**spec}
    assert defaulted(spec) == before


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("busybox", "Always"),
        ("busybox:latest", "Always"),
        ("registry.example.com:5000/team/busybox", "Always"),
        ("busybox:1.32", "IfNotPresent"),
        ("registry.example.com:5000/team/busybox:1.32", "IfNotPresent"),
        ("busybox@sha256:" + "a" * 64, "IfNotPresent"),
        ("busybox:latest@sha256:" + "a" * 64, "Always"),
        ("Not A Reference", "IfNotPresent"),
        ("", "IfNotPresent"),
    ],
)
def test_init_containers_follow_kubernetes_pull_policy(image: str, policy: str) -> None:
    spec = defaulted({"initContainers": [{"name": "init", "image": image}], "containers": []})
    assert spec["initContainers"][0]["imagePullPolicy"] == policy


def test_app_containers_always_pull() -> None:
    spec = defaulted({"containers": [{"name": "a", "image": "busybox:1.32"}]})
    assert spec["containers"][0]["imagePullPolicy"] == "Always"


def test_ports_env_probes_and_hooks() -> None:
    probe = {"httpGet": {"port": 8080}}
    container = {
        "name": "a",
        "image": "x",
        "ports": [{"containerPort": 80}],
        "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
        "livenessProbe": dict(probe),
        "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 5},
        "startupProbe": dict(probe),
        "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/stop"}}},
    }
    out = defaulted({"containers": [container]})["containers"][0]
    assert out["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert out["env"][0]["valueFrom"]["fieldRef"] == {
        "fieldPath": "spec.nodeName",
        "apiVersion": "v1",
    }
    assert out["livenessProbe"] == {
        "httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert out["readinessProbe"]["periodSeconds"] == 5
    assert out["startupProbe"]["timeoutSeconds"] == 1
    assert out["lifecycle"]["preStop"]["httpGet"] == {"port": 80, "path": "/stop", "scheme": "HTTP"}


def test_host_network_copies_container_ports_to_host_ports() -> None:
    spec = defaulted(
        {
            "hostNetwork": True,
            "containers": [
                {
                    "name": "a",
                    "ports": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 9}],
                }
            ],
            "initContainers": [{"name": "b", "ports": [{"containerPort": 82}]}],
        }
    )
    assert [p["hostPort"] for p in spec["containers"][0]["ports"]] == [80, 9]
    assert spec["initContainers"][0]["ports"][0]["hostPort"] == 82
    plain = defaulted({"containers": [{"name": "a", "ports": [{"containerPort": 80}]}]})
    assert "hostPort" not in plain["containers"][0]["ports"][0]


def test_volumes() -> None:
    volumes = [
        {"name": "scratch"},
        {"name": "host", "hostPath": {"path": "/var"}},
        {"name": "secret", "secret": {"secretName": "s"}},
        {"name": "config", "configMap": {"name": "c", "defaultMode": 0o400}},
        {
            "name": "down",
            "downwardAPI": {"items": [{"path": "n", "fieldRef": {"fieldPath": "metadata.name"}}]},
        },
        {
            "name": "proj",
            "projected": {
                "sources": [
                    {"serviceAccountToken": {"path": "token"}},
                    {
                        "downwardAPI": {
                            "items": [{"path": "l", "fieldRef": {"fieldPath": "metadata.labels"}}]
                        }
                    },
                ]
            },
        },
    ]
    out = defaulted({"containers": [], "volumes": volumes})["volumes"]
    assert out[0] == {"name": "scratch", "emptyDir": {}}
    assert out[1]["hostPath"] == {"path": "/var", "type": ""}
    assert out[2]["secret"]["defaultMode"] == 420
    assert out[3]["configMap"]["defaultMode"] == 0o400
    assert out[4]["downwardAPI"]["defaultMode"] == 420
    assert out[4]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"] == "v1"
    assert out[5]["projected"]["defaultMode"] == 420
    sources = out[5]["projected"]["sources"]
    assert sources[0]["serviceAccountToken"]["expirationSeconds"] == 3600
    assert sources[1]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"] == "v1"


def test_missing_template_is_created_and_wrong_types_are_left_alone() -> None:
    parent: dict[str, Any] = {}
    default_pod_template(parent)
    assert parent["template"]["spec"]["restartPolicy"] == "Always"
    odd: dict[str, Any] = {"template": "not an object"}
    default_pod_template(odd)
    assert odd == {"template": "not an object"}
    weird: dict[str, Any] = {"containers": "x", "volumes": [1, None], "dnsPolicy": 7}
    default_pod_spec(weird)
    assert {k: weird[k] for k in ("containers", "volumes", "dnsPolicy")} == {
        "containers": "x",
        "volumes": [1, None],
        "dnsPolicy": 7,
    }


def test_claim_template() -> None:
    claim: dict[str, Any] = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"]},
    }
    default_claim_template(claim)
    assert claim == {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"},
        "status": {"phase": "Pending"},
    }
