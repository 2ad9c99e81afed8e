"""An Advanced StatefulSet's status: counted from its pods, completed when a rolling
update is done, and written through the status subresource only when a field differs.

Counting follows OpenKruise v1.9: ``replicas`` counts created pods; ready and available
pods must be Running and Ready (available: for ``minReadySeconds``, in the ``Normal``
lifecycle state); ``currentReplicas`` and ``updatedReplicas`` count created pods that are
not terminating, by revision. Unlike v1.9, which only ever adds them, the
``FailedCreatePod`` and ``FailedUpdatePod`` conditions go once creating or updating pods
succeeds again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kruise.controller.statefulset.identity import ROLLING_UPDATE, revision_of
from kruise.controller.statefulset.podstate import is_created, running_and_available
from kruise.runtime.client import KubeObject
from kruise.util.pods import format_time, is_running_and_ready, is_terminating

COUNTS = (
    "replicas",
    "readyReplicas",
    "availableReplicas",
    "currentReplicas",
    "updatedReplicas",
    "updatedReadyReplicas",
    "updatedAvailableReplicas",
)

Pod = Mapping[str, Any]


def new_status(
    sts: Mapping[str, Any],
    *,
    current_revision: str,
    update_revision: str,
    collision_count: int,
    label_selector: str,
) -> KubeObject:
    """The status before pods are counted: generation, revisions, selector, and the
    conditions the stored status has."""
    status: KubeObject = {
        "observedGeneration": int((sts.get("metadata") or {}).get("generation") or 0),
        "currentRevision": current_revision,
        "updateRevision": update_revision,
        "collisionCount": collision_count,
        "labelSelector": label_selector,
    }
    status.update(dict.fromkeys(COUNTS, 0))
    conditions = (sts.get("status") or {}).get("conditions")
    if conditions:
        status["conditions"] = [dict(c) for c in conditions]
    return status


def count(
    status: KubeObject,
    pod_lists: Iterable[Iterable[Pod | None]],
    *,
    min_ready_seconds: int,
    now: float,
) -> None:
    """Set the counts of ``status`` (changed in place) from the pods in ``pod_lists``;
    None entries (reserved slots) are skipped."""
    counts = dict.fromkeys(COUNTS, 0)
    current, update = status["currentRevision"], status["updateRevision"]
    for pods in pod_lists:
        for pod in pods:
            if pod is not None:
                _count_one(counts, pod, (current, update), min_ready_seconds, now)
    status.update(counts)


def _count_one(
    counts: dict[str, int], pod: Pod, revisions: tuple[str, str], min_ready: int, now: float
) -> None:
    current, update = revisions
    created = is_created(pod)
    if created:
        counts["replicas"] += 1
    revision = revision_of(pod)
    if is_running_and_ready(pod):
        counts["readyReplicas"] += 1
        available, _ = running_and_available(pod, min_ready, now)
        counts["availableReplicas"] += int(available)
        if revision == update:
            counts["updatedReadyReplicas"] += 1
            counts["updatedAvailableReplicas"] += int(available)
    if created and not is_terminating(pod):
        counts["currentReplicas"] += int(revision == current)
        counts["updatedReplicas"] += int(revision == update)


def complete_rolling_update(sts: Mapping[str, Any], status: KubeObject) -> None:
    """Once every pod is updated and ready, the update revision becomes the current one."""
    kind = ((sts.get("spec") or {}).get("updateStrategy") or {}).get("type") or ROLLING_UPDATE
    if (
        kind == ROLLING_UPDATE
        and status["updatedReplicas"] == status["replicas"]
        and status["readyReplicas"] == status["replicas"]
    ):
        status["currentReplicas"] = status["updatedReplicas"]
        status["currentRevision"] = status["updateRevision"]


def set_condition(status: KubeObject, cond_type: str, message: str | None, wall: float) -> None:
    """Record ``message`` as a True condition of ``cond_type`` (keeping its transition time
    while it stays True); with no message, drop the condition."""
    old = next((c for c in status.get("conditions") or () if c.get("type") == cond_type), None)
    others = [c for c in status.get("conditions") or () if c.get("type") != cond_type]
    if message is not None:
        since = old.get("lastTransitionTime") if old and old.get("status") == "True" else None
        others.append(
            {
                "type": cond_type,
                "status": "True",
                "lastTransitionTime": since or format_time(wall),
                "message": message,
            }
        )
    if others:
        status["conditions"] = sorted(others, key=lambda c: str(c.get("type")))
    else:
        status.pop("conditions", None)


def changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """Whether writing ``new`` would change the stored status (a newer generation always
    does)."""
    old = old or {}
    if int(new.get("observedGeneration") or 0) > int(old.get("observedGeneration") or 0):
        return True
    if bool(old.get("conditions")) and not new.get("conditions"):
        return True
    return any(old.get(key) != value for key, value in new.items() if key != "observedGeneration")
