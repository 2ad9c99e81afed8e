"""The numbers behind scaling and updating a CloneSet; pure functions of pods and of the
strategy already resolved from the spec (``sync.strategy``).

``calculate_diffs`` and ``choose_pods_to_delete`` follow OpenKruise v0.7.0's scale phase,
``update_count`` its update phase (``calculateUpdateCount``), including the worked
examples of its unit tests. ``deletable_specified`` is ours: v0.7.0 deletes every pod
named for deletion at once, we keep at least ``replicas - maxUnavailable`` pods ready.
From OpenKruise v1.x: ``scale_up_limit`` (``scaleStrategy.maxUnavailable``), pods in
``PreparingUpdate`` counted as updated while scaling (``is_pod_update``, behind the
``PreparingUpdateAsUpdate`` gate), and ``counted_for_surge`` (scalingExcludePreparingDelete).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.v1alpha1 import (
    CONTROLLER_REVISION_HASH_LABEL,
    IN_PLACE_UPDATE_READY,
    LIFECYCLE_PREPARING_DELETE,
    LIFECYCLE_PREPARING_UPDATE,
    SPECIFIED_DELETE_LABEL,
)
from kruise.runtime.meta import labels_of, name_of
from kruise.util import lifecycle
from kruise.util.pods import (
    get_pod_condition,
    is_running_and_available,
    is_running_and_ready,
    sort_active_pods,
)
from kruise.util.rollout import Rollout

Pod = Mapping[str, Any]


def revision_of(pod: Pod) -> str:
    labels = (pod.get("metadata") or {}).get("labels")
    value = labels.get(CONTROLLER_REVISION_HASH_LABEL) if labels else None
    return value if type(value) is str else str(value or "")


def is_pod_update(pod: Pod, update_revision: str, preparing_update_as_update: bool) -> bool:
    """Counts as an update-revision pod when scaling: at that revision, or (with
    ``preparing_update_as_update``) held by the inPlaceUpdate hook on its way there, so a
    pod recreated or added meanwhile keeps the old revision the partition asks for."""
    if preparing_update_as_update and lifecycle.state_of(pod) == LIFECYCLE_PREPARING_UPDATE:
        return True
    return revision_of(pod) == update_revision


def is_specified_delete(pod: Pod, pods_to_delete: Sequence[str] = ()) -> bool:
    """Marked for deletion: the label (any value) or a name in ``scaleStrategy.podsToDelete``."""
    if SPECIFIED_DELETE_LABEL in labels_of(pod):
        return True
    return bool(pods_to_delete) and name_of(pod) in pods_to_delete


@dataclass(frozen=True)
class ScaleDiffs:
    total: int
    """Pods above (> 0) or below (< 0) the number that should run now, surge included."""
    current_revision: int
    """Old-revision pods above (> 0) or below (< 0) the partition."""
    surge: int
    """Extra pods allowed now, because an update still has old pods to replace."""

    @property
    def current_revision_creations(self) -> int:
        """Of the pods to create, how many at the current (old) revision."""
        return max(0, min(-self.current_revision, -self.total))


def calculate_diffs(
    rollout: Rollout,
    pods: Sequence[Pod],
    current_revision: str,
    update_revision: str,
    *,
    preparing_update_as_update: bool = False,
) -> ScaleDiffs:
    replicas = rollout.replicas
    current_diff = surge = 0
    if update_revision != current_revision:
        not_updated = sum(
            1 for p in pods if not is_pod_update(p, update_revision, preparing_update_as_update)
        )
        current_diff = not_updated - min(rollout.partition, replicas)
        if current_diff > 0:
            surge = min(rollout.max_surge, current_diff)
    return ScaleDiffs(len(pods) - replicas - surge, current_diff, surge)


def choose_pods_to_delete(
    total: int, current_diff: int, not_updated: Sequence[Pod], updated: Sequence[Pod]
) -> list[Pod]:
    """Which pods a scale-in removes: old-revision pods above the partition first."""

    def take(group: Sequence[Pod], count: int) -> list[Pod]:
        if count >= len(group):
            return list(group)
        return sort_active_pods(group)[:count]

    if current_diff >= total:
        return take(not_updated, total)
    if current_diff > 0:
        return take(not_updated, current_diff) + take(updated, total - current_diff)
    return take(updated, total)


def surge_headroom(rollout: Rollout, active: int) -> int:
    """How many pods may still be created before there are replicas + maxSurge."""
    return max(0, rollout.replicas + rollout.max_surge - active)


def counted_for_surge(active: Sequence[Pod], exclude_preparing_delete: bool) -> int:
    """The active pods ``surge_headroom`` counts: all of them, or, with
    scalingExcludePreparingDelete, all but those a preDelete hook holds, so that those are
    replaced at once."""
    if not exclude_preparing_delete:
        return len(active)
    return sum(1 for p in active if lifecycle.state_of(p) != LIFECYCLE_PREPARING_DELETE)


def scale_up_limit(
    limit: int | None,
    pods: Sequence[Pod],
    *,
    min_ready_seconds: int,
    now: float,
    pods_to_delete: Sequence[str] = (),
) -> int | None:
    """How many pods scale-out may create now under ``scaleStrategy.maxUnavailable``
    (``limit``; None: no limit): the limit less the pods already unavailable.

    Unavailable, as OpenKruise v1.x counts them: pods in ``PreparingDelete``, and pods not
    marked for deletion that are not available (``is_update_ready``: ready for
    ``minReadySeconds``, not mid in-place update, in the ``Normal`` state, so a new pod
    still ``PreparingNormal`` counts). Pods marked for deletion are left out.
    """
    if limit is None:
        return None

    def unavailable(pod: Pod) -> bool:
        if lifecycle.state_of(pod) == LIFECYCLE_PREPARING_DELETE:
            return True
        if is_specified_delete(pod, pods_to_delete):
            return False
        return not is_update_ready(pod, min_ready_seconds, now)

    return max(limit - sum(1 for p in pods if unavailable(p)), 0)


def deletable_specified(
    rollout: Rollout, to_delete: Sequence[Pod], active: Sequence[Pod]
) -> list[Pod]:
    """Of the pods marked for deletion, the ones that may go now.

    Pods that are not ready always may; ready ones only while at least
    ``replicas - maxUnavailable`` ready pods remain, so a long ``podsToDelete`` list (or
    a recreate update) replaces pods in steps rather than all at once.
    """
    ready_total = sum(1 for p in active if is_running_and_ready(p))
    budget = ready_total - (rollout.replicas - rollout.max_unavailable)
    chosen: list[Pod] = []
    for pod in sort_active_pods(to_delete):
        if not is_running_and_ready(pod):
            chosen.append(pod)
        elif budget > 0:
            chosen.append(pod)
            budget -= 1
    return chosen


def is_update_ready(pod: Pod, min_ready_seconds: int, now: float) -> bool:
    """Counts as available for ``maxUnavailable``: running and available, not held by an
    in-place update, and in the ``Normal`` lifecycle state."""
    # The cheap label test first: this runs for every pod several times a reconcile.
    if not lifecycle.is_normal(pod):
        return False
    condition = get_pod_condition(pod, IN_PLACE_UPDATE_READY)
    if condition is not None and condition.get("status") != "True":
        return False
    return is_running_and_available(pod, min_ready_seconds, now)


def update_count(
    rollout: Rollout,
    candidates: Sequence[Pod],
    pods: Sequence[Pod],
    *,
    now: float,
    unavailable: Sequence[Pod] = (),
) -> int:
    """How many of ``candidates`` (in update order) to update in this pass.

    ``pods`` are all active pods; ``unavailable`` pods count as not ready whatever their
    status (pods already marked for deletion). Candidates that are not ready cost nothing;
    each ready one uses one unit of ``maxUnavailable`` plus the surge in use.
    """
    partition = rollout.partition
    if len(candidates) - partition <= 0:
        return 0
    candidates = candidates[: len(candidates) - partition]
    budget = rollout.max_unavailable + len(pods) - rollout.replicas
    min_ready = rollout.min_ready_seconds
    gone = {name_of(p) for p in unavailable}

    def ready(pod: Pod) -> bool:
        return name_of(pod) not in gone and is_update_ready(pod, min_ready, now)

    not_ready = sum(1 for p in pods if not ready(p))
    count = 0
    for pod in candidates:
        if ready(pod):
            if not_ready >= budget:
                break
            not_ready += 1
        count += 1
    return count
