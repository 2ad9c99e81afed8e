"""The invariants a chaos run checks, as pure functions of what the checker has seen.

Pods count as *live* when they have no deletionTimestamp and have not finished: a
terminating pod is on its way out and the controllers do not count it either (a CloneSet
replaces it at once), so ``replicas + maxSurge`` bounds the live ones. The checker feeds
these functions from its own watches; see checker.py.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Obj = Mapping[str, Any]
INSTANCE_ID = "apps.kruise.io/cloneset-instance-id"
POD_INDEX = "apps.kubernetes.io/pod-index"
FINISHED = ("Succeeded", "Failed")


def meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def uid(obj: Obj) -> str:
    return str(meta(obj).get("uid") or "")


def terminating(obj: Obj) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


def live(pod: Obj) -> bool:
    """Not terminating and not finished."""
    return not terminating(pod) and (pod.get("status") or {}).get("phase") not in FINISHED


def ready(pod: Obj) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def controller_uid(obj: Obj) -> str | None:
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def scaled(value: int | str | None, total: int, *, round_up: bool, default: int = 0) -> int:
    """An int-or-percent against ``total``, rounded as Kubernetes does for the field."""
    if value is None:
        return default
    if isinstance(value, int):
        return value
    percent = int(value.rstrip("%")) * total / 100
    return math.ceil(percent) if round_up else math.floor(percent)


def surge_bound(spec: Obj) -> int:
    """``replicas + maxSurge`` of a CloneSet spec (maxSurge rounds up)."""
    replicas = int(spec.get("replicas", 1))
    strategy = spec.get("updateStrategy") or {}
    return replicas + scaled(strategy.get("maxSurge"), replicas, round_up=True)


@dataclass
class BoundTracker:
    """The pod bound of one CloneSet while its spec changes under the controller.

    The driver declares each new bound before it writes the spec and reports the
    generation the write produced. A higher bound applies at once; earlier (higher)
    bounds stay in force until the controller has observed the latest write
    (``status.observedGeneration``) and the live pods have come down under it, since
    until then the controller may still be acting on an older spec."""

    entries: list[list[int | None]] = field(default_factory=list)  # [bound, generation]

    def declare(self, bound: int) -> int:
        self.entries.append([bound, None])
        return len(self.entries) - 1

    def written(self, token: int, generation: int) -> None:
        self.entries[token][1] = generation

    def settle(self, observed_generation: int, live_pods: int) -> None:
        """Drop earlier bounds once the latest write is observed and respected."""
        if len(self.entries) < 2:
            return
        bound, generation = self.entries[-1]
        assert bound is not None
        if generation is not None and observed_generation >= generation and live_pods <= bound:
            self.entries = [self.entries[-1]]

    def bound(self) -> int | None:
        bounds = [b for b, _ in self.entries if b is not None]
        return max(bounds) if bounds else None


def duplicates(values: Iterable[str]) -> list[str]:
    return sorted(v for v, n in Counter(values).items() if n > 1)


def duplicate_instance_ids(pods: Iterable[Obj]) -> list[str]:
    """Instance ids that two live pods carry."""
    ids = (str((meta(p).get("labels") or {}).get(INSTANCE_ID, "")) for p in pods if live(p))
    return [i for i in duplicates(ids) if i]


def ordinal(pod: Obj) -> str:
    """A StatefulSet pod's ordinal: its pod-index label, else its name's suffix."""
    labels = meta(pod).get("labels") or {}
    return str(labels.get(POD_INDEX) or str(meta(pod).get("name", "")).rsplit("-", 1)[-1])


def duplicate_ordinals(pods: Iterable[Obj]) -> list[str]:
    """Ordinals that two live pods of one StatefulSet carry."""
    return duplicates(ordinal(p) for p in pods if live(p))


def target_node(pod: Obj) -> str:
    """The node a BroadcastJob pod is for: its nodeName, or the node affinity's name."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    affinity = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in affinity.get("nodeSelectorTerms") or []:
        for field_ in term.get("matchFields") or []:
            if field_.get("key") == "metadata.name" and field_.get("values"):
                return str(field_["values"][0])
    return ""


def duplicate_nodes(pods: Iterable[Obj]) -> list[str]:
    """Nodes that two pods of one BroadcastJob (not terminating) run on."""
    return [n for n in duplicates(target_node(p) for p in pods if not terminating(p)) if n]


def too_few_ready(pods: Iterable[Obj], replicas: int, max_unavailable: int) -> str | None:
    """During an update: fewer than ``replicas - maxUnavailable`` live pods are ready."""
    count = sum(1 for p in pods if live(p) and ready(p))
    if count < replicas - max_unavailable:
        return f"{count} ready < {replicas} replicas - {max_unavailable} maxUnavailable"
    return None


def claim_names(pod: Obj) -> list[str]:
    volumes = (pod.get("spec") or {}).get("volumes") or []
    return [
        str(v["persistentVolumeClaim"]["claimName"])
        for v in volumes
        if v.get("persistentVolumeClaim")
    ]


def claim_problems(pods: Iterable[Obj], claims: Mapping[str, Obj], owners: set[str]) -> list[str]:
    """Claims of ready, live pods of ``owners`` (workload uids) that are orphaned (no owner
    reference at all, though the workload keeps its claims) or stolen (owned by another
    workload or pod, another CloneSet instance's, or mounted by pods of two workloads)."""
    problems: list[str] = []
    users: dict[str, set[str]] = {}
    for pod in pods:
        owner = controller_uid(pod)
        if owner not in owners or not live(pod):
            continue
        for name in claim_names(pod):
            users.setdefault(name, set()).add(owner)
            claim = claims.get(name)
            if claim is None or not ready(pod):
                continue
            problem = _claim_problem(pod, owner, claim)
            if problem:
                problems.append(f"claim {name} of pod {meta(pod).get('name')}: {problem}")
    problems += [
        f"claim {n} is mounted by pods of {sorted(u)}" for n, u in users.items() if len(u) > 1
    ]
    return problems


def _claim_problem(pod: Obj, owner: str, claim: Obj) -> str | None:
    refs = meta(claim).get("ownerReferences") or []
    if not refs:
        return "orphaned: no owner reference"
    others = [r for r in refs if r.get("uid") not in (owner, uid(pod))]
    if others:
        return f"stolen: owned by {[r.get('name') for r in others]}"
    pod_id = (meta(pod).get("labels") or {}).get(INSTANCE_ID)
    claim_id = (meta(claim).get("labels") or {}).get(INSTANCE_ID)
    if pod_id and claim_id and pod_id != claim_id:
        return f"stolen: instance {claim_id} mounted by instance {pod_id}"
    return None
