"""The observer of the CloneSet scenarios: the shared one (``scenarios.common.observer``),
with the in-place tracker fed CloneSets."""

from __future__ import annotations

from ..common import observer as _common
from ..common.observer import ScaleTracker, parse_proc, pod_ready, proc_usage, reports_image

__all__ = [
    "InPlaceTracker",
    "ScaleTracker",
    "parse_proc",
    "pod_ready",
    "proc_usage",
    "reports_image",
]


class InPlaceTracker(_common.InPlaceTracker):
    """The shared in-place tracker; its workload is a CloneSet."""

    observe_cloneset = _common.InPlaceTracker.observe_workload
