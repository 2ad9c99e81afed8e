"""The scale phase: create and delete pods (and their claims) until the count is right.

Order of business, as in OpenKruise v0.7.0: pods named for deletion, then missing pods,
then surplus pods. Two changes: replacements for named pods are created first when
``maxSurge`` leaves room, and named pods that are ready go only while enough ready pods
remain (``calculate.deletable_specified``).

From OpenKruise v1.x:

- new pods start ``PreparingNormal`` (the update phase moves them to ``Normal``), and so
  do pods whose deletion a scale-out cancels;
- ``scaleStrategy.maxUnavailable`` caps creations while pods are unavailable (a
  ``ScaleUpLimited`` warning says so);
- with scalingExcludePreparingDelete, pods a preDelete hook holds are replaced at once;
- with the ``PreparingUpdateAsUpdate`` gate, pods in ``PreparingUpdate`` count as updated;
- with ``scaleStrategy.disablePVCReuse``, claims no active pod uses are deleted first, so
  a recreated pod gets new ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.v1alpha1 import (
    LIFECYCLE_PREPARING_DELETE,
    LIFECYCLE_PREPARING_NORMAL,
)
from kruise.controller.cloneset import instances
from kruise.controller.cloneset.status import error_text
from kruise.controller.cloneset.sync.calculate import (
    ScaleDiffs,
    calculate_diffs,
    choose_pods_to_delete,
    counted_for_surge,
    deletable_specified,
    is_pod_update,
    is_specified_delete,
    scale_up_limit,
    surge_headroom,
)
from kruise.controller.cloneset.sync.context import Deps, SyncInput, set_lifecycle_state
from kruise.runtime.client import (
    PERSISTENT_VOLUME_CLAIMS,
    PODS,
    AlreadyExists,
    ClientError,
    KubeObject,
    NotFound,
)
from kruise.runtime.expectations import ScaleAction
from kruise.runtime.meta import name_of
from kruise.runtime.reconcile import ReconcileError
from kruise.util import lifecycle
from kruise.util.inplaceupdate import has_readiness_gate, mark_created_ready

Pod = Mapping[str, Any]


@dataclass(frozen=True)
class ScaleResult:
    modified: bool
    """Something was created, deleted or moved between lifecycle states."""
    error: Exception | None = None


class ScaleError(ReconcileError):
    """Some pods or claims could not be created or deleted (the API server refused)."""


async def scale(deps: Deps, sync: SyncInput) -> ScaleResult:
    strategy = sync.strategy
    if strategy.disable_pvc_reuse:
        sync = await _drop_unused_claims(deps, sync)
    specified = [p for p in sync.active if is_specified_delete(p, strategy.pods_to_delete)]
    specified_names = {name_of(p) for p in specified}
    preparing = [
        p
        for p in sync.active
        if lifecycle.state_of(p) == LIFECYCLE_PREPARING_DELETE and name_of(p) not in specified_names
    ]
    to_delete = specified + preparing
    if preparing and await _revert_preparing(deps, sync, preparing, len(to_delete)):
        return ScaleResult(modified=True)

    gone = {name_of(p) for p in to_delete}
    kept = [p for p in sync.active if name_of(p) not in gone]
    revisions = sync.revisions
    as_update = strategy.preparing_update_as_update
    diffs = calculate_diffs(
        strategy,
        kept,
        revisions.current_name,
        revisions.update_name,
        preparing_update_as_update=as_update,
    )
    count = _creations(deps, sync, diffs, deleting=bool(to_delete))
    if count > 0:
        current_count = min(diffs.current_revision_creations, count)
        return await _create(deps, sync, count, current_count)
    if to_delete:
        chosen = deletable_specified(strategy, to_delete, sync.active)
        return await _delete(deps, sync, chosen) if chosen else ScaleResult(modified=False)
    if diffs.total > 0:
        updated = [p for p in kept if is_pod_update(p, revisions.update_name, as_update)]
        not_updated = [p for p in kept if not is_pod_update(p, revisions.update_name, as_update)]
        chosen = choose_pods_to_delete(diffs.total, diffs.current_revision, not_updated, updated)
        return await _delete(deps, sync, chosen)
    return ScaleResult(modified=False)


def _creations(deps: Deps, sync: SyncInput, diffs: ScaleDiffs, *, deleting: bool) -> int:
    """How many pods to create now: the shortfall, within replicas + maxSurge while pods
    are on their way out, and within ``scaleStrategy.maxUnavailable``."""
    if diffs.total >= 0:
        return 0
    strategy = sync.strategy
    count = -diffs.total
    if deleting:
        counted = counted_for_surge(sync.active, strategy.exclude_preparing_delete)
        count = min(count, surge_headroom(strategy, counted))
    limit = scale_up_limit(
        strategy.scale_max_unavailable,
        sync.active,
        min_ready_seconds=strategy.min_ready_seconds,
        now=deps.clock.wall(),
        pods_to_delete=strategy.pods_to_delete,
    )
    if limit is not None and limit < count:
        deps.recorder.event(
            dict(sync.cloneset),
            "Warning",
            "ScaleUpLimited",
            f"scaleUp is limited because of scaleStrategy.maxUnavailable, limit: {limit}",
        )
        count = limit
    return count


async def _drop_unused_claims(deps: Deps, sync: SyncInput) -> SyncInput:
    """With ``disablePVCReuse``: delete the claims no active pod uses (their pod is gone,
    finished or terminating) and go on without them, so new pods get new claims.

    OpenKruise v1.x hands the claims of a pod still terminating over to that pod (an
    ownerReference) so they go with it; deleting them has the same effect, since the API
    server's pvc-protection keeps a claim until no pod uses it, and needs no right to
    update claims."""
    in_use = {instances.instance_id(p) for p in sync.active} - {""}
    unused = [c for c in sync.claims if instances.instance_id(c) not in in_use]
    if not unused:
        return sync
    expectations = deps.scale_expectations
    for claim in unused:
        name = name_of(claim)
        expectations.expect_scale(sync.key, ScaleAction.DELETE, name)
        try:
            await deps.client.delete(PERSISTENT_VOLUME_CLAIMS, name, sync.namespace)
        except NotFound:
            expectations.observe_scale(sync.key, ScaleAction.DELETE, name)
        except ClientError as err:
            expectations.observe_scale(sync.key, ScaleAction.DELETE, name)
            deps.recorder.event(
                dict(sync.cloneset),
                "Warning",
                "FailedDelete",
                f"failed to clean up PVC {name}: {err}",
            )
            raise
    dropped = {name_of(c) for c in unused}
    return dataclasses.replace(sync, claims=[c for c in sync.claims if name_of(c) not in dropped])


async def _revert_preparing(
    deps: Deps, sync: SyncInput, preparing: Sequence[Pod], deleting: int
) -> bool:
    """Back to ``PreparingNormal`` (as OpenKruise v1.x; v0.7.0 went straight to
    ``Normal``) for pods a scale-in held in ``PreparingDelete`` that are needed again
    because ``replicas`` went up meanwhile; the update phase takes them on to ``Normal``
    as it does new pods, so a preNormal hook is honoured again."""
    needed = sync.strategy.replicas - len(sync.active) + deleting
    patched = False
    for pod in preparing[: max(needed, 0)]:
        await set_lifecycle_state(deps, pod, LIFECYCLE_PREPARING_NORMAL)
        patched = True
    return patched


# --- creating ---------------------------------------------------------------------------


async def _create(deps: Deps, sync: SyncInput, count: int, current_count: int) -> ScaleResult:
    """Create ``count`` pods, the first ``current_count`` at the current revision, in
    batches of 1, 2, 4, ... that stop at the first batch with a failure."""
    ids = instances.allocate_ids(count, sync.all_pods, sync.claims)
    if not ids:
        return ScaleResult(modified=False)  # waiting for terminating pods to free their claims
    count = len(ids)
    current_count = min(current_count, count)
    wall = deps.clock.wall()
    revisions = sync.revisions
    planned: list[tuple[KubeObject, list[KubeObject]]] = []
    for i, id_ in enumerate(ids):
        source, revision = (
            (sync.current, revisions.current_name)
            if i < current_count
            else (sync.update, revisions.update_name)
        )
        planned.append(
            (instances.new_pod(source, revision, id_, wall), instances.new_claims(source, id_))
        )
    expectations = deps.scale_expectations
    for pod, _ in planned:
        expectations.expect_scale(sync.key, ScaleAction.CREATE, name_of(pod))

    existing_claims = {name_of(c) for c in sync.claims}
    created = 0
    refusals: list[ClientError] = []
    position, batch = 0, 1
    async with _HeadStart(deps) as head_start:
        while position < len(planned):
            chunk = planned[position : position + batch]
            position += len(chunk)
            to_come = len(planned) - position
            outcomes = await asyncio.gather(
                *(
                    _create_one(
                        deps,
                        sync,
                        pod,
                        claims,
                        existing_claims,
                        head_start=head_start,
                        creates_to_come=to_come,
                    )
                    for pod, claims in chunk
                )
            )
            refusals = [o for o in outcomes if o is not None]
            created += len(outcomes) - len(refusals)
            if refusals:
                for pod, _ in planned[position:]:
                    expectations.observe_scale(sync.key, ScaleAction.CREATE, name_of(pod))
                break
            batch *= 2
    if refusals:
        # The API server's own words, as OpenKruise's FailedScale condition carries them;
        # each refusal also has its FailedCreate event.
        error = ScaleError(error_text(refusals[0]))
        error.__cause__ = refusals[0]
        return ScaleResult(modified=created > 0, error=error)
    return ScaleResult(modified=created > 0)


async def _create_one(
    deps: Deps,
    sync: SyncInput,
    pod: KubeObject,
    claims: list[KubeObject],
    existing_claims: set[str],
    *,
    head_start: _HeadStart,
    creates_to_come: int,
) -> ClientError | None:
    """Create ``pod`` and its missing claims, then hand the pod to ``head_start``; the
    API server's refusal, if any."""
    expectations = deps.scale_expectations
    cloneset = dict(sync.cloneset)
    pod_name = name_of(pod)
    for claim in claims:
        claim_name = name_of(claim)
        if claim_name in existing_claims:
            continue
        expectations.expect_scale(sync.key, ScaleAction.CREATE, claim_name)
        try:
            await deps.client.create(PERSISTENT_VOLUME_CLAIMS, claim)
        except AlreadyExists:
            expectations.observe_scale(sync.key, ScaleAction.CREATE, claim_name)
        except ClientError as err:
            expectations.observe_scale(sync.key, ScaleAction.CREATE, claim_name)
            expectations.observe_scale(sync.key, ScaleAction.CREATE, pod_name)
            deps.recorder.event(
                cloneset, "Warning", "FailedCreate", f"failed to create pvc {claim_name}: {err}"
            )
            return err
    try:
        created = await deps.client.create(PODS, pod)
    except ClientError as err:
        expectations.observe_scale(sync.key, ScaleAction.CREATE, pod_name)
        deps.recorder.event(cloneset, "Warning", "FailedCreate", f"failed to create pod: {err}")
        return err
    deps.recorder.event(cloneset, "Normal", "SuccessfulCreate", f"succeed to create pod {pod_name}")
    head_start.created(created, creates_to_come=creates_to_come)
    return None


class _HeadStart:
    """Sets InPlaceUpdateReady True on pods just created with the gate.

    OpenKruise leaves this to the refresh of a later pass, which sets the same condition;
    set now, the node finds it on its first status write and reports the pod Ready in
    that write. A write goes out at once while the client's rate limit has room for it
    beside the creates still to come, and after the last create otherwise, so it never
    holds a create back. The deferred writes go newest pod first: nodes start pods
    about in the order they were created, so the last created are the likeliest not to
    have had their first status write yet, which the condition can still join; a pod
    already started needs a second write to turn Ready whatever the order. Leaving the
    block waits for them all; a refusal is left to the refresh, and what was written is
    expected in the cache before the next pass acts on those pods.
    """

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._started: list[asyncio.Task[None]] = []
        self._deferred: list[KubeObject] = []

    async def __aenter__(self) -> _HeadStart:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            newest_first = reversed(self._deferred)
            await asyncio.gather(*self._started, *(self._mark(p) for p in newest_first))
            return
        # The block failed (or was cancelled): its own error is what the caller gets.
        for task in self._started:
            task.cancel()
        await asyncio.gather(*self._started, return_exceptions=True)

    def created(self, pod: KubeObject, *, creates_to_come: int) -> None:
        if not has_readiness_gate(pod):
            return
        if self._deps.client.spare_requests() > creates_to_come:
            self._started.append(asyncio.create_task(self._mark(pod)))
        else:
            self._deferred.append(pod)

    async def _mark(self, pod: KubeObject) -> None:
        with contextlib.suppress(ClientError):
            written = await mark_created_ready(self._deps.client, pod, clock=self._deps.clock)
            # The next pass waits for the cache to show the condition; from an older copy
            # its refresh would write the condition again, against a stale version.
            self._deps.resource_versions.expect(written)


# --- deleting ---------------------------------------------------------------------------


async def _delete(deps: Deps, sync: SyncInput, pods: Sequence[Pod]) -> ScaleResult:
    """Delete ``pods`` and their claims; a pod held by the preDelete hook is moved to
    ``PreparingDelete`` instead, and deleted on a later pass once released."""
    hook = (sync.spec.get("lifecycle") or {}).get("preDelete")
    outcomes = await asyncio.gather(
        *(_delete_one(deps, sync, pod, hook) for pod in pods), return_exceptions=True
    )
    modified = any(o is True for o in outcomes)
    errors: list[Exception] = []
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            errors.append(outcome)
        elif isinstance(outcome, BaseException):
            raise outcome
    return ScaleResult(modified=modified, error=errors[0] if errors else None)


async def _delete_one(
    deps: Deps, sync: SyncInput, pod: Pod, hook: Mapping[str, Any] | None
) -> bool:
    if lifecycle.is_hooked(pod, hook):
        if lifecycle.state_of(pod) == LIFECYCLE_PREPARING_DELETE:
            return False
        await set_lifecycle_state(deps, pod, LIFECYCLE_PREPARING_DELETE)
        return True
    cloneset = dict(sync.cloneset)
    expectations = deps.scale_expectations
    meta = pod["metadata"]
    name = str(meta["name"])
    expectations.expect_scale(sync.key, ScaleAction.DELETE, name)
    try:
        await deps.client.delete(PODS, name, meta.get("namespace"), uid=meta.get("uid"))
    except NotFound:
        expectations.observe_scale(sync.key, ScaleAction.DELETE, name)
    except ClientError as err:
        expectations.observe_scale(sync.key, ScaleAction.DELETE, name)
        deps.recorder.event(
            cloneset, "Warning", "FailedDelete", f"failed to delete pod {name}: {err}"
        )
        raise
    else:
        deps.recorder.event(cloneset, "Normal", "SuccessfulDelete", f"succeed to delete pod {name}")
    id_ = instances.instance_id(pod)
    for claim in sync.claims:
        if not id_ or instances.instance_id(claim) != id_:
            continue
        claim_name = name_of(claim)
        expectations.expect_scale(sync.key, ScaleAction.DELETE, claim_name)
        try:
            await deps.client.delete(PERSISTENT_VOLUME_CLAIMS, claim_name, sync.namespace)
        except NotFound:
            expectations.observe_scale(sync.key, ScaleAction.DELETE, claim_name)
        except ClientError as err:
            expectations.observe_scale(sync.key, ScaleAction.DELETE, claim_name)
            deps.recorder.event(
                cloneset, "Warning", "FailedDelete", f"failed to delete pvc {claim_name}: {err}"
            )
            raise
    return True
