"""The update phase: move pods to the update revision, in place or by recreation.

Each pass refreshes every pod (finishes in-place updates and lifecycle transitions), then
picks the candidates in update order and updates as many as ``partition``,
``maxUnavailable`` and ``maxSurge`` allow. A recreation only marks the pod with
``apps.kruise.io/specified-delete``; the scale phase of a later pass replaces it.

With ``updateStrategy.type: OnDelete`` (OpenKruise v1.9) the pass stops after refreshing:
no pod is updated here, and a pod someone deletes is replaced by the scale phase at the
update revision (or at the current one while fewer old pods than ``partition`` remain).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from kruise.apis.apps.v1alpha1 import (
    IN_PLACE_IF_POSSIBLE,
    IN_PLACE_ONLY,
    LIFECYCLE_NORMAL,
    LIFECYCLE_PREPARING_DELETE,
    LIFECYCLE_PREPARING_NORMAL,
    LIFECYCLE_PREPARING_UPDATE,
    LIFECYCLE_UPDATED,
    LIFECYCLE_UPDATING,
    ON_DELETE_STRATEGY_TYPE,
    SPECIFIED_DELETE_LABEL,
)
from kruise.controller.cloneset.sync.calculate import (
    is_specified_delete,
    revision_of,
    update_count,
)
from kruise.controller.cloneset.sync.context import Deps, SyncInput, set_lifecycle_state
from kruise.runtime.client import PODS, ClientError, Conflict, NotFound, PatchType
from kruise.runtime.meta import name_of
from kruise.runtime.reconcile import ReconcileError
from kruise.util import lifecycle
from kruise.util.inplaceupdate import (
    Outcome,
    check_completed,
    has_pending_grace,
    refresh_pending,
    spec_from_revisions,
)
from kruise.util.pods import active_pods_key
from kruise.util.updatesort import sort_by_priority, sort_by_scatter

Pod = Mapping[str, Any]


class InPlaceOnlyError(ReconcileError):
    """The update strategy is InPlaceOnly but the change cannot be made in place."""


def _soonest(a: float, b: float) -> float:
    """The smaller of two delays, where 0 means none."""
    if a <= 0:
        return b
    if b <= 0:
        return a
    return min(a, b)


async def update(deps: Deps, sync: SyncInput) -> float:
    """Run the update phase; returns seconds until it wants another pass (0: none)."""
    # Refreshing goes on while paused (unlike v0.7.0): new pods still need their
    # InPlaceUpdateReady condition to become ready, and started updates to finish.
    refreshed = await _refresh_all(deps, sync.spec, sync.active)
    delay = 0.0
    for one in refreshed:
        delay = _soonest(delay, one.delay)
    strategy = sync.strategy
    on_delete = strategy.update_type == ON_DELETE_STRATEGY_TYPE
    if on_delete or strategy.paused or any(one.moved for one in refreshed):
        return delay
    pods = [one.pod for one in refreshed]

    names = strategy.pods_to_delete
    # Pods on their way out, and pods we could not refresh, count as unavailable.
    leaving = [p for p in pods if is_specified_delete(p, names)]
    leaving += [one.pod for one in refreshed if one.stale]
    stale = {name_of(one.pod) for one in refreshed if one.stale}
    candidates = [
        i
        for i, p in enumerate(pods)
        if _waits_for_update(p, sync, names) and name_of(p) not in stale
    ]
    ordered = [pods[i] for i in update_order(sync.spec, pods, candidates)]
    count = update_count(strategy, ordered, pods, now=deps.clock.wall(), unavailable=leaving)
    for pod_delay in await _gather([_update_pod(deps, sync, pod) for pod in ordered[:count]]):
        delay = _soonest(delay, pod_delay)
    return delay


_T = TypeVar("_T")


async def _gather(steps: Sequence[Awaitable[_T]]) -> list[_T]:
    """Run ``steps`` together; after all finish, raise the first failure if any."""
    outcomes = await asyncio.gather(*steps, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return cast(list[_T], outcomes)


async def _refresh_all(deps: Deps, spec: Mapping[str, Any], pods: Sequence[Pod]) -> list[Refreshed]:
    """``_refresh`` of every pod, in order. Settled pods (nothing for the updater, no
    lifecycle move) are answered at once: a task per pod per pass is what made a pass
    over thousands of pods cost more than the pods' own work."""
    results: list[Refreshed | None] = []
    steps: list[Awaitable[Refreshed]] = []
    for pod in pods:
        if refresh_pending(pod) or next_lifecycle_state(spec, pod) is not None:
            results.append(None)
            steps.append(_refresh(deps, spec, pod))
        else:
            results.append(Refreshed(pod))
    if not steps:
        return cast(list[Refreshed], results)
    done = iter(await _gather(steps))
    return [one if one is not None else next(done) for one in results]


async def _refresh(deps: Deps, spec: Mapping[str, Any], pod: Pod) -> Refreshed:
    """The pod after finishing what its in-place update needs, the delay until it needs
    more, and whether its lifecycle state moved. A pod that changed under us (a conflict)
    comes back stale: its own event brings the next pass."""
    try:
        refreshed = await deps.updater.refresh(dict(pod))
        state = next_lifecycle_state(spec, refreshed.pod)
        if state is not None:
            await set_lifecycle_state(deps, refreshed.pod, state)
    except (Conflict, NotFound):
        return Refreshed(pod, stale=True)
    return Refreshed(refreshed.pod, refreshed.requeue_after, moved=state is not None)


@dataclass(frozen=True)
class Refreshed:
    pod: Pod
    delay: float = 0.0
    moved: bool = False
    stale: bool = False


def _waits_for_update(pod: Pod, sync: SyncInput, names: Sequence[str]) -> bool:
    if revision_of(pod) == sync.revisions.update_name:
        return False
    if lifecycle.state_of(pod) in (LIFECYCLE_PREPARING_DELETE, LIFECYCLE_UPDATED):
        return False
    # A pod marked for deletion is already on its way to the new revision.
    return not has_pending_grace(pod) and not is_specified_delete(pod, names)


def update_order(spec: Mapping[str, Any], pods: Sequence[Pod], candidates: list[int]) -> list[int]:
    """Candidate indexes in update order: ActivePods order, then priority, then scatter,
    and pods already ``PreparingUpdate`` first."""
    strategy = spec.get("updateStrategy") or {}
    order = sorted(candidates, key=lambda i: active_pods_key(pods[i]))
    if strategy.get("priorityStrategy"):
        order = sort_by_priority(pods, order, strategy["priorityStrategy"])
    if strategy.get("scatterStrategy"):
        order = sort_by_scatter(pods, order, strategy["scatterStrategy"])
    return sorted(order, key=lambda i: lifecycle.state_of(pods[i]) != LIFECYCLE_PREPARING_UPDATE)


def next_lifecycle_state(spec: Mapping[str, Any], pod: Pod) -> str | None:
    """The lifecycle state ``pod`` moves to now, if any (once created, after an in-place
    update)."""
    hooks = spec.get("lifecycle")
    hook = (hooks or {}).get("inPlaceUpdate")
    state = lifecycle.state_of(pod)
    if state == LIFECYCLE_PREPARING_NORMAL:
        return LIFECYCLE_NORMAL if lifecycle.may_become_normal(hooks, pod) else None
    if state == LIFECYCLE_UPDATING and check_completed(pod).done:
        if hooks is not None and not lifecycle.is_hooked(pod, hook):
            return LIFECYCLE_UPDATED
        return LIFECYCLE_NORMAL
    if state == LIFECYCLE_UPDATED and (
        hooks is None or hook is None or lifecycle.is_hooked(pod, hook)
    ):
        return LIFECYCLE_NORMAL
    return None


async def _update_pod(deps: Deps, sync: SyncInput, pod: Pod) -> float:
    cloneset = dict(sync.cloneset)
    kind = sync.strategy.update_type
    revisions = sync.revisions
    if kind in (IN_PLACE_IF_POSSIBLE, IN_PLACE_ONLY):
        spec = spec_from_revisions(revisions.by_name(revision_of(pod)), revisions.update)
        if spec is not None:
            hook = (sync.spec.get("lifecycle") or {}).get("inPlaceUpdate")
            if lifecycle.is_hooked(pod, hook):
                if lifecycle.state_of(pod) != LIFECYCLE_PREPARING_UPDATE:
                    await set_lifecycle_state(deps, pod, LIFECYCLE_PREPARING_UPDATE)
                return 0.0
            grace = sync.strategy.in_place_grace_seconds
            labels, annotations = lifecycle.state_metadata(LIFECYCLE_UPDATING, deps.clock.wall())
            try:
                result = await deps.updater.apply(
                    dict(pod), spec, grace_seconds=grace, labels=labels, annotations=annotations
                )
            except ClientError as err:
                deps.recorder.event(
                    cloneset,
                    "Warning",
                    "FailedUpdatePodInPlace",
                    f"failed to update pod {name_of(pod)} in-place"
                    f"(revision {revisions.update_name}): {err}",
                )
                raise
            if result.outcome is not Outcome.NOT_POSSIBLE:
                deps.update_expectations.expect_updated(sync.key, revisions.update_name, result.pod)
                deps.resource_versions.expect(result.pod)
                deps.recorder.event(
                    cloneset,
                    "Normal",
                    "SuccessfulUpdatePodInPlace",
                    f"successfully update pod {name_of(pod)} in-place"
                    f"(revision {revisions.update_name})",
                )
                return result.requeue_after
        if kind == IN_PLACE_ONLY:
            name = name_of(pod)
            message = "update strategy is InPlaceOnly but can not update in-place"
            raise InPlaceOnlyError(f"find Pod {name} {message}")
    await _mark_for_recreate(deps, sync, pod)
    return 0.0


async def _mark_for_recreate(deps: Deps, sync: SyncInput, pod: Pod) -> None:
    meta = pod["metadata"]
    body = {
        "metadata": {
            "labels": {SPECIFIED_DELETE_LABEL: "true"},
            "resourceVersion": meta.get("resourceVersion"),
        }
    }
    cloneset = dict(sync.cloneset)
    try:
        written = await deps.client.patch(
            PODS, meta["name"], body, meta.get("namespace"), patch_type=PatchType.STRATEGIC
        )
    except ClientError as err:
        deps.recorder.event(
            cloneset,
            "Warning",
            "FailedUpdatePodReCreate",
            f"failed to patch pod specified-delete {name_of(pod)} for update"
            f"(revision {sync.revisions.update_name}): {err}",
        )
        raise
    deps.resource_versions.expect(written)
    deps.recorder.event(
        cloneset,
        "Normal",
        "SuccessfulUpdatePodReCreate",
        f"successfully patch pod {name_of(pod)} specified-delete for update"
        f"(revision {sync.revisions.update_name})",
    )
