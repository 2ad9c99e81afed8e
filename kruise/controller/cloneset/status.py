"""A CloneSet's status: computed from the pods read at the start of a reconcile, written
through the status subresource only when something in it changed.

Beyond OpenKruise v0.7.0: conditions are merged by type and compared like every other
field (v0.7.0 appended them and lost them unless another field changed), a condition
goes once its phase succeeds again, and ``currentRevision`` is reported (OpenKruise
v0.8.0 added it).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from kruise.apis.apps.v1alpha1 import CLONESET_FAILED_SCALE, CLONESET_FAILED_UPDATE
from kruise.controller.cloneset.sync.calculate import revision_of
from kruise.runtime import labels
from kruise.runtime.client import KubeObject
from kruise.util.pods import (
    format_time,
    is_running_and_available,
    is_running_and_ready,
)
from kruise.util.rollout import min_ready_seconds_of

CONDITION_TYPES = (CLONESET_FAILED_SCALE, CLONESET_FAILED_UPDATE)


def selector_string(cloneset: Mapping[str, Any]) -> str:
    """``spec.selector`` as the scale subresource (and so an HPA) wants it."""
    return str(labels.from_label_selector((cloneset.get("spec") or {}).get("selector")))


def calculate(
    cloneset: Mapping[str, Any],
    pods: Sequence[Mapping[str, Any]],
    *,
    current_revision: str,
    update_revision: str,
    collision_count: int,
    now: float,
) -> KubeObject:
    """The status fields the controller owns (conditions are set by ``set_condition``)."""
    spec = cloneset.get("spec") or {}
    min_ready = min_ready_seconds_of(spec)
    updated = [p for p in pods if revision_of(p) == update_revision]
    status: KubeObject = {
        "observedGeneration": int((cloneset.get("metadata") or {}).get("generation") or 0),
        "replicas": len(pods),
        "readyReplicas": sum(1 for p in pods if is_running_and_ready(p)),
        "availableReplicas": sum(1 for p in pods if is_running_and_available(p, min_ready, now)),
        "updatedReplicas": len(updated),
        "updatedReadyReplicas": sum(1 for p in updated if is_running_and_ready(p)),
        "updateRevision": update_revision,
        "currentRevision": current_revision,
        "collisionCount": collision_count,
        "labelSelector": selector_string(cloneset),
    }
    old = cloneset.get("status") or {}
    if old.get("conditions"):
        status["conditions"] = copy.deepcopy(old["conditions"])
    return status


def set_condition(status: KubeObject, cond_type: str, error: Exception | None, wall: float) -> None:
    """Record ``error`` as a True condition of ``cond_type``; with no error, drop it."""
    conditions = [c for c in status.get("conditions") or () if c.get("type") != cond_type]
    if error is not None:
        old = next((c for c in status.get("conditions") or () if c.get("type") == cond_type), None)
        message = str(error) or type(error).__name__
        since = old.get("lastTransitionTime") if old and old.get("status") == "True" else None
        conditions.append(
            {
                "type": cond_type,
                "status": "True",
                "lastTransitionTime": since or format_time(wall),
                "message": message,
            }
        )
    if conditions:
        status["conditions"] = sorted(conditions, key=lambda c: str(c.get("type")))
    else:
        status.pop("conditions", None)


def changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """Whether writing ``new`` would change the stored status."""
    old = old or {}
    if int(new.get("observedGeneration") or 0) > int(old.get("observedGeneration") or 0):
        return True
    return any(
        old.get(key) != value for key, value in new.items() if key != "observedGeneration"
    ) or (bool(old.get("conditions")) and not new.get("conditions"))
