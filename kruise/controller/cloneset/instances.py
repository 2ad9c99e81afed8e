"""Instance ids, and the pods and PersistentVolumeClaims a CloneSet creates for them.

Pod ``<cloneset>-<id>`` and claim ``<template>-<cloneset>-<id>`` share a five-character
id. Ids of claims left behind by a pod someone else deleted are reused first, so the new
pod gets the old volumes. Unlike OpenKruise v0.7.0 an id is never reused while a pod with
it still exists in any phase (OpenKruise #1099): creating that pod would fail forever.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from kruise.apis.apps.v1alpha1 import (
    API_VERSION,
    CLONESET_INSTANCE_ID_LABEL,
    CONTROLLER_REVISION_HASH_LABEL,
    LIFECYCLE_PREPARING_NORMAL,
)
from kruise.runtime.client import KubeObject
from kruise.util import lifecycle
from kruise.util.controllerref import new_controller_ref
from kruise.util.inplaceupdate import inject_readiness_gate
from kruise.util.pods import is_terminating

ID_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's rand.String: no vowels, 0, 1, 3
ID_LENGTH = 5
CLONESET_KIND = "CloneSet"


def instance_id(obj: Mapping[str, Any]) -> str:
    return str(
        ((obj.get("metadata") or {}).get("labels") or {}).get(CLONESET_INSTANCE_ID_LABEL) or ""
    )


def random_id(rng: random.Random | None = None) -> str:
    pick = (rng or random).choice
    return "".join(pick(ID_ALPHABET) for _ in range(ID_LENGTH))


def allocate_ids(
    count: int,
    pods: Iterable[Mapping[str, Any]],
    claims: Iterable[Mapping[str, Any]],
    *,
    new_id: Callable[[], str] = random_id,
) -> list[str]:
    """Up to ``count`` ids for new pods: free claim ids first, then fresh random ones.

    ``pods`` are all the CloneSet's pods, whatever their phase; ``claims`` its claims. A
    claim whose pod is still terminating holds its place: fewer ids come back, and that
    slot is filled with the claim's own id once the pod is gone, so the claim is reused
    rather than left behind.
    """
    pods = list(pods)
    taken = {instance_id(p) for p in pods} - {""}
    terminating = {instance_id(p) for p in pods if is_terminating(p)}
    claim_ids = sorted({instance_id(c) for c in claims} - {""})
    free = [i for i in claim_ids if i not in taken]
    held = sum(1 for i in claim_ids if i in terminating)
    count = max(count - held, 0)
    chosen = free[:count]
    used = taken | set(claim_ids)
    while len(chosen) < count:
        candidate = new_id()
        if candidate not in used:
            used.add(candidate)
            chosen.append(candidate)
    return chosen


def pod_name(cloneset_name: str, id_: str) -> str:
    return f"{cloneset_name}-{id_}"


def claim_name(template_name: str, cloneset_name: str, id_: str) -> str:
    return f"{template_name}-{cloneset_name}-{id_}"


def new_pod(cloneset: Mapping[str, Any], revision: str, id_: str, wall: float) -> KubeObject:
    """The pod for instance ``id_`` from ``cloneset``'s template (already the revision's),
    in lifecycle state ``PreparingNormal`` (OpenKruise v1.x; v0.7.0 started pods Normal)."""
    meta = cloneset["metadata"]
    spec = cloneset.get("spec") or {}
    template = copy.deepcopy(dict(spec.get("template") or {}))
    tmeta = template.get("metadata") or {}
    state_labels, state_annotations = lifecycle.state_metadata(LIFECYCLE_PREPARING_NORMAL, wall)
    labels = {
        **(tmeta.get("labels") or {}),
        CONTROLLER_REVISION_HASH_LABEL: revision,
        CLONESET_INSTANCE_ID_LABEL: id_,
        **state_labels,
    }
    metadata: dict[str, Any] = {
        "name": pod_name(meta["name"], id_),
        "generateName": f"{meta['name']}-",
        "namespace": meta.get("namespace"),
        "labels": labels,
        "annotations": {**(tmeta.get("annotations") or {}), **state_annotations},
        "ownerReferences": [dict(_owner_ref(cloneset))],
    }
    if tmeta.get("finalizers"):
        metadata["finalizers"] = list(tmeta["finalizers"])
    pod: KubeObject = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": template.get("spec") or {},
    }
    inject_readiness_gate(pod)
    _mount_claims(pod, spec.get("volumeClaimTemplates") or (), meta["name"], id_)
    return pod


def new_claims(cloneset: Mapping[str, Any], id_: str) -> list[KubeObject]:
    """One claim per volumeClaimTemplate for instance ``id_``, owned by the CloneSet."""
    meta = cloneset["metadata"]
    spec = cloneset.get("spec") or {}
    match_labels = (spec.get("selector") or {}).get("matchLabels") or {}
    claims = []
    for template in spec.get("volumeClaimTemplates") or ():
        claim = copy.deepcopy(dict(template))
        tmeta = claim.get("metadata") or {}
        claim["apiVersion"], claim["kind"] = "v1", "PersistentVolumeClaim"
        claim["metadata"] = {
            **{k: v for k, v in tmeta.items() if k in ("annotations", "finalizers")},
            "name": claim_name(str(tmeta.get("name") or ""), meta["name"], id_),
            "namespace": meta.get("namespace"),
            "labels": {
                **(tmeta.get("labels") or {}),
                **match_labels,
                CLONESET_INSTANCE_ID_LABEL: id_,
            },
            "ownerReferences": [dict(_owner_ref(cloneset))],
        }
        claim.pop("status", None)
        claims.append(claim)
    return claims


def _owner_ref(cloneset: Mapping[str, Any]) -> Mapping[str, Any]:
    return new_controller_ref(cloneset, api_version=API_VERSION, kind=CLONESET_KIND)


def _mount_claims(
    pod: KubeObject, templates: Collection[Mapping[str, Any]], cloneset_name: str, id_: str
) -> None:
    if not templates:
        return
    names = [str((t.get("metadata") or {}).get("name") or "") for t in templates]
    spec = pod["spec"]
    volumes = [v for v in spec.get("volumes") or () if v.get("name") not in names]
    for name in names:
        source = {"claimName": claim_name(name, cloneset_name, id_)}
        volumes.append({"name": name, "persistentVolumeClaim": source})
    spec["volumes"] = volumes
