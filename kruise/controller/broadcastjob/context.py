"""What every reconcile of the BroadcastJob controller shares."""

from __future__ import annotations

from dataclasses import dataclass

from kruise.runtime.client import Client
from kruise.runtime.clock import Clock
from kruise.runtime.events import EventRecorder
from kruise.runtime.expectations import ScaleExpectations


@dataclass(frozen=True)
class Deps:
    """Long-lived collaborators, one set per controller."""

    client: Client
    clock: Clock
    recorder: EventRecorder
    scale_expectations: ScaleExpectations
    """Creations and deletions the cache has not shown yet, named by node."""
    assign_by_scheduler: bool = True
    """Pods reach their node through the scheduler (a required node affinity on
    ``metadata.name``); False sets ``spec.nodeName`` (``--assign-bcj-pods-by-scheduler``)."""
