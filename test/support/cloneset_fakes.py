"""Builders for CloneSet unit tests: pods and CloneSets as the API server returns them."""

from __future__ import annotations

from typing import Any

from kruise.util.pods import format_time

Obj = dict[str, Any]

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z
OLD = "sample-6f7b8c9d4"
NEW = "sample-58d4f6b7c"
SPECIFIED_DELETE = "apps.kruise.io/specified-delete"
STATE = "lifecycle.apps.kruise.io/state"
TIMESTAMP = "lifecycle.apps.kruise.io/timestamp"
INSTANCE_ID = "apps.kruise.io/cloneset-instance-id"
REVISION = "controller-revision-hash"


def ago(seconds: float) -> str:
    return format_time(NOW - seconds)


def make_pod(
    name: str = "sample-bcdfg",
    *,
    revision: str = OLD,
    phase: str = "Running",
    ready: bool | None = True,
    ready_for: float | None = 3600,
    node: str = "node-1",
    restarts: int = 0,
    age: float | None = 7200,
    state: str | None = "Normal",
    in_place_ready: str | None = None,
    instance_id: str | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    finalizers: list[str] | None = None,
    resource_version: str | None = None,
    deleting: bool = False,
) -> Obj:
    """A CloneSet pod. ``ready_for``: seconds since its Ready condition went True (None:
    no lastTransitionTime); ``in_place_ready``: status of the InPlaceUpdateReady
    condition (None: no such condition)."""
    all_labels = {"app": "sample", REVISION: revision}
    if state is not None:
        all_labels[STATE] = state
    if instance_id is not None:
        all_labels[INSTANCE_ID] = instance_id
    all_labels.update(labels or {})
    metadata = _pod_metadata(
        name, all_labels, age, annotations, finalizers, resource_version, deleting
    )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "nodeName": node,
            "containers": [{"name": "app", "image": "nginx:1.25"}],
            "readinessGates": [{"conditionType": "InPlaceUpdateReady"}],
        },
        "status": {
            "phase": phase,
            "conditions": _pod_conditions(ready, ready_for, in_place_ready),
            "containerStatuses": [
                {
                    "name": "app",
                    "image": "nginx:1.25",
                    "imageID": "docker.io/library/nginx@sha256:aaa",
                    "ready": bool(ready),
                    "restartCount": restarts,
                }
            ],
        },
    }


def _pod_metadata(
    name: str,
    labels: dict[str, str],
    age: float | None,
    annotations: dict[str, str] | None,
    finalizers: list[str] | None,
    resource_version: str | None,
    deleting: bool,
) -> Obj:
    metadata: Obj = {"name": name, "namespace": "default", "labels": labels}
    if age is not None:
        metadata["creationTimestamp"] = ago(age)
    if annotations:
        metadata["annotations"] = dict(annotations)
    if finalizers:
        metadata["finalizers"] = list(finalizers)
    if resource_version is not None:
        metadata["resourceVersion"] = resource_version
    if deleting:
        metadata["deletionTimestamp"] = ago(1)
    return metadata


def _pod_conditions(
    ready: bool | None, ready_for: float | None, in_place_ready: str | None
) -> list[Obj]:
    conditions: list[Obj] = []
    if ready is not None:
        cond: Obj = {"type": "Ready", "status": "True" if ready else "False"}
        if ready_for is not None:
            cond["lastTransitionTime"] = ago(ready_for)
        conditions.append(cond)
    if in_place_ready is not None:
        conditions.append(
            {"type": "InPlaceUpdateReady", "status": in_place_ready, "lastTransitionTime": ago(60)}
        )
    return conditions


def ready_pod(name: str = "sample-bcdfg", **kwargs: Any) -> Obj:
    return make_pod(name, **kwargs)


def not_ready_pod(name: str = "sample-bcdfg", **kwargs: Any) -> Obj:
    return make_pod(name, ready=False, **kwargs)


def names(pods: Any) -> list[str]:
    return [p["metadata"]["name"] for p in pods]


def make_spec(
    replicas: int | None = 3,
    *,
    partition: int | str | None = None,
    max_unavailable: int | str | None = None,
    max_surge: int | str | None = None,
    min_ready_seconds: int | None = None,
    pods_to_delete: list[str] | None = None,
    lifecycle: Obj | None = None,
    **strategy: Any,
) -> Obj:
    """A CloneSet spec; unset strategy fields stay absent (the functions default them)."""
    update_strategy: Obj = dict(strategy)
    for key, value in (
        ("partition", partition),
        ("maxUnavailable", max_unavailable),
        ("maxSurge", max_surge),
    ):
        if value is not None:
            update_strategy[key] = value
    spec: Obj = {
        "selector": {"matchLabels": {"app": "sample"}},
        "template": {
            "metadata": {"labels": {"app": "sample"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]},
        },
        "updateStrategy": update_strategy,
    }
    if replicas is not None:
        spec["replicas"] = replicas
    if min_ready_seconds is not None:
        spec["minReadySeconds"] = min_ready_seconds
    if pods_to_delete is not None:
        spec["scaleStrategy"] = {"podsToDelete": pods_to_delete}
    if lifecycle is not None:
        spec["lifecycle"] = lifecycle
    return spec


def make_cloneset(name: str = "sample", *, spec: Obj | None = None, **kwargs: Any) -> Obj:
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "CloneSet",
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": "7a1c9f2e-0000-4000-8000-000000000001",
            "generation": 4,
            "resourceVersion": "1000",
        },
        "spec": spec if spec is not None else make_spec(**kwargs),
    }
