"""A BroadcastJob's status: the counts, the phase, and the ``Complete`` and ``Failed``
conditions, written through the status subresource only when something changed.

Conditions are merged by type, where OpenKruise appends them."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.v1alpha1 import PHASE_RUNNING
from kruise.runtime.client import KubeObject
from kruise.util.pods import format_time


def initial(job: Mapping[str, Any], wall: float) -> KubeObject:
    """The stored status to build on: ``startTime`` set the first time, phase ``running``
    when it has none."""
    status = copy.deepcopy(dict(job.get("status") or {}))
    status.setdefault("startTime", format_time(wall))
    if not status.get("phase"):
        status["phase"] = PHASE_RUNNING
    return status


def finish(status: KubeObject, cond_type: str, message: str, wall: float) -> None:
    """Mark ``status`` finished: a True condition of ``cond_type`` (its reason the type,
    as OpenKruise writes it) and ``completionTime``."""
    now = format_time(wall)
    condition = {
        "type": cond_type,
        "status": "True",
        "lastProbeTime": now,
        "lastTransitionTime": now,
        "reason": cond_type,
        "message": message,
    }
    others = [c for c in status.get("conditions") or () if c.get("type") != cond_type]
    status["conditions"] = [*others, condition]
    status["completionTime"] = now


def changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """Whether writing ``new`` would change the stored status."""
    return dict(old or {}) != dict(new)
