"""Updating one pod of an Advanced StatefulSet in place (OpenKruise v1.9's
``inPlaceUpdatePod``).

With ``podUpdatePolicy`` ``InPlaceIfPossible`` or ``InPlaceOnly``, a pod whose revision
differs from the update revision only in images and pod metadata is updated through the
shared in-place utility, after the ``inPlaceUpdate`` lifecycle hook lets it go: a hooked
pod waits in ``PreparingUpdate`` until the user's controller removes the hook. When the
change cannot be made in place, ``InPlaceIfPossible`` leaves the pod to be recreated and
``InPlaceOnly`` fails the pass with an error (as v1.9 does: it never recreates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.v1alpha1 import (
    IN_PLACE_IF_POSSIBLE,
    IN_PLACE_ONLY,
    LIFECYCLE_NORMAL,
    LIFECYCLE_PREPARING_NORMAL,
    LIFECYCLE_PREPARING_UPDATE,
    LIFECYCLE_UPDATED,
    LIFECYCLE_UPDATING,
)
from kruise.controller.statefulset.context import Deps
from kruise.controller.statefulset.identity import revision_of
from kruise.controller.statefulset.podstate import set_lifecycle_state
from kruise.controller.statefulset.update_order import RollingStrategy
from kruise.runtime.client import ClientError
from kruise.runtime.meta import name_of
from kruise.runtime.reconcile import ReconcileError
from kruise.util import lifecycle
from kruise.util.inplaceupdate import Outcome, UpdateSpec, spec_from_revisions

Pod = Mapping[str, Any]

_MAY_START = ("", LIFECYCLE_PREPARING_NORMAL, LIFECYCLE_NORMAL)


class InPlaceUpdateError(ReconcileError):
    """A pod cannot be updated in place where the strategy requires it."""


@dataclass(frozen=True)
class InPlaceResult:
    """``in_place``: the pod is being updated in place (or held by the hook for it), so
    it must not be recreated; ``delay``: seconds until its grace period ends."""

    in_place: bool
    delay: float = 0.0


@dataclass(frozen=True)
class InPlaceTarget:
    """What the update of one set needs to know, the same for every pod."""

    key: str
    set: Mapping[str, Any]
    strategy: RollingStrategy
    update_revision: Mapping[str, Any]
    revisions: Sequence[Mapping[str, Any]]

    @property
    def hooks(self) -> Mapping[str, Any] | None:
        """The set's ``spec.lifecycle``."""
        return (self.set.get("spec") or {}).get("lifecycle")


async def in_place_update_pod(deps: Deps, target: InPlaceTarget, pod: Pod) -> InPlaceResult:
    """Update ``pod`` in place if the strategy asks for it and the change allows it."""
    policy = target.strategy.pod_update_policy
    if policy not in (IN_PLACE_IF_POSSIBLE, IN_PLACE_ONLY):
        return InPlaceResult(False)
    old = next((r for r in target.revisions if name_of(r) == revision_of(pod)), None)
    spec = spec_from_revisions(old, target.update_revision)
    if spec is not None:
        held = await _hold_for_hook(deps, target, pod)
        if held:
            return InPlaceResult(True)
        result = await _apply(deps, target, pod, spec)
        if result is not None:
            return result
    if policy == IN_PLACE_ONLY:
        raise InPlaceUpdateError(
            f"find strategy is InPlaceOnly but Pod {name_of(pod)} can not update in-place"
        )
    return InPlaceResult(False)


async def _hold_for_hook(deps: Deps, target: InPlaceTarget, pod: Pod) -> bool:
    """Whether the ``inPlaceUpdate`` hook holds ``pod`` back (moving it to
    ``PreparingUpdate`` if it is not there yet); raises for a state no update may start
    from."""
    hooks = target.hooks
    hook = (hooks or {}).get("inPlaceUpdate")
    state = lifecycle.state_of(pod)
    if state in _MAY_START:
        if hooks is None or not lifecycle.is_hooked(pod, hook):
            return False
        await set_lifecycle_state(deps, pod, LIFECYCLE_PREPARING_UPDATE)
        return True
    if state == LIFECYCLE_UPDATED:
        # Updated again before the user's controller handed the pod back: hand it the
        # hook again and wait for its release, as for a first update.
        if hook:
            await _prepare_again(deps, pod, hook)
        return True
    if state == LIFECYCLE_PREPARING_UPDATE:
        return hooks is not None and lifecycle.is_hooked(pod, hook)
    if state == LIFECYCLE_UPDATING:
        return False
    raise InPlaceUpdateError(f"not allowed to in-place update pod {name_of(pod)} in state {state}")


async def _apply(
    deps: Deps, target: InPlaceTarget, pod: Pod, spec: UpdateSpec
) -> InPlaceResult | None:
    """Start the update; None when the pod lacks a container the update changes."""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    if lifecycle.state_of(pod):
        labels, annotations = lifecycle.state_metadata(LIFECYCLE_UPDATING, deps.clock.wall())
    revision = name_of(target.update_revision)
    try:
        result = await deps.updater.apply(
            dict(pod),
            spec,
            grace_seconds=target.strategy.grace_seconds,
            labels=labels,
            annotations=annotations,
        )
    except ClientError as err:
        deps.recorder.event(
            dict(target.set),
            "Warning",
            "FailedUpdatePodInPlace",
            f"failed to update pod {name_of(pod)} in-place(revision {revision}): {err}",
        )
        raise
    if result.outcome is Outcome.NOT_POSSIBLE:
        return None
    deps.update_expectations.expect_updated(target.key, revision, result.pod)
    deps.resource_versions.expect(result.pod)
    deps.recorder.event(
        dict(target.set),
        "Normal",
        "SuccessfulUpdatePodInPlace",
        f"successfully update pod {name_of(pod)} in-place(revision {revision})",
    )
    return InPlaceResult(True, result.requeue_after)


async def _prepare_again(deps: Deps, pod: Pod, hook: Mapping[str, Any]) -> None:
    """Move an ``Updated`` pod back to ``PreparingUpdate`` and put ``hook``'s labels and
    finalizers back on it, in one write."""
    patch = lifecycle.state_patch(pod, LIFECYCLE_PREPARING_UPDATE, deps.clock.wall())
    patch["metadata"]["labels"].update(hook.get("labelsHandler") or {})
    finalizers = list(hook.get("finalizersHandler") or ())
    if finalizers:
        patch["metadata"]["finalizers"] = finalizers
    written = await lifecycle.patch_state(deps.client, pod, patch)
    deps.resource_versions.expect(written)
