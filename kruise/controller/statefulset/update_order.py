"""Which pods of an Advanced StatefulSet a rolling update may touch, and in what order,
resolved from the spec once per pass (OpenKruise v1.9's ``sortPodsToUpdate``).

``replicas`` is the set's ordinal range, indexed by ``ordinal - start``, with None at a
reserved ordinal. ``partition`` counts pods, not ordinals: the update reaches the
``replicas - partition`` pods with the highest ordinals and keeps the rest at their
revisions, so reserving an ordinal never changes how many pods an update may reach.

- Ordered (no ``unorderedUpdate``): highest ordinal first.
- Unordered (``unorderedUpdate``, only with ``Parallel``): pods already updated or
  terminating first, then the others by ``priorityStrategy``, ties highest ordinal first;
  the list is cut after ``replicas - partition`` pods, so the updated ones use up the
  quota before any other pod is picked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.intstr import statefulset_max_unavailable
from kruise.apis.apps.v1alpha1 import ON_DELETE_STRATEGY_TYPE, RECREATE
from kruise.controller.statefulset.identity import revision_of
from kruise.util.pods import is_terminating
from kruise.util.rollout import replicas_of
from kruise.util.updatesort import sort_by_priority

Pod = Mapping[str, Any]


@dataclass(frozen=True)
class RollingStrategy:
    """``spec.updateStrategy`` with its int-or-percent values resolved."""

    on_delete: bool = False
    replicas: int = 1
    partition: int = 0
    max_unavailable: int = 1
    """Pods the update may make unavailable: a percentage of replicas rounded down, at
    least 1."""
    pod_update_policy: str = RECREATE
    paused: bool = False
    grace_seconds: int = 0
    """``inPlaceUpdateStrategy.gracePeriodSeconds``."""
    unordered: bool = False
    priority: Mapping[str, Any] | None = None
    """``unorderedUpdate.priorityStrategy``."""


def resolve(spec: Mapping[str, Any]) -> RollingStrategy:
    """The strategy of a set's ``spec``; raises ``IntOrPercentError`` for a malformed
    ``maxUnavailable``. Without ``rollingUpdate``: partition 0 and one pod at a time."""
    update = spec.get("updateStrategy") or {}
    replicas = replicas_of(spec)
    rolling = update.get("rollingUpdate")
    on_delete = update.get("type") == ON_DELETE_STRATEGY_TYPE
    if rolling is None:
        return RollingStrategy(on_delete=on_delete, replicas=replicas)
    unordered = rolling.get("unorderedUpdate")
    in_place = rolling.get("inPlaceUpdateStrategy") or {}
    return RollingStrategy(
        on_delete=on_delete,
        replicas=replicas,
        partition=int(rolling.get("partition") or 0),
        max_unavailable=statefulset_max_unavailable(rolling.get("maxUnavailable"), replicas),
        pod_update_policy=str(rolling.get("podUpdatePolicy") or RECREATE),
        paused=bool(rolling.get("paused")),
        grace_seconds=int(in_place.get("gracePeriodSeconds") or 0),
        unordered=unordered is not None,
        priority=(unordered or {}).get("priorityStrategy"),
    )


def pods_to_update(
    strategy: RollingStrategy, update_revision: str, replicas: Sequence[Pod | None]
) -> list[int]:
    """Indexes into ``replicas`` of the pods the update may reach, first to update first.
    Pods already at ``update_revision`` are among them: the caller skips those."""
    quota = strategy.replicas - strategy.partition
    if quota <= 0:
        return []
    if not strategy.unordered:
        ordered: list[int] = []
        for index in range(len(replicas) - 1, strategy.partition - 1, -1):
            if len(ordered) >= quota:
                break
            if replicas[index] is not None:
                ordered.append(index)
        return ordered
    done: list[int] = []
    waiting: list[int] = []
    for index in range(len(replicas) - 1, -1, -1):
        pod = replicas[index]
        if pod is None:
            continue
        if is_terminating(pod) or revision_of(pod) == update_revision:
            done.append(index)
        else:
            waiting.append(index)
    if strategy.priority:
        waiting = sort_by_priority(replicas, waiting, strategy.priority)
    return (done + waiting)[:quota]
