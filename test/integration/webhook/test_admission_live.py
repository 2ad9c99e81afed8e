"""The apps.kruise.io webhooks through the real API server: defaults filled, bad specs
rejected with the exact field path, StatefulSets converted without loss."""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any

import pytest
from support.workloads import (
    DEFAULT_LABELS,
    advancedcronjob,
    broadcastjob,
    cloneset,
    collection,
    create,
    read_modify_write,
    statefulset,
)

from kruise.runtime.envtest import ControlPlane
from kruise.runtime.envtest.rest import RestError

Obj = dict[str, Any]


def rejection(plane: ControlPlane, namespace: str, obj: Obj) -> str:
    with pytest.raises(RestError) as err:
        create(plane.rest, namespace, obj)
    assert err.value.status == 422, str(err.value)
    return str(err.value)


def test_cloneset_defaults(kruise_plane: ControlPlane, kruise_namespace: str) -> None:
    spec = create(kruise_plane.rest, kruise_namespace, cloneset())["spec"]
    assert spec["replicas"] == 1
    assert spec["revisionHistoryLimit"] == 10
    strategy = spec["updateStrategy"]
    assert strategy["type"] == "ReCreate"
    assert strategy["partition"] == 0
    assert strategy["maxUnavailable"] == "20%"
    assert strategy["maxSurge"] == 0
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Always"
    assert pod["dnsPolicy"] == "ClusterFirst"
    assert pod["containers"][0]["imagePullPolicy"] == "Always"
    assert pod["containers"][0]["terminationMessagePath"] == "/dev/termination-log"


def test_statefulset_defaults(kruise_plane: ControlPlane, kruise_namespace: str) -> None:
    spec = create(kruise_plane.rest, kruise_namespace, statefulset())["spec"]
    assert spec["replicas"] == 1
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"]["type"] == "RollingUpdate"
    assert spec["revisionHistoryLimit"] == 10


def test_broadcastjob_defaults(kruise_plane: ControlPlane, kruise_namespace: str) -> None:
    spec = create(kruise_plane.rest, kruise_namespace, broadcastjob())["spec"]
    assert spec["parallelism"] == 2147483647
    assert spec["completionPolicy"]["type"] == "Always"
    assert spec["failurePolicy"]["type"] == "FailFast"


def test_advancedcronjob_defaults(kruise_plane: ControlPlane, kruise_namespace: str) -> None:
    spec = create(kruise_plane.rest, kruise_namespace, advancedcronjob())["spec"]
    assert spec["concurrencyPolicy"] == "Allow"
    assert spec["paused"] is False
    assert spec["successfulJobsHistoryLimit"] == 3
    assert spec["failedJobsHistoryLimit"] == 1


REJECTED = [
    (
        "partition over 100%",
        cloneset(updateStrategy={"partition": "120%"}),
        'spec.updateStrategy.partition: Invalid value: "120%"',
    ),
    (
        "int-or-percent string without %",
        cloneset(updateStrategy={"partition": "5"}),
        'spec.updateStrategy.partition: Invalid value: "5"',
    ),
    (
        "priority weight over 100",
        cloneset(
            updateStrategy={
                "priorityStrategy": {
                    "weightPriority": [
                        {"weight": 101, "matchSelector": {"matchLabels": DEFAULT_LABELS}}
                    ]
                }
            }
        ),
        "spec.updateStrategy.priorityStrategy.weightPriority[0].weight: Invalid value: 101",
    ),
    (
        "selector not matching the template",
        cloneset(selector={"matchLabels": {"app": "other"}}),
        "spec.template.metadata.labels: Invalid value",
    ),
    (
        "surge with in-place only",
        cloneset(updateStrategy={"type": "InPlaceOnly", "maxSurge": 1}),
        "spec.updateStrategy.maxSurge",
    ),
    (
        "negative reserved ordinal",
        statefulset(replicas=3, reserveOrdinals=[1, -3]),
        "spec.reserveOrdinals[1]: Invalid value: -3",
    ),
    (
        "restartPolicy Always on a BroadcastJob",
        broadcastjob(restart_policy="Always"),
        "spec.template.spec.restartPolicy",
    ),
    (
        "unparseable cron schedule",
        advancedcronjob(schedule="every day"),
        'spec.schedule: Invalid value: "every day"',
    ),
    (
        "unknown time zone",
        advancedcronjob(timeZone="Mars/Olympus"),
        'spec.timeZone: Invalid value: "Mars/Olympus"',
    ),
]


@pytest.mark.parametrize(("case", "obj", "expected"), REJECTED, ids=[r[0] for r in REJECTED])
def test_bad_specs_are_rejected_with_the_field_path(
    kruise_plane: ControlPlane, kruise_namespace: str, case: str, obj: Obj, expected: str
) -> None:
    message = rejection(kruise_plane, kruise_namespace, obj)
    assert "admission webhook" in message
    assert expected in message


ACCEPTED = [
    ("partition 100%", cloneset(updateStrategy={"partition": "100%"})),
    ("reserved ordinal replicas-1", statefulset(replicas=3, reserveOrdinals=[2])),
    ("reserved ordinal replicas", statefulset(replicas=3, reserveOrdinals=[1, 3])),
    ("zero replicas", cloneset(replicas=0)),
    ("time zone", advancedcronjob(timeZone="Europe/Berlin")),
]


@pytest.mark.parametrize(("case", "obj"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_edge_values_are_accepted(
    kruise_plane: ControlPlane, kruise_namespace: str, case: str, obj: Obj
) -> None:
    assert create(kruise_plane.rest, kruise_namespace, obj)["metadata"]["uid"]


def test_immutable_selector_stays_immutable(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    created = create(kruise_plane.rest, kruise_namespace, cloneset())

    def add_tier(obj: Obj) -> None:
        obj["spec"]["selector"] = {"matchLabels": {"app": "demo", "tier": "x"}}
        obj["spec"]["template"]["metadata"]["labels"]["tier"] = "x"

    path = f"{collection(created, kruise_namespace)}/{created['metadata']['name']}"
    with pytest.raises(RestError) as err:
        read_modify_write(kruise_plane.rest, path, add_tier, created)
    assert "spec.selector" in str(err.value)


def _etcd_object(plane: ControlPlane, key: str) -> Obj:
    body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{plane.etcd_port}/v3/kv/range", data=body, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        kvs = json.load(response)["kvs"]
    stored: Obj = json.loads(base64.b64decode(kvs[0]["value"]))
    return stored


def test_v1alpha1_statefulset_reads_back_in_both_versions_and_is_stored_as_v1beta1(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    sent = statefulset("old", 2, version="v1alpha1")
    created = create(kruise_plane.rest, kruise_namespace, sent)
    as_alpha = kruise_plane.rest.get(f"{collection(sent, kruise_namespace)}/old")
    as_beta = kruise_plane.rest.get(f"{collection(sent, kruise_namespace, 'v1beta1')}/old")
    assert as_alpha["apiVersion"] == "apps.kruise.io/v1alpha1"
    assert as_alpha["spec"] == created["spec"]
    assert as_alpha["metadata"].get("annotations", {}) == created["metadata"].get("annotations", {})
    assert as_beta["apiVersion"] == "apps.kruise.io/v1beta1"
    # Defaulting (in the v1beta1 form) added the one v1beta1-only field with a default.
    retention = as_beta["spec"].pop("persistentVolumeClaimRetentionPolicy")
    assert retention == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert as_beta["spec"] == created["spec"]
    stored = _etcd_object(
        kruise_plane, f"/registry/apps.kruise.io/statefulsets/{kruise_namespace}/old"
    )
    assert stored["apiVersion"] == "apps.kruise.io/v1beta1"


def test_writing_through_v1alpha1_keeps_reserve_ordinals(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    beta = statefulset("keeper", 4, reserveOrdinals=[1])
    create(kruise_plane.rest, kruise_namespace, beta)
    alpha_path = f"{collection(beta, kruise_namespace, 'v1alpha1')}/keeper"
    as_alpha = kruise_plane.rest.get(alpha_path)
    assert "reserveOrdinals" not in as_alpha["spec"]
    read_modify_write(
        kruise_plane.rest, alpha_path, lambda obj: obj["spec"].update(replicas=5), as_alpha
    )
    as_beta = kruise_plane.rest.get(f"{collection(beta, kruise_namespace)}/keeper")
    assert as_beta["spec"]["replicas"] == 5
    assert as_beta["spec"]["reserveOrdinals"] == [1]
    assert "apps.kruise.io/v1beta1-fields" not in (as_beta["metadata"].get("annotations") or {})


def test_in_place_only_allows_image_changes_and_nothing_else(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    created = create(
        kruise_plane.rest, kruise_namespace, cloneset(updateStrategy={"type": "InPlaceOnly"})
    )
    path = f"{collection(created, kruise_namespace)}/{created['metadata']['name']}"

    def container(obj: Obj) -> Obj:
        first: Obj = obj["spec"]["template"]["spec"]["containers"][0]
        return first

    read_modify_write(
        kruise_plane.rest, path, lambda obj: container(obj).update(image="nginx:1.26"), created
    )
    with pytest.raises(RestError) as err:
        read_modify_write(
            kruise_plane.rest, path, lambda obj: container(obj).update(imagePullPolicy="Never")
        )
    assert "admission webhook" in str(err.value)
    assert "spec.template.spec" in str(err.value)
