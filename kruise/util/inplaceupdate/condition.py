"""The ``InPlaceUpdateReady`` readiness gate and its pod condition.

Pods that carry the gate are kept out of Service endpoints while an in-place update
runs: the condition goes False before images change and True once the update is
complete. Because a kubelet may be slow to react, the ``Ready`` condition is recomputed
in the same status write, as the kubelet would compute it: False while any gate's
condition is missing or not True, True once all are True and the containers are ready.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kruise.runtime.client import PODS, Client, KubeObject, PatchType
from kruise.runtime.clock import Clock, RealClock
from kruise.util.inplaceupdate.names import (
    CONDITION_TYPE,
    READINESS_GATES_NOT_READY,
    START_REASON,
)
from kruise.util.inplaceupdate.state import format_time

Condition = dict[str, Any]


def has_readiness_gate(pod: Mapping[str, Any]) -> bool:
    # A plain loop: asked for every pod on every reconcile, and any() over a generator
    # costs more than the gates it looks at.
    for gate in (pod.get("spec") or {}).get("readinessGates") or ():
        if gate.get("conditionType") == CONDITION_TYPE:
            return True
    return False


def inject_readiness_gate(obj: dict[str, Any]) -> None:
    """Add the gate to a pod or pod template (changed in place) unless it is there."""
    spec = obj.setdefault("spec", {})
    gates = spec.get("readinessGates") or []
    if not any(gate.get("conditionType") == CONDITION_TYPE for gate in gates):
        spec["readinessGates"] = [*gates, {"conditionType": CONDITION_TYPE}]


def get_condition(pod: Mapping[str, Any], kind: str = CONDITION_TYPE) -> Condition | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == kind:
            return dict(condition)
    return None


def is_in_place_update_ready(pod: Mapping[str, Any]) -> bool:
    """True unless the pod's InPlaceUpdateReady condition exists and is not True."""
    condition = get_condition(pod)
    return condition is None or condition.get("status") == "True"


def conditions_with(
    pod: Mapping[str, Any], status: str, *, reason: str = "", now: str
) -> list[Condition] | None:
    """The pod's conditions with InPlaceUpdateReady set to ``status`` and Ready
    recomputed; None when neither changes."""
    conditions = [dict(c) for c in (pod.get("status") or {}).get("conditions") or []]
    target: Condition = {"type": CONDITION_TYPE, "status": status, "lastTransitionTime": now}
    if reason:
        target["reason"] = reason
    changed = _set(conditions, target)
    changed = _recompute_ready(pod, conditions, now) or changed
    return conditions if changed else None


async def mark_not_ready(
    client: Client, pod: KubeObject, *, clock: Clock | None = None
) -> KubeObject:
    """Set InPlaceUpdateReady False (reason StartInPlaceUpdate) through the status
    subresource; returns the pod as written, or ``pod`` when nothing changed."""
    return await _write(client, pod, "False", START_REASON, clock or RealClock())


async def mark_ready(client: Client, pod: KubeObject, *, clock: Clock | None = None) -> KubeObject:
    """Set InPlaceUpdateReady True; returns the pod as written, or ``pod`` unchanged."""
    return await _write(client, pod, "True", "", clock or RealClock())


async def mark_created_ready(
    client: Client, pod: KubeObject, *, clock: Clock | None = None
) -> KubeObject:
    """Set InPlaceUpdateReady True on a pod just created with the gate; the pod as
    written.

    A new pod has no in-place update to wait for, so the refresh of a later pass would
    set the same condition. Setting it right after the create lets the kubelet (or any
    node agent) find it on its first status write instead of a second. The strategic
    merge patch touches only this condition, so whatever the scheduler or the node wrote
    meanwhile stays, and no resourceVersion is needed.
    """
    now = format_time((clock or RealClock()).wall())
    condition = {"type": CONDITION_TYPE, "status": "True", "lastTransitionTime": now}
    return await _patch_status(client, pod, {"conditions": [condition]}, PatchType.STRATEGIC)


async def _write(
    client: Client, pod: KubeObject, status: str, reason: str, clock: Clock
) -> KubeObject:
    conditions = conditions_with(pod, status, reason=reason, now=format_time(clock.wall()))
    if conditions is None:
        return pod
    metadata = pod.get("metadata") or {}
    # The whole list is replaced; the resourceVersion makes a stale read fail with Conflict
    # instead of dropping a condition someone else wrote meanwhile.
    return await _patch_status(
        client,
        pod,
        {"conditions": conditions},
        PatchType.MERGE,
        resource_version=metadata.get("resourceVersion"),
    )


async def _patch_status(
    client: Client,
    pod: KubeObject,
    status: KubeObject,
    patch_type: PatchType,
    *,
    resource_version: str | None = None,
) -> KubeObject:
    """Patch the pod's status subresource with ``status`` (guarded by
    ``resource_version`` when given); the pod as written."""
    metadata = pod.get("metadata") or {}
    patch: KubeObject = {"status": status}
    if resource_version:
        patch["metadata"] = {"resourceVersion": resource_version}
    return await client.patch(
        PODS,
        metadata["name"],
        patch,
        metadata.get("namespace"),
        patch_type=patch_type,
        subresource="status",
    )


def _set(conditions: list[Condition], target: Condition) -> bool:
    """Put ``target`` in the list unless a condition of its type has its status already."""
    for i, condition in enumerate(conditions):
        if condition.get("type") == target["type"]:
            if condition.get("status") == target["status"]:
                return False
            conditions[i] = target
            return True
    conditions.append(target)
    return True


def _recompute_ready(pod: Mapping[str, Any], conditions: list[Condition], now: str) -> bool:
    by_type = {c.get("type"): c for c in conditions}
    containers_ready = by_type.get("ContainersReady")
    if "Ready" not in by_type or not containers_ready or containers_ready.get("status") != "True":
        # Without container readiness the kubelet owns Ready; leave it alone.
        return False
    unready = []
    for gate in (pod.get("spec") or {}).get("readinessGates") or []:
        kind = gate.get("conditionType")
        condition = by_type.get(kind)
        if condition is None:
            unready.append(
                f'corresponding condition of pod readiness gate "{kind}" does not exist.'
            )
        elif condition.get("status") != "True":
            unready.append(
                f'the status of pod readiness gate "{kind}" is not "True", '
                f"but {condition.get('status')}"
            )
    ready: Condition = {"type": "Ready", "status": "True", "lastTransitionTime": now}
    if unready:
        ready.update(status="False", reason=READINESS_GATES_NOT_READY, message=", ".join(unready))
    return _set(conditions, ready)
