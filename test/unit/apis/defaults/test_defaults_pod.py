"""Pod-spec and claim-template defaults (OpenKruise v1.9.0's, with Kruise's pull policy)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kruise.apis.apps.defaults import (
    default_cloneset,
    default_cloneset_v1beta1,
    default_statefulset,
)
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


def test_host_network_leaves_host_ports_unset_as_openkruise_v1_9() -> None:
    # v1.9.0's DefaultHostNetworkHostPortsInPodTemplates gate is off: no hostPort defaulting.
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
    assert [p.get("hostPort") for p in spec["containers"][0]["ports"]] == [None, 9]
    assert "hostPort" not in spec["initContainers"][0]["ports"][0]


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


def test_claim_template_gets_a_phase_not_a_volume_mode() -> None:
    claim: dict[str, Any] = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"]},
    }
    default_claim_template(claim)
    assert claim == {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"]},
        "status": {"phase": "Pending"},
    }


# --- issue 14 item 4: OpenKruise v1.9.0's template defaulting, field for field ------------


def test_volume_sources_other_than_the_listed_ones_are_not_defaulted() -> None:
    # Kubernetes defaults iSCSI, RBD, AzureDisk and ScaleIO fields on pods; OpenKruise
    # v1.9.0's SetDefaultPodVolumes does not, so neither do we (hack/difftest agrees).
    volumes = [
        {"name": "i", "iscsi": {"targetPortal": "t", "iqn": "q", "lun": 0}},
        {"name": "r", "rbd": {"monitors": ["m"], "image": "x"}},
        {"name": "a", "azureDisk": {"diskName": "d", "diskURI": "u"}},
        {"name": "s", "scaleIO": {"gateway": "g", "system": "s", "secretRef": {"name": "x"}}},
        {"name": "img", "image": {"reference": "x"}},
    ]
    spec = defaulted({"containers": [{"name": "a"}], "volumes": copy.deepcopy(volumes)})
    assert spec["volumes"] == volumes


def test_ephemeral_containers_get_the_shared_defaults_but_no_pull_policy() -> None:
    probe = {"httpGet": {"port": 80}}
    ephemeral = {"name": "debug", "ports": [{"containerPort": 1}], "readinessProbe": probe}
    spec = defaulted({"containers": [{"name": "a"}], "ephemeralContainers": [ephemeral]})
    out = spec["ephemeralContainers"][0]
    assert out["ports"] == [{"containerPort": 1, "protocol": "TCP"}]
    assert out["readinessProbe"]["httpGet"] == {"port": 80, "path": "/", "scheme": "HTTP"}
    assert "imagePullPolicy" not in out
    assert "terminationMessagePath" not in out


def test_requests_limits_and_overhead_are_rounded_up_to_milli_units() -> None:
    spec = defaulted(
        {
            "containers": [{"name": "a", "resources": {"limits": {"cpu": "0.0001"}}}],
            "initContainers": [{"name": "b", "resources": {"requests": {"cpu": "1n"}}}],
            "overhead": {"cpu": "0.5m", "memory": "1Gi"},
        }
    )
    assert spec["containers"][0]["resources"]["limits"] == {"cpu": "1m"}
    assert spec["initContainers"][0]["resources"]["requests"] == {"cpu": "1m"}
    assert spec["overhead"] == {"cpu": "1m", "memory": "1Gi"}


def test_a_volume_with_only_unknown_fields_gets_an_empty_dir() -> None:
    spec = defaulted({"containers": [{"name": "a"}], "volumes": [{"name": "v", "extra": 1}]})
    assert spec["volumes"][0]["emptyDir"] == {}


def test_template_defaults_can_be_left_out_as_on_an_update_keeping_the_template() -> None:
    cs = {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
    out = default_cloneset(cs, inject_template_defaults=False)
    assert out["spec"]["template"] == cs["spec"]["template"]
    assert out["spec"]["replicas"] == 1
    sts = default_statefulset(cs, inject_template_defaults=False)
    assert sts["spec"]["template"] == cs["spec"]["template"]
    v1beta1 = default_cloneset_v1beta1(cs, inject_template_defaults=False)
    assert v1beta1["spec"]["template"] == cs["spec"]["template"]
