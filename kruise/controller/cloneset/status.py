"""A CloneSet's status: computed from the pods read at the start of a reconcile, written
through the status subresource only when something in it changed.

Beyond OpenKruise v0.7.0: conditions are merged by type and compared like every other
field (v0.7.0 appended them and lost them unless another field changed), a condition
goes once its phase succeeds again, and ``currentRevision`` is reported (OpenKruise
v0.8.0 added it).

From later OpenKruise (v1.9): a pod counts as available only in the ``Normal`` lifecycle
state (or none) and not held by an in-place update; ``updatedAvailableReplicas``,
``expectedUpdatedReplicas``; and, with ``spec.progressDeadlineSeconds``, the
``Progressing`` condition (``progressing`` below, which says where it differs from v1.9).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from kruise.apis.apps.intstr import MAX_INT32, cloneset_partition
from kruise.apis.apps.v1alpha1 import (
    CLONESET_AVAILABLE,
    CLONESET_FAILED_SCALE,
    CLONESET_FAILED_UPDATE,
    CLONESET_PROGRESS_DEADLINE_EXCEEDED,
    CLONESET_PROGRESS_PARTITION_AVAILABLE,
    CLONESET_PROGRESS_PAUSED,
    CLONESET_PROGRESS_UPDATED,
    CLONESET_PROGRESSING,
)
from kruise.controller.cloneset.sync.calculate import is_update_ready, revision_of
from kruise.runtime import labels
from kruise.runtime.client import ApiError, KubeObject
from kruise.util.pods import (
    format_time,
    is_running_and_ready,
    parse_time,
)
from kruise.util.rollout import min_ready_seconds_of, replicas_of

CONDITION_TYPES = (CLONESET_FAILED_SCALE, CLONESET_FAILED_UPDATE)


def selector_string(cloneset: Mapping[str, Any]) -> str:
    """``spec.selector`` as the scale subresource (and so an HPA) wants it."""
    return str(labels.from_label_selector((cloneset.get("spec") or {}).get("selector")))


def _count(
    pods: Sequence[Mapping[str, Any]], update_revision: str, min_ready: int, now: float
) -> tuple[int, int, int, int, int]:
    """(ready, available, updated, updated ready, updated available) in one pass: each
    pod's conditions are read once per status, not once per field."""
    ready = available = updated = updated_ready = updated_available = 0
    for pod in pods:
        is_ready = is_running_and_ready(pod)
        # Available (is_update_ready) implies running and ready.
        is_available = is_ready and is_update_ready(pod, min_ready, now)
        ready += is_ready
        available += is_available
        if revision_of(pod) == update_revision:
            updated += 1
            updated_ready += is_ready
            updated_available += is_available
    return ready, available, updated, updated_ready, updated_available


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
    counts = _count(pods, update_revision, min_ready_seconds_of(spec), now)
    status: KubeObject = {
        "observedGeneration": int((cloneset.get("metadata") or {}).get("generation") or 0),
        "replicas": len(pods),
        "readyReplicas": counts[0],
        "availableReplicas": counts[1],
        "updatedReplicas": counts[2],
        "updatedReadyReplicas": counts[3],
        "updatedAvailableReplicas": counts[4],
        "expectedUpdatedReplicas": expected_updated_replicas(spec),
        "updateRevision": update_revision,
        "currentRevision": current_revision,
        "collisionCount": collision_count,
        "labelSelector": selector_string(cloneset),
    }
    old = cloneset.get("status") or {}
    if old.get("conditions"):
        status["conditions"] = copy.deepcopy(old["conditions"])
    return status


def expected_updated_replicas(spec: Mapping[str, Any]) -> int:
    """Pods the update should move to the update revision: replicas less the partition
    (a malformed partition, which the webhook refuses, counts as none)."""
    replicas = replicas_of(spec)
    try:
        partition = cloneset_partition(
            (spec.get("updateStrategy") or {}).get("partition"), replicas
        )
    except (ValueError, TypeError):
        partition = 0
    return max(replicas - min(partition, replicas), 0)


def error_text(error: Exception) -> str:
    """What a condition says about ``error``: for the API server's refusal its own message
    (``pods "web-x" is forbidden: exceeded quota: ...``), as OpenKruise's conditions say."""
    if isinstance(error, ApiError) and error.message:
        return error.message
    return str(error) or type(error).__name__


def set_condition(status: KubeObject, cond_type: str, error: Exception | None, wall: float) -> None:
    """Record ``error`` as a True condition of ``cond_type``; with no error, drop it."""
    conditions = [c for c in status.get("conditions") or () if c.get("type") != cond_type]
    if error is not None:
        old = next((c for c in status.get("conditions") or () if c.get("type") == cond_type), None)
        message = error_text(error)
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


def progress_deadline_of(spec: Mapping[str, Any]) -> int | None:
    """``spec.progressDeadlineSeconds``; None when unset or maxInt32, which both mean no
    deadline (and no Progressing condition)."""
    value = spec.get("progressDeadlineSeconds")
    if value is None or int(value) == MAX_INT32:
        return None
    return int(value)


def progressing(cloneset: Mapping[str, Any], status: KubeObject, wall: float) -> float | None:
    """Set the ``Progressing`` condition of ``status`` (computed for ``cloneset``), or drop
    it when the CloneSet has no progress deadline. Returns the seconds after which the
    deadline must be looked at again (while a rollout is under way), else None.

    The first of these that holds gives the condition, as in OpenKruise v1.9: every pod
    updated and available (``CloneSetAvailable``); updates paused (``CloneSetPaused``);
    the pods outside the partition updated and available
    (``ProgressPartitionAvailable``); the rollout past its deadline, False
    (``ProgressDeadlineExceeded``, which stays until one of the first three holds);
    otherwise under way (``CloneSetUpdated``). ``lastUpdateTime`` changes with the reason,
    and the deadline counts from the ``lastUpdateTime`` of ``CloneSetUpdated``, so a pause
    restarts it.

    Unlike v1.9, and like a Deployment, the deadline only ever measures a rollout under
    way: leaving ``CloneSetAvailable``, ``CloneSetPaused`` or ``ProgressPartitionAvailable``
    starts a new one (v1.9 measured from when that state began, so a CloneSet available
    for longer than the deadline timed out the moment a pod went away, and so did one
    resumed after a long pause); and a new update revision starts a new one, also after
    one was exceeded (v1.9 kept the old revision's ProgressDeadlineExceeded until the new
    one was available).
    """
    deadline = progress_deadline_of(cloneset.get("spec") or {})
    if deadline is None:
        _drop_condition(status, CLONESET_PROGRESSING)
        return None
    old = _find_condition(status, CLONESET_PROGRESSING)
    previous_revision = (cloneset.get("status") or {}).get("updateRevision")
    new_revision = previous_revision != status.get("updateRevision")
    timed_out = not new_revision and _deadline_passed(old, deadline, wall)
    state, reason, message = _progress(cloneset.get("spec") or {}, status, timed_out=timed_out)
    same = old is not None and old.get("status") == state and old.get("reason") == reason
    if same and not (new_revision and reason == CLONESET_PROGRESS_UPDATED):
        condition = dict(old or {})
    else:
        kept_since = old.get("lastTransitionTime") if old and old.get("status") == state else None
        condition = {
            "type": CLONESET_PROGRESSING,
            "status": state,
            "reason": reason,
            "message": message,
            "lastUpdateTime": format_time(wall),
            "lastTransitionTime": kept_since or format_time(wall),
        }
    _put_condition(status, condition)
    if reason != CLONESET_PROGRESS_UPDATED:
        return None
    since = parse_time(condition.get("lastUpdateTime"))
    # A second past the deadline, so the next look finds it passed.
    return (wall if since is None else since) + deadline - wall + 1.0


def _progress(
    spec: Mapping[str, Any], status: Mapping[str, Any], *, timed_out: bool
) -> tuple[str, str, str]:
    """The status, reason and message the Progressing condition should have."""
    replicas = replicas_of(spec)
    updated_available = int(status.get("updatedAvailableReplicas") or 0)
    expected = int(status.get("expectedUpdatedReplicas", replicas))
    if (
        status.get("currentRevision") == status.get("updateRevision")
        and status.get("replicas") == replicas
        and status.get("updatedReplicas") == replicas
        and updated_available == replicas
    ):
        return "True", CLONESET_AVAILABLE, "CloneSet is available"
    if (spec.get("updateStrategy") or {}).get("paused"):
        return "True", CLONESET_PROGRESS_PAUSED, "CloneSet is paused"
    if expected < replicas and expected <= updated_available:
        message = "CloneSet has been paused due to partition ready"
        return "True", CLONESET_PROGRESS_PARTITION_AVAILABLE, message
    if timed_out:
        message = f"CloneSet revision {status.get('updateRevision')} has timed out progressing"
        return "False", CLONESET_PROGRESS_DEADLINE_EXCEEDED, message
    return "True", CLONESET_PROGRESS_UPDATED, "CloneSet is progressing"


def _deadline_passed(old: Mapping[str, Any] | None, deadline: int, wall: float) -> bool:
    """Whether the rollout ``old`` describes has run out of time: it had, or it has been
    under way for longer than ``deadline`` seconds."""
    if old is None:
        return False
    if old.get("reason") == CLONESET_PROGRESS_DEADLINE_EXCEEDED:
        return True
    if old.get("reason") != CLONESET_PROGRESS_UPDATED:
        return False
    since = parse_time(old.get("lastUpdateTime"))
    return since is not None and since + deadline < wall


def _find_condition(status: Mapping[str, Any], cond_type: str) -> Mapping[str, Any] | None:
    return next((c for c in status.get("conditions") or () if c.get("type") == cond_type), None)


def _put_condition(status: KubeObject, condition: Mapping[str, Any]) -> None:
    """Replace the condition of ``condition``'s type; conditions stay sorted by type."""
    others = [c for c in status.get("conditions") or () if c.get("type") != condition["type"]]
    status["conditions"] = sorted([*others, condition], key=lambda c: str(c.get("type")))


def _drop_condition(status: KubeObject, cond_type: str) -> None:
    kept = [c for c in status.get("conditions") or () if c.get("type") != cond_type]
    if kept:
        status["conditions"] = kept
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
