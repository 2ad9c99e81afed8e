"""A stateful pod's identity: its ordinal, name, labels, hostname and claims.

Pod ``<set>-<ordinal>`` mounts claim ``<template>-<set>-<ordinal>`` for each
``volumeClaimTemplates`` entry, carries ``statefulset.kubernetes.io/pod-name`` (its own
name), ``apps.kubernetes.io/pod-index`` (its ordinal, as OpenKruise v1.9 and Kubernetes
write it) and ``controller-revision-hash`` (its revision's name), and gets ``hostname`` and
``subdomain`` (the set's ``serviceName``) when it is created. Everything here is pure.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from kruise.apis.apps.v1alpha1 import (
    CONTROLLER_REVISION_HASH_LABEL,
    LIFECYCLE_NORMAL,
    LIFECYCLE_PREPARING_NORMAL,
    STATEFULSET_POD_NAME_LABEL,
)
from kruise.apis.apps.v1beta1 import API_VERSION
from kruise.apis.apps.v1beta1.ordinals import start_ordinal
from kruise.runtime.client import KubeObject
from kruise.util import lifecycle
from kruise.util.controllerref import new_controller_ref

STATEFULSET_KIND = "StatefulSet"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
ON_DELETE = "OnDelete"
ROLLING_UPDATE = "RollingUpdate"

Pod = Mapping[str, Any]
_STATEFUL_POD = re.compile(r"^(.*)-([0-9]+)$")
_MAX_INT32 = 2**31 - 1


def parent_and_ordinal(name: str) -> tuple[str, int]:
    """The set name and ordinal in a pod name ``<set>-<ordinal>``; ("", -1) for a name
    of another shape (or an ordinal beyond int32, as Go's parse refuses)."""
    match = _STATEFUL_POD.match(name)
    if match is None:
        return "", -1
    ordinal = int(match.group(2))
    if ordinal > _MAX_INT32:
        return match.group(1), -1
    return match.group(1), ordinal


def name_of(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def ordinal_of(pod: Pod) -> int:
    """The pod's ordinal; -1 when its name has none."""
    return parent_and_ordinal(name_of(pod))[1]


def is_member_of(sts: Mapping[str, Any], pod: Pod) -> bool:
    """Whether the pod's name says it belongs to ``sts`` (``<set>-<ordinal>``)."""
    return parent_and_ordinal(name_of(pod))[0] == name_of(sts)


def revision_of(pod: Pod) -> str:
    """The pod's ``controller-revision-hash`` label; "" without one."""
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return str(labels.get(CONTROLLER_REVISION_HASH_LABEL) or "")


def pod_name(sts: Mapping[str, Any], ordinal: int) -> str:
    return f"{name_of(sts)}-{ordinal}"


def claim_name(sts: Mapping[str, Any], template: Mapping[str, Any], ordinal: int) -> str:
    """``<template>-<set>-<ordinal>``: the claim of ``template`` for pod ``ordinal``."""
    return f"{name_of(template)}-{name_of(sts)}-{ordinal}"


def _templates(sts: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    return list((sts.get("spec") or {}).get("volumeClaimTemplates") or ())


def identity_matches(sts: Mapping[str, Any], pod: Pod) -> bool:
    """Name, namespace and the pod-name label say this pod is ``sts``'s pod."""
    meta = pod.get("metadata") or {}
    parent, ordinal = parent_and_ordinal(name_of(pod))
    return (
        ordinal >= 0
        and parent == name_of(sts)
        and name_of(pod) == pod_name(sts, ordinal)
        and meta.get("namespace") == (sts.get("metadata") or {}).get("namespace")
        and (meta.get("labels") or {}).get(STATEFULSET_POD_NAME_LABEL) == name_of(pod)
    )


def storage_matches(sts: Mapping[str, Any], pod: Pod) -> bool:
    """Each claim template has a volume of its name pointing at the pod's claim."""
    ordinal = ordinal_of(pod)
    if ordinal < 0:
        return False
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or ()}
    for template in _templates(sts):
        source = (volumes.get(name_of(template)) or {}).get("persistentVolumeClaim") or {}
        if source.get("claimName") != claim_name(sts, template, ordinal):
            return False
    return True


def claims_for(sts: Mapping[str, Any], ordinal: int) -> dict[str, KubeObject]:
    """The claims pod ``ordinal`` needs, by template name: each template with its
    per-pod name, the set's namespace, and the selector's ``matchLabels`` added to its
    labels (no owner: ownership follows the retention policy)."""
    meta = sts.get("metadata") or {}
    match_labels = ((sts.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    claims: dict[str, KubeObject] = {}
    for template in _templates(sts):
        claim = copy.deepcopy(dict(template))
        cmeta = dict(claim.get("metadata") or {})
        cmeta["name"] = claim_name(sts, template, ordinal)
        cmeta["namespace"] = meta.get("namespace")
        cmeta["labels"] = {**(cmeta.get("labels") or {}), **match_labels}
        claim["metadata"] = cmeta
        claim["apiVersion"], claim["kind"] = "v1", "PersistentVolumeClaim"
        claim.pop("status", None)
        claims[name_of(template)] = claim
    return claims


def update_identity(sts: Mapping[str, Any], pod: KubeObject) -> None:
    """Give ``pod`` (changed in place) the name, namespace and identity labels of its
    ordinal in ``sts``."""
    ordinal = ordinal_of(pod)
    meta = pod.setdefault("metadata", {})
    meta["name"] = pod_name(sts, ordinal)
    meta["namespace"] = (sts.get("metadata") or {}).get("namespace")
    labels = dict(meta.get("labels") or {})
    meta["labels"] = labels
    labels[STATEFULSET_POD_NAME_LABEL] = meta["name"]
    labels[POD_INDEX_LABEL] = str(ordinal)


def update_storage(sts: Mapping[str, Any], pod: KubeObject) -> None:
    """Point ``pod``'s volumes (changed in place) at its claims; a volume of the same
    name as a claim template is replaced, others are kept after the claims."""
    ordinal = ordinal_of(pod)
    claims = claims_for(sts, ordinal)
    spec = pod.setdefault("spec", {})
    volumes: list[Any] = [
        {"name": name, "persistentVolumeClaim": {"claimName": name_of(claim)}}
        for name, claim in claims.items()
    ]
    volumes += [v for v in spec.get("volumes") or () if v.get("name") not in claims]
    spec["volumes"] = volumes


def new_pod(sts: Mapping[str, Any], ordinal: int) -> KubeObject:
    """Pod ``ordinal`` from ``sts``'s template, controlled by ``sts``, not yet created."""
    meta = sts.get("metadata") or {}
    template = copy.deepcopy(dict((sts.get("spec") or {}).get("template") or {}))
    tmeta = template.get("metadata") or {}
    metadata: dict[str, Any] = {
        "name": pod_name(sts, ordinal),
        "namespace": meta.get("namespace"),
        "labels": dict(tmeta.get("labels") or {}),
        "ownerReferences": [
            dict(new_controller_ref(sts, api_version=API_VERSION, kind=STATEFULSET_KIND))
        ],
    }
    if tmeta.get("annotations"):
        metadata["annotations"] = dict(tmeta["annotations"])
    if tmeta.get("finalizers"):
        metadata["finalizers"] = list(tmeta["finalizers"])
    pod: KubeObject = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": template.get("spec") or {},
    }
    update_identity(sts, pod)
    pod["spec"]["hostname"] = metadata["name"]
    if (sts.get("spec") or {}).get("serviceName"):
        pod["spec"]["subdomain"] = sts["spec"]["serviceName"]
    update_storage(sts, pod)
    return pod


def set_revision(pod: KubeObject, revision: str) -> None:
    pod.setdefault("metadata", {}).setdefault("labels", {})[CONTROLLER_REVISION_HASH_LABEL] = (
        revision
    )


def initial_lifecycle_state(sts: Mapping[str, Any], pod: Pod) -> str:
    """``PreparingNormal`` while a ``preNormal`` hook still wants something of the pod,
    else ``Normal``."""
    hook = ((sts.get("spec") or {}).get("lifecycle") or {}).get("preNormal")
    if hook is None or lifecycle.is_all_hooked(pod, hook):
        return LIFECYCLE_NORMAL
    return LIFECYCLE_PREPARING_NORMAL


def new_versioned_pod(
    current_set: Mapping[str, Any],
    *,
    update_set: Mapping[str, Any],
    current_revision: str,
    update_revision: str,
    ordinal: int,
    replicas: Sequence[Pod | None],
) -> KubeObject:
    """Pod ``ordinal`` at the current or the update revision (``current_revision_needed``
    decides), labelled with that revision's name."""
    if current_revision_needed(current_set, update_revision, ordinal, replicas):
        pod = new_pod(current_set, ordinal)
        set_revision(pod, current_revision)
    else:
        pod = new_pod(update_set, ordinal)
        set_revision(pod, update_revision)
    return pod


def current_revision_needed(
    sts: Mapping[str, Any], update_revision: str, ordinal: int, replicas: Sequence[Pod | None]
) -> bool:
    """Whether a new pod ``ordinal`` starts at the current revision, as OpenKruise v1.9
    decides: never with OnDelete; without ``rollingUpdate``, when the ordinal is below
    ``start + status.currentReplicas``; for an ordered update, when it is among the first
    ``partition`` pods of the range (counting the non-reserved slots before it, so
    ``partition`` is a count of pods, not an ordinal); for an unordered update, while fewer
    than ``partition`` other pods are not at the update revision.

    ``replicas`` holds the range's slots from ``start`` up; None marks a reserved ordinal.
    """
    spec = sts.get("spec") or {}
    strategy = spec.get("updateStrategy") or {}
    if (strategy.get("type") or ROLLING_UPDATE) != ROLLING_UPDATE:
        return False
    rolling = strategy.get("rollingUpdate")
    start = start_ordinal(spec)
    if rolling is None:
        current = int((sts.get("status") or {}).get("currentReplicas") or 0)
        return ordinal < start + current
    partition = int(rolling.get("partition") or 0)
    if rolling.get("unorderedUpdate") is None:
        before = sum(1 for slot in replicas[: max(ordinal - start, 0)] if slot is not None)
        return before + 1 <= partition
    not_updated = sum(
        1
        for slot in replicas
        if slot is not None and ordinal_of(slot) != ordinal and revision_of(slot) != update_revision
    )
    return not_updated < partition


def initial_state_patch(sts: Mapping[str, Any], pod: KubeObject, wall: float) -> None:
    """Put a new ``pod`` (changed in place) in its first lifecycle state."""
    labels, annotations = lifecycle.state_metadata(initial_lifecycle_state(sts, pod), wall)
    meta = pod.setdefault("metadata", {})
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    meta["annotations"] = {**(meta.get("annotations") or {}), **annotations}
