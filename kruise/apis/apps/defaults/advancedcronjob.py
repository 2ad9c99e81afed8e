"""AdvancedCronJob defaults: OpenKruise v0.7.0's ``SetDefaultsAdvancedCronJob``.

The pod-spec defaults of :mod:`kruise.apis.apps.defaults.pod` on whichever template is set
(a Job's ``spec.template`` or a BroadcastJob's), ``concurrencyPolicy`` Allow, ``paused``
false, ``successfulJobsHistoryLimit`` 3 and ``failedJobsHistoryLimit`` 1. ``timeZone`` is
left unset (the controller reads unset as UTC).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.defaults._fill import existing, fill, fill_zero, member
from kruise.apis.apps.defaults.pod import default_pod_template

DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT = 3
DEFAULT_FAILED_JOBS_HISTORY_LIMIT = 1


def default_advancedcronjob(acj: Mapping[str, Any]) -> dict[str, Any]:
    """A defaulted copy of ``acj``; the argument is not changed."""
    out = copy.deepcopy(dict(acj))
    spec = member(out, "spec")
    if spec is None:
        return out
    template = existing(spec, "template") or {}
    for kind in ("jobTemplate", "broadcastJobTemplate"):
        child = existing(template, kind)
        child_spec = member(child, "spec") if child is not None else None
        if child_spec is not None:
            default_pod_template(child_spec)
    fill_zero(spec, "concurrencyPolicy", "Allow")
    fill(spec, "paused", False)
    fill(spec, "successfulJobsHistoryLimit", DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT)
    fill(spec, "failedJobsHistoryLimit", DEFAULT_FAILED_JOBS_HISTORY_LIMIT)
    return out
