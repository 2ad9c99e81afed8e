"""What the pod-management pass and the rolling-update pass share for one reconcile of
one Advanced StatefulSet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kruise.runtime.client import Client
from kruise.runtime.clock import Clock
from kruise.runtime.events import EventRecorder
from kruise.runtime.expectations import ResourceVersionExpectations, UpdateExpectations
from kruise.util.inplaceupdate import InPlaceUpdater


@dataclass(frozen=True)
class Deps:
    """Long-lived collaborators, one set per controller."""

    client: Client
    clock: Clock
    recorder: EventRecorder
    update_expectations: UpdateExpectations
    """In-place updates the cache has not shown yet, keyed by the set's key."""
    resource_versions: ResourceVersionExpectations
    """Pod writes the cache has not shown yet."""
    updater: InPlaceUpdater


@dataclass
class RollingInput:
    """The rolling-update pass's view, after pods were created, repaired and condemned
    pods deleted (OpenKruise ``rollingUpdateStatefulsetPods``)."""

    key: str
    """``namespace/name`` of the set: the expectations' key."""
    set: Mapping[str, Any]
    """The v1beta1 StatefulSet as cached."""
    update_set: Mapping[str, Any]
    """The set with the update revision's template applied."""
    current_revision: Mapping[str, Any]
    update_revision: Mapping[str, Any]
    revisions: Sequence[Mapping[str, Any]]
    """Every ControllerRevision of the set, oldest first."""
    pods: Sequence[Mapping[str, Any]]
    """Every pod the set owns, as listed at the start of the reconcile."""
    replicas: list[Mapping[str, Any] | None]
    """The pods in the ordinal range, indexed by ``ordinal - start``; None for a reserved
    ordinal. Entries created in this reconcile are the objects sent to the API server."""
    start: int
    """The first ordinal (``spec.ordinals.start``)."""
    min_ready_seconds: int
    status: dict[str, Any]
    """The status being built; the pass may adjust its counts."""
    now: float
    """Wall-clock time of this reconcile."""


@dataclass(frozen=True)
class RollingOutcome:
    """What the rolling-update pass asks of the reconcile."""

    requeue_after: float = 0.0
    """Seconds until a pod becomes available or an in-place grace period ends; 0: none."""
