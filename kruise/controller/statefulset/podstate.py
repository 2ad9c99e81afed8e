"""Pod health as the StatefulSet controller judges it, and the refresh of a pod's in-place
update and lifecycle state (OpenKruise v1.9 ``refreshPodState``).

A pod in a lifecycle state other than ``Normal`` (or none) is neither healthy nor
available, whatever its readiness says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.v1alpha1 import (
    LIFECYCLE_NORMAL,
    LIFECYCLE_PREPARING_NORMAL,
    LIFECYCLE_PREPARING_UPDATE,
    LIFECYCLE_UPDATED,
    LIFECYCLE_UPDATING,
)
from kruise.controller.statefulset.context import Deps
from kruise.controller.statefulset.identity import revision_of
from kruise.util import lifecycle
from kruise.util.inplaceupdate import check_completed
from kruise.util.pods import (
    POD_FAILED,
    POD_PENDING,
    POD_SUCCEEDED,
    is_running_and_ready,
    is_terminating,
    phase,
    ready_since,
)

Pod = Mapping[str, Any]


def is_created(pod: Pod) -> bool:
    """The API server has the pod (a pod object built here has no phase yet)."""
    return phase(pod) != ""


def is_finished(pod: Pod) -> bool:
    """Failed or Succeeded: a stateful pod that must be recreated."""
    return phase(pod) in (POD_FAILED, POD_SUCCEEDED)


def is_pending(pod: Pod) -> bool:
    return phase(pod) == POD_PENDING


def in_normal_state(pod: Pod) -> bool:
    return lifecycle.state_of(pod) in ("", LIFECYCLE_NORMAL)


def is_healthy(pod: Pod) -> bool:
    """Running, Ready, not terminating and in the ``Normal`` lifecycle state."""
    return in_normal_state(pod) and is_running_and_ready(pod) and not is_terminating(pod)


def running_and_available(pod: Pod, min_ready_seconds: int, now: float) -> tuple[bool, float]:
    """Whether the pod is Running, Ready for ``min_ready_seconds`` and ``Normal``; when
    only time is missing, the seconds still to wait (else 0)."""
    if not in_normal_state(pod) or not is_running_and_ready(pod):
        return False, 0.0
    if min_ready_seconds <= 0:
        return True, 0.0
    since = ready_since(pod)
    if since is None:
        return False, float(min_ready_seconds)
    wait = since + min_ready_seconds - now
    if wait > 0:
        return False, wait
    return True, 0.0


def awaits_in_place_update(sts: Mapping[str, Any], pod: Pod) -> bool:
    """The pod is in ``PreparingUpdate`` and its ``inPlaceUpdate`` hook has let go: only
    the rolling-update pass can move it on, so an ordered pass must not wait for it."""
    if lifecycle.state_of(pod) != LIFECYCLE_PREPARING_UPDATE:
        return False
    hook = ((sts.get("spec") or {}).get("lifecycle") or {}).get("inPlaceUpdate")
    return not lifecycle.is_hooked(pod, hook)


@dataclass(frozen=True)
class Refreshed:
    pod: Pod
    moved: bool = False
    """The lifecycle state was written: the pass should look again later."""
    delay: float = 0.0
    """Seconds until an in-place grace period ends (0: none)."""


def next_lifecycle_state(sts: Mapping[str, Any], pod: Pod, update_revision: str) -> str | None:
    """The lifecycle state ``pod`` should move to now, if any (OpenKruise v1.9)."""
    hooks = (sts.get("spec") or {}).get("lifecycle")
    in_place_hook = (hooks or {}).get("inPlaceUpdate")
    state = lifecycle.state_of(pod)
    after_update = (
        LIFECYCLE_UPDATED
        if hooks is not None and not lifecycle.is_all_hooked(pod, in_place_hook)
        else LIFECYCLE_NORMAL
    )
    if state == LIFECYCLE_PREPARING_NORMAL:
        hook = (hooks or {}).get("preNormal")
        return LIFECYCLE_NORMAL if hook is None or lifecycle.is_all_hooked(pod, hook) else None
    if state == LIFECYCLE_PREPARING_UPDATE:
        # Rolled back while waiting for the hook: nothing to update any more.
        return after_update if revision_of(pod) == update_revision else None
    if state == LIFECYCLE_UPDATING:
        return after_update if check_completed(pod).done else None
    if state == LIFECYCLE_UPDATED and (
        in_place_hook is None or lifecycle.is_all_hooked(pod, in_place_hook)
    ):
        return LIFECYCLE_NORMAL
    return None


async def refresh_pod_state(
    deps: Deps, sts: Mapping[str, Any], pod: Pod, update_revision: str
) -> Refreshed:
    """Finish what a pod's in-place update needs (its ``InPlaceUpdateReady`` condition, an
    ended grace period), then move its lifecycle state on if it should."""
    refreshed = await deps.updater.refresh(dict(pod))
    current = refreshed.pod
    state = next_lifecycle_state(sts, current, update_revision)
    if state is None:
        return Refreshed(current, delay=refreshed.requeue_after)
    written = await set_lifecycle_state(deps, current, state)
    return Refreshed(written, moved=True, delay=refreshed.requeue_after)


async def set_lifecycle_state(deps: Deps, pod: Pod, state: str) -> Pod:
    """Move ``pod`` to lifecycle ``state`` (``NotFound`` once it is gone, even if another
    pod took its name); the cache must show the write before the pod is acted on again."""
    patch = lifecycle.state_patch(pod, state, deps.clock.wall())
    written = await lifecycle.patch_state(deps.client, pod, patch)
    deps.resource_versions.expect(written)
    return written
