"""BroadcastJob defaults: OpenKruise v0.7.0's ``SetDefaultsBroadcastJob``.

The pod-spec defaults of :mod:`kruise.apis.apps.defaults.pod` (so ``restartPolicy`` becomes
Always when unset, which validation then refuses: a BroadcastJob must say Never or
OnFailure), ``completionPolicy.type`` Always, ``parallelism`` 2147483647 and
``failurePolicy.type`` FailFast.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.defaults._fill import fill, fill_zero, member
from kruise.apis.apps.defaults.pod import default_pod_template
from kruise.apis.apps.intstr import BROADCASTJOB_DEFAULT_PARALLELISM


def default_broadcastjob(job: Mapping[str, Any]) -> dict[str, Any]:
    """A defaulted copy of ``job``; the argument is not changed."""
    out = copy.deepcopy(dict(job))
    spec = member(out, "spec")
    if spec is not None:
        default_broadcastjob_spec(spec)
    return out


def default_broadcastjob_spec(spec: dict[str, Any]) -> None:
    """Default a BroadcastJobSpec in place."""
    default_pod_template(spec)
    completion = member(spec, "completionPolicy")
    if completion is not None:
        fill_zero(completion, "type", "Always")
    fill(spec, "parallelism", BROADCASTJOB_DEFAULT_PARALLELISM)
    failure = member(spec, "failurePolicy")
    if failure is not None:
        fill_zero(failure, "type", "FailFast")
