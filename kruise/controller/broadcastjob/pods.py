"""A BroadcastJob's pods: which are its own, which node each is for, how each counts,
and the pod it creates for a node.

A pod belongs to the job when it carries the labels ``broadcastjob-name`` and
``broadcastjob-controller-uid`` and its controller reference is the job's. The node a pod
is for is its ``spec.nodeName``, or before the scheduler binds it, the single
``metadata.name`` its required node affinity names.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kruise.apis.apps.v1alpha1 import (
    BROADCASTJOB_CONTROLLER_UID_LABEL,
    BROADCASTJOB_NAME_LABEL,
)
from kruise.runtime.client import KubeObject
from kruise.runtime.meta import name_of, uid_of
from kruise.util.controllerref import controller_of, new_controller_ref
from kruise.util.nodefit import OBJECT_NAME_FIELD
from kruise.util.pods import POD_FAILED, POD_SUCCEEDED, is_terminating, phase

BROADCASTJOB_KIND = "BroadcastJob"
Pod = Mapping[str, Any]


def job_labels(job: Mapping[str, Any]) -> dict[str, str]:
    """The labels every pod of ``job`` carries (never written to the job's template)."""
    return {BROADCASTJOB_NAME_LABEL: name_of(job), BROADCASTJOB_CONTROLLER_UID_LABEL: uid_of(job)}


def owned_by(pods: Iterable[Pod], job: Mapping[str, Any]) -> list[Pod]:
    """The pods whose controller reference is ``job``."""
    uid = uid_of(job)
    owned = []
    for pod in pods:
        ref = controller_of(pod)
        if ref is not None and ref.get("kind") == BROADCASTJOB_KIND and ref.get("uid") == uid:
            owned.append(pod)
    return owned


def assigned_node(pod: Pod) -> str:
    """The node ``pod`` runs on or was created for; empty when it names none."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    node_affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    for term in required.get("nodeSelectorTerms") or ():
        for req in term.get("matchFields") or ():
            values = req.get("values") or []
            names_node = req.get("key") == OBJECT_NAME_FIELD and req.get("operator") == "In"
            if names_node and len(values) == 1:
                return str(values[0])
    return ""


def restarts(pod: Pod) -> int:
    """Container restarts of ``pod``, init containers included."""
    status = pod.get("status") or {}
    statuses = [
        *(status.get("initContainerStatuses") or ()),
        *(status.get("containerStatuses") or ()),
    ]
    return sum(int(s.get("restartCount") or 0) for s in statuses)


def exceeded_restart_limit(pod: Pod, restart_limit: int) -> bool:
    """An ``OnFailure`` pod whose containers restarted more than ``restart_limit`` times."""
    if (pod.get("spec") or {}).get("restartPolicy") != "OnFailure":
        return False
    return restarts(pod) > restart_limit


@dataclass(frozen=True)
class Classified:
    """A job's pods by how they count; terminating pods are in none of the lists."""

    active: list[Pod] = field(default_factory=list)
    succeeded: list[Pod] = field(default_factory=list)
    failed: list[Pod] = field(default_factory=list)


def classify(pods: Iterable[Pod], restart_limit: int) -> Classified:
    """Succeeded and Failed by phase; a live ``OnFailure`` pod past ``restart_limit``
    restarts is failed too; the other live pods are active."""
    out = Classified()
    for pod in pods:
        if phase(pod) == POD_SUCCEEDED:
            out.succeeded.append(pod)
        elif phase(pod) == POD_FAILED:
            out.failed.append(pod)
        elif is_terminating(pod):
            continue
        elif exceeded_restart_limit(pod, restart_limit):
            out.failed.append(pod)
        else:
            out.active.append(pod)
    return out


def is_running(pod: Pod) -> bool:
    """Neither finished nor terminating: the pod still holds its node."""
    return phase(pod) not in (POD_SUCCEEDED, POD_FAILED) and not is_terminating(pod)


def by_node(pods: Sequence[Pod]) -> tuple[dict[str, Pod], list[tuple[Pod, str]]]:
    """Node name -> the job's pod there, and the (pod, node) pairs that found another pod
    of the job already on their node (the last listed wins)."""
    found: dict[str, Pod] = {}
    duplicates: list[tuple[Pod, str]] = []
    for pod in pods:
        node = assigned_node(pod)
        if node in found:
            duplicates.append((pod, node))
        found[node] = pod
    return found, duplicates


def mock_pod(job: Mapping[str, Any], node_name: str) -> KubeObject:
    """The pod ``job`` would create on ``node_name``, enough to test whether it fits."""
    template = (job.get("spec") or {}).get("template") or {}
    return {
        "metadata": {
            **(template.get("metadata") or {}),
            "namespace": job["metadata"].get("namespace"),
        },
        "spec": template.get("spec") or {},
    }


def new_pod(job: Mapping[str, Any], node_name: str, *, by_scheduler: bool) -> KubeObject:
    """The pod ``job`` creates for ``node_name``: its template, its labels, a controller
    reference to it, and either a required node affinity naming the node (for the
    scheduler to bind) or ``spec.nodeName`` (bound at once)."""
    meta = job["metadata"]
    template = copy.deepcopy(dict((job.get("spec") or {}).get("template") or {}))
    tmeta = template.get("metadata") or {}
    metadata: dict[str, Any] = {
        "generateName": f"{meta['name']}-",
        "namespace": meta.get("namespace"),
        "labels": {**(tmeta.get("labels") or {}), **job_labels(job)},
        "ownerReferences": [dict(new_controller_ref(job, kind=BROADCASTJOB_KIND))],
    }
    for key in ("annotations", "finalizers"):
        if tmeta.get(key):
            metadata[key] = tmeta[key]
    spec = template.get("spec") or {}
    if by_scheduler:
        spec["affinity"] = node_name_affinity(spec.get("affinity"), node_name)
    else:
        spec["nodeName"] = node_name
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def node_name_affinity(affinity: Mapping[str, Any] | None, node_name: str) -> dict[str, Any]:
    """``affinity`` with its required node terms replaced by one naming ``node_name``, as
    a DaemonSet's pods get: the controller has already tested the job's own terms, and
    the scheduler then binds the pod to that node and nowhere else."""
    out = copy.deepcopy(dict(affinity or {}))
    node_affinity = dict(out.get("nodeAffinity") or {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
        "nodeSelectorTerms": [
            {"matchFields": [{"key": OBJECT_NAME_FIELD, "operator": "In", "values": [node_name]}]}
        ]
    }
    out["nodeAffinity"] = node_affinity
    return out
