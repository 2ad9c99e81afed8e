"""What the scale and update phases share for one reconcile of one CloneSet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kruise.controller.cloneset.revision import Revisions
from kruise.controller.cloneset.sync.strategy import CloneSetOptions, CloneSetStrategy
from kruise.runtime.client import Client
from kruise.runtime.clock import Clock
from kruise.runtime.events import EventRecorder
from kruise.runtime.expectations import (
    ResourceVersionExpectations,
    ScaleExpectations,
    UpdateExpectations,
)
from kruise.util import lifecycle
from kruise.util.inplaceupdate import InPlaceUpdater


@dataclass(frozen=True)
class Deps:
    """Long-lived collaborators, one set per controller."""

    client: Client
    clock: Clock
    recorder: EventRecorder
    scale_expectations: ScaleExpectations
    update_expectations: UpdateExpectations
    resource_versions: ResourceVersionExpectations
    updater: InPlaceUpdater
    options: CloneSetOptions = field(default_factory=CloneSetOptions)
    """What the manager's flags set for every CloneSet (feature gates and the like)."""


@dataclass(frozen=True)
class SyncInput:
    """One reconcile's view: the CloneSet, its resolved strategy, its revisions and what
    it owns."""

    key: str
    cloneset: Mapping[str, Any]
    strategy: CloneSetStrategy
    """The spec's replicas, partition, surge and the rest, resolved once for this sync."""
    current: Mapping[str, Any]
    """The CloneSet with the current revision's template."""
    update: Mapping[str, Any]
    """The CloneSet with the update revision's template."""
    revisions: Revisions
    active: Sequence[Mapping[str, Any]]
    """Pods neither finished nor terminating."""
    all_pods: Sequence[Mapping[str, Any]]
    """Every pod the CloneSet owns, in any phase."""
    claims: Sequence[Mapping[str, Any]]

    @property
    def spec(self) -> Mapping[str, Any]:
        return self.cloneset.get("spec") or {}

    @property
    def namespace(self) -> str:
        return str(self.cloneset["metadata"].get("namespace") or "")


async def set_lifecycle_state(deps: Deps, pod: Mapping[str, Any], state: str) -> None:
    """Move ``pod`` to lifecycle ``state`` (``NotFound`` once it is gone, even if another
    pod took its name) and wait for the cache to show the write before acting on the pod
    again."""
    patch = lifecycle.state_patch(pod, state, deps.clock.wall())
    written = await lifecycle.patch_state(deps.client, pod, patch)
    deps.resource_versions.expect(written)
