"""Updating a pod in place, and moving an update along on later reconciles.

``apply`` starts an update: it marks the pod not ready (if it has the readiness gate),
labels it with the new revision and records the state annotation; then it changes the
images and metadata at once, or, with a grace period, records the change in the grace
annotation and asks to be called back when the period ends. ``refresh`` runs on every
reconcile for every pod: it applies a change whose grace period has ended and marks
the pod ready again once ``check_completed`` says the update is done.

Every write carries the resourceVersion of the pod it was computed from, so a stale pod
(from a cache that lags) raises ``kruise.runtime.client.Conflict``; the controller
retries with a fresher pod. If the condition write lands and the image write then loses,
the pod is left not ready at its old revision; the retried ``apply`` finds the condition
already False and goes on. Pods passed in are never modified.
"""

from __future__ import annotations

import copy
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kruise.runtime.client import PODS, Client, KubeObject, PatchType
from kruise.runtime.clock import Clock, RealClock
from kruise.runtime.meta import name_of, namespace_of
from kruise.util.inplaceupdate.completion import check_completed
from kruise.util.inplaceupdate.condition import (
    get_condition,
    has_readiness_gate,
    mark_not_ready,
    mark_ready,
)
from kruise.util.inplaceupdate.errors import InPlaceUpdateError
from kruise.util.inplaceupdate.names import (
    GRACE_ANNOTATION,
    GRACE_ANNOTATIONS,
    LEGACY_STATE_ANNOTATION,
    REVISION_LABEL,
    STATE_ANNOTATION,
)
from kruise.util.inplaceupdate.spec import UpdateSpec
from kruise.util.inplaceupdate.state import (
    ContainerRecord,
    InPlaceUpdateState,
    format_time,
    has_pending_grace,
    parse_time,
    pod_annotations,
    read_grace,
    read_state,
)


class Outcome(enum.Enum):
    NOT_POSSIBLE = "NotPossible"
    """The pod lacks a container the update changes; nothing was written."""
    UPDATED = "Updated"
    """Images and metadata were changed; the kubelet now restarts the containers."""
    GRACE_PENDING = "GracePending"
    """The pod was marked not ready; its images change after ``requeue_after`` seconds."""


@dataclass(frozen=True)
class UpdateResult:
    outcome: Outcome
    pod: KubeObject
    """The pod as last written (the pod passed in when nothing was written)."""
    requeue_after: float = 0.0


@dataclass(frozen=True)
class RefreshResult:
    pod: KubeObject
    marked_ready: bool = False
    """InPlaceUpdateReady was set True: the update had completed."""
    images_changed: bool = False
    """A grace period had ended and its change was applied."""
    grace_dropped: bool = False
    """The pod's revision moved on during a grace period, so its change was dropped."""
    requeue_after: float = 0.0
    """Seconds until a pending grace period ends; 0 when none is pending."""


class InPlaceUpdater:
    """In-place updates of pods through ``client``, timed by ``clock``; the pod label
    ``revision_key`` names each pod's revision."""

    def __init__(
        self,
        client: Client,
        *,
        clock: Clock | None = None,
        revision_key: str = REVISION_LABEL,
    ) -> None:
        self.client = client
        self.clock: Clock = clock or RealClock()
        self.revision_key = revision_key

    async def apply(
        self,
        pod: KubeObject,
        spec: UpdateSpec,
        *,
        grace_seconds: int = 0,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> UpdateResult:
        """Start updating ``pod`` to ``spec``; ``labels`` and ``annotations`` are set in
        the same write (a lifecycle state, say). With ``grace_seconds`` > 0 the images
        change in a later ``refresh``, ``requeue_after`` seconds from now."""
        if _missing_containers(pod, spec.container_images):
            return UpdateResult(Outcome.NOT_POSSIBLE, pod)
        if has_readiness_gate(pod):
            pod = await mark_not_ready(self.client, pod, clock=self.clock)

        state = InPlaceUpdateState(
            revision=spec.revision,
            update_timestamp=format_time(self.clock.wall()),
            last_container_statuses=_records(pod, spec.container_images),
        )
        metadata: dict[str, Any] = {
            "labels": {**(labels or {}), self.revision_key: spec.revision},
            "annotations": {**(annotations or {}), STATE_ANNOTATION: state.to_json()},
        }
        # Bare (v0.7.0) keys go: the prefixed ones we write take their place.
        stale = (LEGACY_STATE_ANNOTATION, *GRACE_ANNOTATIONS)
        metadata["annotations"].update({key: None for key in stale if key in pod_annotations(pod)})
        if grace_seconds > 0:
            metadata["annotations"][GRACE_ANNOTATION] = spec.with_grace(grace_seconds).to_json()
            written = await self._patch(pod, {"metadata": metadata})
            return UpdateResult(Outcome.GRACE_PENDING, written, requeue_after=float(grace_seconds))
        written = await self._patch(pod, _change(spec, metadata))
        return UpdateResult(Outcome.UPDATED, written)

    async def refresh(self, pod: KubeObject) -> RefreshResult:
        """Mark a completed update ready and finish an ended grace period."""
        marked_ready = False
        condition = get_condition(pod)
        if (
            has_readiness_gate(pod)
            and (condition is None or condition.get("status") != "True")
            and check_completed(pod, revision_key=self.revision_key).done
        ):
            pod = await mark_ready(self.client, pod, clock=self.clock)
            marked_ready = True
        if not has_pending_grace(pod):
            return RefreshResult(pod, marked_ready=marked_ready)
        return await self._finish_grace(pod, marked_ready)

    async def _finish_grace(self, pod: KubeObject, marked_ready: bool) -> RefreshResult:
        spec = read_grace(pod)
        assert spec is not None
        drop_grace = {key: None for key in GRACE_ANNOTATIONS if key in pod_annotations(pod)}
        revision = ((pod.get("metadata") or {}).get("labels") or {}).get(self.revision_key)
        if revision != spec.revision:
            # The pod was moved to another revision meanwhile: forget this change and let
            # the controller start over from the pod's current revision.
            written = await self._patch(pod, {"metadata": {"annotations": drop_grace}})
            return RefreshResult(written, marked_ready=marked_ready, grace_dropped=True)
        state = read_state(pod)
        if state is None:
            raise InPlaceUpdateError(
                f"pod {_pod_key(pod)} has an in-place update grace annotation but no state"
            )
        remaining = spec.grace_seconds - (self.clock.wall() - parse_time(state.update_timestamp))
        if remaining > 0:
            return RefreshResult(pod, marked_ready=marked_ready, requeue_after=math.ceil(remaining))
        missing = _missing_containers(pod, spec.container_images)
        if missing:
            raise InPlaceUpdateError(f"pod {_pod_key(pod)} has no container {', '.join(missing)}")
        written = await self._patch(pod, _change(spec, {"annotations": drop_grace}))
        return RefreshResult(written, marked_ready=marked_ready, images_changed=True)

    async def _patch(self, pod: KubeObject, patch: KubeObject) -> KubeObject:
        metadata = pod.get("metadata") or {}
        body = copy.deepcopy(patch)
        if metadata.get("resourceVersion"):
            body.setdefault("metadata", {})["resourceVersion"] = metadata["resourceVersion"]
        return await self.client.patch(
            PODS,
            metadata["name"],
            body,
            metadata.get("namespace"),
            patch_type=PatchType.STRATEGIC,
        )


def refresh_pending(pod: Mapping[str, Any]) -> bool:
    """Whether ``InPlaceUpdater.refresh`` has anything to look at: a grace period, or a
    readiness gate whose condition is not True. When False, ``refresh`` would return the
    pod untouched, so a controller may skip it (and the task it would cost)."""
    if has_pending_grace(pod):
        return True
    if not has_readiness_gate(pod):
        return False
    condition = get_condition(pod)
    return condition is None or condition.get("status") != "True"


def _change(spec: UpdateSpec, metadata: Mapping[str, Any]) -> KubeObject:
    """A strategic merge patch with the spec's metadata patch, then ``metadata`` (which
    wins), and the new images (containers merge by name)."""
    patch: KubeObject = copy.deepcopy(dict(spec.metadata_patch or {}))
    merged = patch.setdefault("metadata", {})
    for key, values in metadata.items():
        if isinstance(values, Mapping) and isinstance(merged.get(key), dict):
            merged[key].update(values)
        else:
            merged[key] = copy.deepcopy(values)
    if spec.container_images:
        containers = [{"name": n, "image": i} for n, i in spec.container_images.items()]
        patch.setdefault("spec", {})["containers"] = containers
    return patch


def _records(pod: Mapping[str, Any], images: Mapping[str, str]) -> dict[str, ContainerRecord]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return {
        s["name"]: ContainerRecord(str(s.get("imageID") or ""), str(s.get("containerID") or ""))
        for s in statuses
        if s.get("name") in images
    }


def _missing_containers(pod: Mapping[str, Any], images: Mapping[str, str]) -> list[str]:
    names = {c.get("name") for c in (pod.get("spec") or {}).get("containers") or []}
    return sorted(name for name in images if name not in names)


def _pod_key(pod: Mapping[str, Any]) -> str:
    return f"{namespace_of(pod)}/{name_of(pod)}"
