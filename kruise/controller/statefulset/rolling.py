"""The rolling-update pass of an Advanced StatefulSet (OpenKruise v1.9's
``rollingUpdateStatefulsetPods``), run after the pod-management pass for ``RollingUpdate``
sets that are not being deleted.

1. Wait while the cache lacks our in-place updates or pod writes.
2. Refresh every pod (``podstate.refresh_pod_state``); if a lifecycle state moved or a
   pod changed under us, stop: the pod's event brings the next pass. Refreshing goes on
   while paused.
3. ``paused`` stops here.
4. Count the unavailable pods (``rolling_budget``); delete pods labelled
   ``apps.kruise.io/specified-delete`` (highest ordinal first) as far as ``maxUnavailable``
   allows, whatever the partition.
5. Walk the pods in update order (``update_order``), skipping those at the update
   revision, and stop at the first one that would make more than ``maxUnavailable`` pods
   unavailable. Each picked pod is updated in place (``rolling_inplace``) or deleted; the
   pod-management pass of a later reconcile creates it again at the update revision.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from kruise.apis.apps.intstr import IntOrPercentError
from kruise.apis.apps.v1alpha1 import SPECIFIED_DELETE_LABEL
from kruise.controller.statefulset.context import Deps, RollingInput, RollingOutcome
from kruise.controller.statefulset.identity import revision_of
from kruise.controller.statefulset.podcontrol import delete_pod
from kruise.controller.statefulset.podstate import refresh_pod_state
from kruise.controller.statefulset.rolling_budget import Unavailable, soonest, unavailable_pods
from kruise.controller.statefulset.rolling_inplace import (
    InPlaceTarget,
    in_place_update_pod,
)
from kruise.controller.statefulset.update_order import RollingStrategy, pods_to_update, resolve
from kruise.runtime.client import Conflict, NotFound
from kruise.runtime.meta import labels_of, name_of, uid_of
from kruise.runtime.reconcile import ReconcileError
from kruise.util.pods import is_terminating

Pod = Mapping[str, Any]
_T = TypeVar("_T")


class InvalidStrategyError(ReconcileError):
    """The stored update strategy cannot be read (only a spec no webhook saw)."""


async def rolling_update(deps: Deps, work: RollingInput) -> RollingOutcome:
    """Move pods of ``work.set`` towards the update revision as far as the strategy allows."""
    spec = work.set.get("spec") or {}
    try:
        strategy = resolve(spec)
    except IntOrPercentError as err:
        field = "spec.updateStrategy.rollingUpdate.maxUnavailable"
        raise InvalidStrategyError(f"{field}: {err}") from err
    if strategy.on_delete:
        return RollingOutcome()
    waiting = _wait_for_cache(deps, work)
    if waiting is not None:
        return waiting
    update_name = name_of(work.update_revision)
    refreshed = await _gather([_refresh(deps, work, pod) for pod in work.pods])
    delay = 0.0
    for one in refreshed:
        delay = soonest(delay, one.delay)
    if strategy.paused or any(one.moved or one.stale for one in refreshed):
        return RollingOutcome(requeue_after=delay)
    replicas = _latest(work.replicas, [one.pod for one in refreshed])
    unavailable = unavailable_pods(replicas, work.min_ready_seconds, work.now)
    delay = soonest(delay, unavailable.wait)
    specified = await _delete_specified(deps, work, strategy, replicas, unavailable)
    plan = _plan(strategy, update_name, replicas, unavailable, specified)
    target = InPlaceTarget(work.key, work.set, strategy, work.update_revision, work.revisions)
    for pod, (dropped, pod_delay) in zip(
        plan, await _gather([_update_pod(deps, target, pod) for pod in plan]), strict=True
    ):
        delay = soonest(delay, pod_delay)
        if dropped and revision_of(pod) == name_of(work.current_revision):
            _count_down(work.status, "currentReplicas")
    return RollingOutcome(requeue_after=delay)


def _wait_for_cache(deps: Deps, work: RollingInput) -> RollingOutcome | None:
    """An outcome that waits while the cache lacks our in-place updates or pod writes;
    None when it shows them all. Their events wake the set; the requeue is the deadline
    after which the expectations expire."""
    expectations = deps.update_expectations
    update_name = name_of(work.update_revision)
    for pod in work.pods:
        expectations.observe_updated(work.key, update_name, pod)
    satisfied, waited, _ = expectations.is_satisfied(work.key)
    if not satisfied:
        return RollingOutcome(requeue_after=max(expectations.timeout - waited, 0.1))
    for pod in work.pods:
        satisfied, waited = deps.resource_versions.is_satisfied(pod)
        if not satisfied:
            return RollingOutcome(requeue_after=max(deps.resource_versions.timeout - waited, 0.1))
    return None


@dataclass(frozen=True)
class _Refreshed:
    pod: Pod
    delay: float = 0.0
    moved: bool = False
    stale: bool = False
    """The pod changed or went under us (a conflict): its own event brings the next pass."""


async def _refresh(deps: Deps, work: RollingInput, pod: Pod) -> _Refreshed:
    try:
        one = await refresh_pod_state(deps, work.set, pod, name_of(work.update_revision))
    except (Conflict, NotFound):
        return _Refreshed(pod, stale=True)
    return _Refreshed(one.pod, one.delay, one.moved)


def _latest(replicas: Sequence[Pod | None], refreshed: Sequence[Pod]) -> list[Pod | None]:
    """``replicas`` with each listed pod replaced by its refreshed copy."""
    by_uid = {uid_of(pod): pod for pod in refreshed}
    return [None if pod is None else by_uid.get(uid_of(pod), pod) for pod in replicas]


async def _delete_specified(
    deps: Deps,
    work: RollingInput,
    strategy: RollingStrategy,
    replicas: Sequence[Pod | None],
    unavailable: Unavailable,
) -> set[str]:
    """Delete pods marked ``apps.kruise.io/specified-delete``, highest ordinal first,
    within ``maxUnavailable``; the names of those taken care of."""
    specified: set[str] = set()
    for pod in reversed(replicas):
        if pod is None or SPECIFIED_DELETE_LABEL not in labels_of(pod):
            continue
        if unavailable.blocks(pod, strategy.max_unavailable):
            continue
        name = name_of(pod)
        specified.add(name)
        unavailable.names.add(name)
        if not uid_of(pod) or is_terminating(pod):
            continue
        if await delete_pod(deps, work.set, pod):
            if revision_of(pod) == name_of(work.current_revision):
                _count_down(work.status, "currentReplicas")
            elif revision_of(pod) == name_of(work.update_revision):
                _count_down(work.status, "updatedReplicas")
    return specified


def _plan(
    strategy: RollingStrategy,
    update_name: str,
    replicas: Sequence[Pod | None],
    unavailable: Unavailable,
    specified: set[str],
) -> list[Pod]:
    """The pods to update in this pass, in update order."""
    plan: list[Pod] = []
    for index in pods_to_update(strategy, update_name, replicas):
        pod = replicas[index]
        assert pod is not None
        if revision_of(pod) == update_name:
            continue
        if unavailable.blocks(pod, strategy.max_unavailable):
            break
        name = name_of(pod)
        # A pod being deleted, or only just created, is already on its way.
        if name not in specified and not is_terminating(pod) and uid_of(pod):
            plan.append(pod)
        unavailable.names.add(name)
    return plan


async def _update_pod(deps: Deps, target: InPlaceTarget, pod: Pod) -> tuple[bool, float]:
    """Update ``pod`` in place, or else delete it; (it left its revision, requeue delay)."""
    result = await in_place_update_pod(deps, target, pod)
    if result.in_place:
        return True, result.delay
    return await delete_pod(deps, target.set, pod), 0.0


def _count_down(status: dict[str, Any], field: str) -> None:
    status[field] = int(status.get(field) or 0) - 1


async def _gather(steps: Sequence[Awaitable[_T]]) -> list[_T]:
    """Run ``steps`` together; after all finish, raise the first failure if any."""
    outcomes = await asyncio.gather(*steps, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return cast(list[_T], outcomes)
