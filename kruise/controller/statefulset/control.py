"""The pod-management pass: run exactly the pods the ordinal range names, in order.

Pods split into *replicas* (ordinals in ``ordinal_range``: from ``ordinals.start``,
skipping ``reserveOrdinals``, until ``replicas`` are found) and *condemned* (every other
ordinal). Missing replicas are created at the revision ``current_revision_needed`` picks,
Failed or Succeeded ones are deleted to be recreated (Event ``RecreatingFailedPod``), and
drifted ones are repaired; condemned pods are deleted, highest ordinal first.

``OrderedReady`` does one step at a time: it creates one pod and waits for it to be
Running and available (``minReadySeconds``) before the next, and it deletes one condemned
pod per pass, only while every replica is healthy, so a reserved pod is replaced before it
goes. ``Parallel`` creates every missing pod at once (in slow-start batches) and deletes
every condemned one; ``scaleStrategy.maxUnavailable`` then bounds how many pods may be
unavailable, creations and deletions of available pods included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from kruise.apis.apps.intstr import scaled_value
from kruise.apis.apps.v1alpha1 import (
    PARALLEL_POD_MANAGEMENT,
    STATEFULSET_FAILED_CREATE_POD,
    STATEFULSET_FAILED_UPDATE_POD,
)
from kruise.apis.apps.v1beta1.ordinals import OrdinalRange, ordinal_range
from kruise.controller.statefulset import identity, podcontrol, status
from kruise.controller.statefulset.context import Deps
from kruise.controller.statefulset.podstate import (
    awaits_in_place_update,
    is_created,
    is_finished,
    is_healthy,
    is_pending,
    refresh_pod_state,
    running_and_available,
)
from kruise.runtime.client import Conflict, KubeObject, NotFound
from kruise.runtime.reconcile import ReconcileError
from kruise.util.pods import is_running_and_ready, is_terminating
from kruise.util.rollout import replicas_of

Pod = Mapping[str, Any]
MAX_BATCH = 500


class InvalidSpecError(ReconcileError):
    """A spec the validating webhook would have refused (the controller cannot act)."""


@dataclass
class PassInput:
    key: str
    set: Mapping[str, Any]
    current_set: Mapping[str, Any]
    update_set: Mapping[str, Any]
    current_revision: str
    update_revision: str
    pods: Sequence[Pod]
    """The pods the set owns, as claimed at the start of the reconcile."""
    claims: Mapping[str, Mapping[str, Any]]
    """Claims in the set's namespace by name, as cached."""
    status: KubeObject
    min_ready_seconds: int
    now: float


@dataclass
class PassResult:
    range: OrdinalRange
    replicas: list[Pod | None]
    condemned: list[Pod]
    finished: bool = False
    """The pass got through: the rolling update may run."""
    delay: float = 0.0
    error: Exception | None = None


@dataclass
class _Walk:
    """State of one walk over the replicas."""

    budget: int | None
    """What is left of ``scaleStrategy.maxUnavailable``; None: no limit."""
    monotonic: bool
    to_create: list[int] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)

    def spend(self) -> bool:
        """Use one unit of the budget; True once it is spent."""
        if self.budget is None:
            return False
        self.budget -= 1
        return self.budget <= 0


def split(pods: Sequence[Pod], rng: OrdinalRange) -> tuple[list[Pod | None], list[Pod]]:
    """Replicas indexed by ``ordinal - start`` (None where none exists, and for reserved
    ordinals), and condemned pods, highest ordinal first; pods without an ordinal are
    left out."""
    replicas: list[Pod | None] = [None] * (rng.end - rng.start)
    condemned: list[Pod] = []
    for pod in pods:
        ordinal = identity.ordinal_of(pod)
        if ordinal in rng:
            replicas[ordinal - rng.start] = pod
        elif ordinal >= 0:
            condemned.append(pod)
    condemned.sort(key=identity.ordinal_of, reverse=True)
    return replicas, condemned


def fill_missing(work: PassInput, rng: OrdinalRange, replicas: list[Pod | None]) -> None:
    """Put a new pod object (not created yet) in each empty, non-reserved slot."""
    for ordinal in rng.ordinals():
        index = ordinal - rng.start
        if replicas[index] is None:
            replicas[index] = identity.new_versioned_pod(
                work.current_set,
                update_set=work.update_set,
                current_revision=work.current_revision,
                update_revision=work.update_revision,
                ordinal=ordinal,
                replicas=replicas,
            )


def first_unhealthy(replicas: Sequence[Pod | None], condemned: Sequence[Pod]) -> Pod | None:
    """The unhealthy pod of lowest ordinal, among replicas and condemned pods."""
    unhealthy = [p for p in [*replicas, *condemned] if p is not None and not is_healthy(p)]
    return min(unhealthy, key=identity.ordinal_of, default=None)


def scale_max_unavailable(sts: Mapping[str, Any]) -> int | None:
    """``scaleStrategy.maxUnavailable`` of ``replicas`` rounded down, at least 1; None
    when unset."""
    raw = ((sts.get("spec") or {}).get("scaleStrategy") or {}).get("maxUnavailable")
    if raw is None:
        return None
    try:
        value = scaled_value(raw, replicas_of(sts.get("spec") or {}), round_up=False)
    except (TypeError, ValueError) as err:
        raise InvalidSpecError(f"spec.scaleStrategy.maxUnavailable: {err}") from err
    return max(value, 1)


async def manage_pods(deps: Deps, work: PassInput) -> PassResult:
    """Run the pass; the counts of ``work.status`` are set from the pods it leaves."""
    spec = work.set.get("spec") or {}
    try:
        rng = ordinal_range(spec)
    except ValueError as err:
        raise InvalidSpecError(str(err)) from err
    replicas, condemned = split(work.pods, rng)
    fill_missing(work, rng, replicas)
    result = PassResult(rng, replicas, condemned)
    _recount(work, [work.pods])
    if (work.set.get("metadata") or {}).get("deletionTimestamp"):
        return result
    walk = _Walk(
        budget=scale_max_unavailable(work.set),
        monotonic=spec.get("podManagementPolicy") != PARALLEL_POD_MANAGEMENT,
    )
    unhealthy = first_unhealthy(replicas, condemned)
    try:
        result.finished = (
            await _process_replicas(deps, work, walk, replicas)
            and await _fix_condemned_claims(deps, work, walk, condemned)
            and await _process_condemned(deps, work, walk, condemned, unhealthy)
        )
    except Exception as err:
        result.error = err
    result.delay = min((d for d in walk.delays if d > 0), default=0.0)
    _recount(work, [replicas, condemned])
    return result


def _recount(work: PassInput, pod_lists: Sequence[Sequence[Pod | None]]) -> None:
    status.count(work.status, pod_lists, min_ready_seconds=work.min_ready_seconds, now=work.now)


# --- replicas -----------------------------------------------------------------------------


async def _process_replicas(
    deps: Deps, work: PassInput, walk: _Walk, replicas: list[Pod | None]
) -> bool:
    """Walk the replicas in ascending order; False when the pass must stop here."""
    stopped = False
    for index, pod in enumerate(replicas):
        if pod is None:
            continue
        stop, brk = await _process_replica(deps, work, walk, replicas, index)
        if stop and walk.monotonic:
            stopped = True
            break
        if brk:
            break
    if walk.to_create:
        await _create_batches(deps, work, replicas, walk.to_create)
    elif not stopped and all(p is None or is_created(p) for p in replicas):
        status.set_condition(work.status, STATEFULSET_FAILED_CREATE_POD, None, work.now)
    return not stopped


async def _process_replica(
    deps: Deps, work: PassInput, walk: _Walk, replicas: list[Pod | None], index: int
) -> tuple[bool, bool]:
    """One replica; returns (stop, break): stop ends a monotonic pass, break ends the walk
    and goes on with the condemned pods."""
    pod = replicas[index]
    assert pod is not None
    if is_finished(pod):
        if walk.spend():
            return False, True
        if not is_terminating(pod):
            await _recreate_finished(deps, work, pod)
        return True, False
    if not is_created(pod):
        return _create_replica(deps, work, walk, replicas, index)
    stop, brk, refreshed = await _process_existing(deps, work, walk, pod)
    # Later passes (the rolling update) must see what the refresh wrote, not the cache.
    replicas[index] = refreshed
    return stop, brk


async def _recreate_finished(deps: Deps, work: PassInput, pod: Pod) -> None:
    name = identity.name_of(pod)
    deps.recorder.event(
        dict(work.set),
        "Warning",
        "RecreatingFailedPod",
        f"StatefulSet {identity.name_of(work.set)} is recreating failed Pod {name}",
    )
    await podcontrol.delete_or_hold(deps, work.set, pod)


def _create_replica(
    deps: Deps, work: PassInput, walk: _Walk, replicas: list[Pod | None], index: int
) -> tuple[bool, bool]:
    """Queue the replica for creation (a monotonic pass creates it alone, then stops)."""
    pod = replicas[index]
    assert pod is not None
    if podcontrol.claim_is_stale(work.set, pod, work.claims):
        return True, False
    identity.initial_state_patch(work.set, cast(KubeObject, pod), deps.clock.wall())
    walk.to_create.append(index)
    if walk.monotonic:
        return True, False
    return False, walk.spend()


async def _process_existing(
    deps: Deps, work: PassInput, walk: _Walk, pod: Pod
) -> tuple[bool, bool, Pod]:
    """An existing replica; returns (stop, break, the pod as refreshed)."""
    if is_pending(pod):
        await _create_missing_claims(deps, work, pod)
    if is_terminating(pod):
        if walk.monotonic:
            return True, False, pod
        if walk.spend():
            return False, True, pod
    try:
        refreshed = await refresh_pod_state(deps, work.set, pod, work.update_revision)
    except (Conflict, NotFound):
        # The pod changed under us; its own event brings the next pass.
        return True, False, pod
    walk.delays.append(refreshed.delay)
    pod = refreshed.pod
    if (walk.monotonic or walk.budget is not None) and not awaits_in_place_update(work.set, pod):
        available, wait = running_and_available(pod, work.min_ready_seconds, work.now)
        if not available:
            walk.delays.append(wait)
            if walk.monotonic:
                return True, False, pod
            if walk.spend():
                return False, True, pod
    await _repair(deps, work, pod)
    return False, False, pod


async def _create_missing_claims(deps: Deps, work: PassInput, pod: Pod) -> None:
    await podcontrol.create_claims(deps, work.update_set, pod, work.claims)
    await podcontrol.fix_claim_owners(deps, work.update_set, pod, work.claims, scaled_in=False)


async def _repair(deps: Deps, work: PassInput, pod: Pod) -> None:
    """Repair identity, storage and claim ownership, recording ``FailedUpdatePod``."""
    sts = work.update_set
    if (
        identity.identity_matches(work.set, pod)
        and identity.storage_matches(work.set, pod)
        and podcontrol.claim_owners_match(sts, pod, work.claims, scaled_in=False)
    ):
        return
    try:
        await podcontrol.update_pod(deps, sts, pod, work.claims)
    except Exception as err:
        message = f"StatefulPodControl failed to update Pod error: {err}"
        status.set_condition(work.status, STATEFULSET_FAILED_UPDATE_POD, message, work.now)
        raise
    status.set_condition(work.status, STATEFULSET_FAILED_UPDATE_POD, None, work.now)


async def _create_batches(
    deps: Deps, work: PassInput, replicas: list[Pod | None], indexes: list[int]
) -> None:
    """Create the queued replicas: one at first, then twice as many each round while all
    succeed (Kubernetes' slow start); the first failure stops the rest."""

    async def create(index: int) -> None:
        pod = replicas[index]
        assert pod is not None
        await podcontrol.create_pod(deps, work.set, dict(pod), work.claims)

    try:
        await _slow_start(indexes, create)
    except Exception as err:
        message = f"StatefulPodControl failed to create Pod error: {err}"
        status.set_condition(work.status, STATEFULSET_FAILED_CREATE_POD, message, work.now)
        raise
    status.set_condition(work.status, STATEFULSET_FAILED_CREATE_POD, None, work.now)


async def _slow_start(items: Sequence[Any], step: Callable[[Any], Awaitable[None]]) -> None:
    done, size = 0, 1
    while done < len(items):
        batch = items[done : done + size]
        outcomes = await asyncio.gather(*(step(i) for i in batch), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        done += len(batch)
        size = min(size * 2, MAX_BATCH)


# --- condemned ----------------------------------------------------------------------------


async def _fix_condemned_claims(
    deps: Deps, work: PassInput, walk: _Walk, condemned: list[Pod]
) -> bool:
    """Hand the claims of condemned pods to them when ``whenScaled`` is Delete."""
    for pod in condemned:
        sts = work.update_set
        if not podcontrol.claim_owners_match(sts, pod, work.claims, scaled_in=True):
            await podcontrol.fix_claim_owners(deps, sts, pod, work.claims, scaled_in=True)
    return True


async def _process_condemned(
    deps: Deps, work: PassInput, walk: _Walk, condemned: list[Pod], unhealthy: Pod | None
) -> bool:
    """Delete condemned pods, highest ordinal first; False when a monotonic pass must
    stop here."""
    if walk.monotonic:
        for pod in condemned:
            if not await _condemn_one(deps, work, walk, pod, unhealthy):
                return False
        return True
    chosen = []
    for pod in condemned:
        if is_terminating(pod):
            continue
        if is_healthy(pod) and walk.budget is not None:
            if walk.budget <= 0:
                break
            walk.budget -= 1
        chosen.append(pod)

    async def delete(pod: Pod) -> None:
        await podcontrol.delete_or_hold(deps, work.set, pod)

    await _slow_start(chosen, delete)
    return True


async def _condemn_one(
    deps: Deps, work: PassInput, walk: _Walk, pod: Pod, unhealthy: Pod | None
) -> bool:
    """One condemned pod of a monotonic pass; False when the pass must wait."""
    if is_terminating(pod):
        return False
    first = unhealthy is not None and identity.name_of(pod) == identity.name_of(unhealthy)
    if not is_running_and_ready(pod) and not first:
        return False
    available, wait = running_and_available(pod, work.min_ready_seconds, work.now)
    if not available and not first:
        walk.delays.append(wait)
        return False
    modified, _ = await podcontrol.delete_or_hold(deps, work.set, pod)
    return not modified
