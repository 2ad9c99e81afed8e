"""The generated CRDs against a real API server: accepted, established, and usable."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from kruise.apis.apps import v1alpha1, v1beta1
from kruise.runtime.client.resource import Resource
from kruise.runtime.envtest import Binaries, ControlPlane
from kruise.runtime.envtest.rest import RestError

CRD_BASES = Path(__file__).resolve().parents[3] / "config" / "crd" / "bases"
LABELS = {"app": "demo"}
TEMPLATE = {
    "metadata": {"labels": LABELS, "annotations": {"note": "kept"}},
    "spec": {
        "containers": [{"name": "main", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}]
    },
}


@pytest.fixture(scope="module")
def crds(control_plane: ControlPlane) -> list[dict[str, Any]]:
    return control_plane.install_crds([CRD_BASES])


def _create(plane: ControlPlane, resource: Resource, namespace: str, obj: dict[str, Any]) -> Any:
    body = {"apiVersion": resource.api_version, "kind": resource.kind, **obj}
    return plane.rest.request("POST", resource.path(namespace), body)


def _get(plane: ControlPlane, resource: Resource, namespace: str, name: str, sub: str = "") -> Any:
    return plane.rest.get(resource.path(namespace, name, sub or None))


def _cloneset(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "spec": {"replicas": 3, "selector": {"matchLabels": LABELS}, "template": TEMPLATE, **spec},
    }


def test_all_four_crds_are_established(crds: list[dict[str, Any]]) -> None:
    assert sorted(crd["metadata"]["name"] for crd in crds) == [
        "advancedcronjobs.apps.kruise.io",
        "broadcastjobs.apps.kruise.io",
        "clonesets.apps.kruise.io",
        "statefulsets.apps.kruise.io",
    ]


def test_cloneset_round_trips_with_its_template_intact(
    control_plane: ControlPlane, crds: object, namespace: str
) -> None:
    strategy = {"type": "InPlaceIfPossible", "partition": "80%", "maxUnavailable": 2}
    _create(
        control_plane, v1alpha1.CLONESETS, namespace, _cloneset("demo", updateStrategy=strategy)
    )
    stored = _get(control_plane, v1alpha1.CLONESETS, namespace, "demo")
    assert stored["spec"]["replicas"] == 3
    assert stored["spec"]["selector"] == {"matchLabels": LABELS}
    assert stored["spec"]["template"] == TEMPLATE
    assert stored["spec"]["updateStrategy"] == strategy


def test_statefulset_v1beta1_keeps_reserve_ordinals_and_v1alpha1_is_served(
    control_plane: ControlPlane, crds: object, namespace: str
) -> None:
    spec = {
        "replicas": 3,
        "reserveOrdinals": [1],
        "serviceName": "demo",
        "selector": {"matchLabels": LABELS},
        "template": TEMPLATE,
        "volumeClaimTemplates": [
            {
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            }
        ],
        "updateStrategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible", "maxUnavailable": "50%"},
        },
    }
    _create(
        control_plane, v1beta1.STATEFULSETS, namespace, {"metadata": {"name": "demo"}, "spec": spec}
    )
    stored = _get(control_plane, v1beta1.STATEFULSETS, namespace, "demo")
    assert stored["spec"] == spec
    served = _get(control_plane, v1alpha1.STATEFULSETS, namespace, "demo")
    assert served["apiVersion"] == "apps.kruise.io/v1alpha1"
    assert served["spec"]["replicas"] == 3


def test_broadcastjob_round_trips(
    control_plane: ControlPlane, crds: object, namespace: str
) -> None:
    template = {
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "main", "image": "busybox", "command": ["true"]}],
        }
    }
    spec = {
        "parallelism": "50%",
        "template": template,
        "completionPolicy": {"type": "Always", "ttlSecondsAfterFinished": 60},
        "failurePolicy": {"type": "Continue", "restartLimit": 2},
    }
    _create(
        control_plane,
        v1alpha1.BROADCASTJOBS,
        namespace,
        {"metadata": {"name": "demo"}, "spec": spec},
    )
    assert _get(control_plane, v1alpha1.BROADCASTJOBS, namespace, "demo")["spec"] == spec


def test_advancedcronjob_round_trips_with_time_zone(
    control_plane: ControlPlane, crds: object, namespace: str
) -> None:
    spec = {
        "schedule": "*/5 * * * *",
        "timeZone": "Europe/Paris",
        "concurrencyPolicy": "Forbid",
        "successfulJobsHistoryLimit": 0,
        "template": {
            "broadcastJobTemplate": {
                "metadata": {"labels": {"run": "nightly"}},
                "spec": {"parallelism": 1, "template": {"spec": {"restartPolicy": "OnFailure"}}},
            }
        },
    }
    _create(
        control_plane,
        v1alpha1.ADVANCEDCRONJOBS,
        namespace,
        {"metadata": {"name": "demo"}, "spec": spec},
    )
    assert _get(control_plane, v1alpha1.ADVANCEDCRONJOBS, namespace, "demo")["spec"] == spec


@pytest.mark.parametrize(
    ("resource", "obj", "message"),
    [
        (
            v1alpha1.CLONESETS,
            _cloneset("bad-type", updateStrategy={"type": "Rolling"}),
            'spec.updateStrategy.type: Unsupported value: "Rolling"',
        ),
        (
            v1alpha1.CLONESETS,
            {"metadata": {"name": "no-selector"}, "spec": {"template": TEMPLATE}},
            "spec.selector: Required value",
        ),
        (
            v1alpha1.ADVANCEDCRONJOBS,
            {
                "metadata": {"name": "negative"},
                "spec": {"schedule": "@daily", "failedJobsHistoryLimit": -1, "template": {}},
            },
            "spec.failedJobsHistoryLimit: Invalid value: -1",
        ),
    ],
)
def test_the_schema_refuses_what_it_describes(
    control_plane: ControlPlane,
    crds: object,
    namespace: str,
    resource: Resource,
    obj: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(RestError) as caught:
        _create(control_plane, resource, namespace, obj)
    assert caught.value.status == 422
    assert message in str(caught.value)


def test_partial_status_is_accepted_and_scale_reports_the_label_selector(
    control_plane: ControlPlane, crds: object, namespace: str
) -> None:
    created = _create(control_plane, v1alpha1.CLONESETS, namespace, _cloneset("scaled"))
    # Only two status fields: nothing in a status is required.
    created["status"] = {"replicas": 2, "labelSelector": "app=demo"}
    path = v1alpha1.CLONESETS.path(namespace, "scaled", "status")
    control_plane.rest.request("PUT", path, created)

    scale = _get(control_plane, v1alpha1.CLONESETS, namespace, "scaled", "scale")
    assert scale["kind"] == "Scale"
    assert scale["spec"] == {"replicas": 3}
    assert scale["status"] == {"replicas": 2, "selector": "app=demo"}

    scale_path = v1alpha1.CLONESETS.path(namespace, "scaled", "scale")
    patch = {"spec": {"replicas": 5}}
    control_plane.rest.request("PATCH", scale_path, patch, "application/merge-patch+json")
    assert _get(control_plane, v1alpha1.CLONESETS, namespace, "scaled")["spec"]["replicas"] == 5


def _kubectl(plane: ControlPlane, *args: str) -> str:
    command = [str(Binaries.default().kubectl), f"--kubeconfig={plane.kubeconfig_path}", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kubectl_short_names_category_and_columns(
    control_plane: ControlPlane, crds: object, namespace: str
) -> None:
    _create(control_plane, v1alpha1.CLONESETS, namespace, _cloneset("listed"))
    spec = {"replicas": 1, "selector": {"matchLabels": LABELS}, "template": TEMPLATE}
    _create(
        control_plane,
        v1beta1.STATEFULSETS,
        namespace,
        {"metadata": {"name": "listed"}, "spec": spec},
    )

    header = _kubectl(control_plane, "get", "clone", "-n", namespace).splitlines()[0]
    assert header.split() == [
        "NAME",
        "DESIRED",
        "UPDATED",
        "UPDATED_READY",
        "READY",
        "TOTAL",
        "AGE",
    ]
    header = _kubectl(control_plane, "get", "asts", "-n", namespace).splitlines()[0]
    assert header.split() == ["NAME", "DESIRED", "CURRENT", "UPDATED", "READY", "AGE"]
    for short_name in ("bcj", "acj"):
        _kubectl(control_plane, "get", short_name, "-n", namespace)

    listed = _kubectl(control_plane, "get", "kruise", "-n", namespace, "-o", "name").split()
    assert sorted(listed) == [
        "cloneset.apps.kruise.io/listed",
        "statefulset.apps.kruise.io/listed",
    ]
    # `sts` stays the built-in StatefulSet, as the generator's notes say.
    assert _kubectl(control_plane, "get", "sts", "-n", namespace, "-o", "name").strip() == ""
