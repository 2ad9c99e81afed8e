"""Pod phase and condition helpers, as Kubernetes' podutil and controller utilities define them.

Times are seconds since the epoch (``Clock.wall()``); timestamps in objects are RFC 3339
strings, and a missing or unreadable one counts as Go's zero time.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from kruise.runtime.client import KubeObject

POD_READY = "Ready"
POD_PENDING = "Pending"
POD_RUNNING = "Running"
POD_SUCCEEDED = "Succeeded"
POD_FAILED = "Failed"
POD_UNKNOWN = "Unknown"

# ActivePods ranks phases this way; any other phase ranks with Pending, as in Go.
_PHASE_RANK = {POD_PENDING: 0, POD_UNKNOWN: 1, POD_RUNNING: 2}
_FINISHED = frozenset((POD_SUCCEEDED, POD_FAILED))


def format_time(wall: float) -> str:
    """RFC 3339 in UTC to the second, as a metav1.Time is written."""
    return datetime.fromtimestamp(int(wall), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object) -> float | None:
    """Seconds since the epoch of an RFC 3339 time; None when absent or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _status(pod: Mapping[str, Any]) -> Mapping[str, Any]:
    return pod.get("status") or {}


def phase(pod: Mapping[str, Any]) -> str:
    status = pod.get("status")
    value = status.get("phase") if status else None
    return value if type(value) is str else str(value or "")


def get_condition(
    conditions: Iterable[Mapping[str, Any]] | None, cond_type: str
) -> Mapping[str, Any] | None:
    """The condition of type ``cond_type`` in a status' ``conditions`` list, if any."""
    for cond in conditions or ():
        if cond.get("type") == cond_type:
            return cond
    return None


def get_pod_condition(pod: Mapping[str, Any], cond_type: str) -> Mapping[str, Any] | None:
    # get_condition inlined: controllers call this for every pod on every reconcile.
    status = pod.get("status")
    conditions: Iterable[Mapping[str, Any]] = (status.get("conditions") if status else None) or ()
    for cond in conditions:
        if cond.get("type") == cond_type:
            return cond
    return None


def set_condition(
    conditions: Sequence[Mapping[str, Any]] | None, condition: Mapping[str, Any], now: float
) -> tuple[list[KubeObject], bool]:
    """Merge ``condition`` into ``conditions`` by type; returns (new list, changed).

    The input is left alone. A condition of a new type is appended. One that replaces a
    condition of the same status keeps its ``lastTransitionTime``; a change of status
    takes the given ``lastTransitionTime``, or ``now``. ``changed`` is False when nothing
    differs, so a caller can skip the status write.
    """
    new = dict(copy.deepcopy(condition))
    result = [dict(copy.deepcopy(c)) for c in conditions or ()]
    for i, old in enumerate(result):
        if old.get("type") != new.get("type"):
            continue
        if old.get("status") == new.get("status"):
            _set_or_drop(new, "lastTransitionTime", old.get("lastTransitionTime"))
        elif not new.get("lastTransitionTime"):
            new["lastTransitionTime"] = format_time(now)
        result[i] = new
        return result, new != old
    if not new.get("lastTransitionTime"):
        new["lastTransitionTime"] = format_time(now)
    result.append(new)
    return result, True


def _set_or_drop(obj: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        obj.pop(key, None)
    else:
        obj[key] = value


def remove_condition(
    conditions: Sequence[Mapping[str, Any]] | None, cond_type: str
) -> list[KubeObject]:
    """A copy of ``conditions`` without the ones of type ``cond_type``."""
    return [dict(copy.deepcopy(c)) for c in conditions or () if c.get("type") != cond_type]


def is_pod_ready(pod: Mapping[str, Any]) -> bool:
    """The Ready condition is True (podutil.IsPodReady; the phase is not looked at)."""
    cond = get_pod_condition(pod, POD_READY)
    return cond is not None and cond.get("status") == "True"


def is_running_and_ready(pod: Mapping[str, Any]) -> bool:
    """Running and Ready: what a CloneSet counts in ``readyReplicas``."""
    return phase(pod) == POD_RUNNING and is_pod_ready(pod)


def ready_since(pod: Mapping[str, Any]) -> float | None:
    """When a ready pod became ready (its Ready condition's lastTransitionTime), else None."""
    if not is_pod_ready(pod):
        return None
    cond = get_pod_condition(pod, POD_READY)
    return parse_time(cond.get("lastTransitionTime")) if cond else None


def is_pod_available(pod: Mapping[str, Any], min_ready_seconds: int, now: float) -> bool:
    """Ready, and ready for longer than ``min_ready_seconds`` (podutil.IsPodAvailable).

    As in Go the comparison is strict, and with a positive ``min_ready_seconds`` a ready
    pod without a transition time is not available.
    """
    if not is_pod_ready(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    since = ready_since(pod)
    return since is not None and since + min_ready_seconds < now


def is_running_and_available(pod: Mapping[str, Any], min_ready_seconds: int, now: float) -> bool:
    """Running and available: what a CloneSet counts in ``availableReplicas``."""
    return phase(pod) == POD_RUNNING and is_pod_available(pod, min_ready_seconds, now)


def is_terminating(pod: Mapping[str, Any]) -> bool:
    """Deletion has been requested (``metadata.deletionTimestamp`` is set)."""
    return bool((pod.get("metadata") or {}).get("deletionTimestamp"))


def is_active(pod: Mapping[str, Any]) -> bool:
    """Neither finished (Succeeded, Failed) nor terminating (controller.IsPodActive)."""
    return phase(pod) not in _FINISHED and not is_terminating(pod)


def filter_active(pods: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [p for p in pods if is_active(p)]


def max_container_restarts(pod: Mapping[str, Any]) -> int:
    """The highest ``restartCount`` among the pod's containers (init containers aside)."""
    counts = (int(s.get("restartCount") or 0) for s in _status(pod).get("containerStatuses") or ())
    return max(counts, default=0)


def _zero_first_newest_first(wall: float | None) -> tuple[int, float]:
    # Go's afterOrZero: the zero time sorts first, then later times before earlier ones.
    return (0, 0.0) if wall is None else (1, -wall)


def active_pods_key(pod: Mapping[str, Any]) -> tuple[Any, ...]:
    """Sort key for Kubernetes' ActivePods order: the pods to delete first sort first.

    Unassigned before assigned; Pending < Unknown < Running; not ready before ready;
    among ready pods, the most recently ready first (no ready time first of all); more
    container restarts before fewer; newer before older (no creation time first).
    """
    ready = is_pod_ready(pod)
    created = parse_time((pod.get("metadata") or {}).get("creationTimestamp"))
    return (
        bool((pod.get("spec") or {}).get("nodeName")),
        _PHASE_RANK.get(phase(pod), 0),
        ready,
        _zero_first_newest_first(ready_since(pod)) if ready else (0, 0.0),
        -max_container_restarts(pod),
        _zero_first_newest_first(created),
    )


def sort_active_pods(pods: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The pods in ActivePods order (stable: ties keep their input order)."""
    return sorted(pods, key=active_pods_key)
