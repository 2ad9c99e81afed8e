"""CloneSet defaults: OpenKruise v0.7.0's ``SetDefaultsCloneSet``.

``replicas`` 1, ``revisionHistoryLimit`` 10, the pod-spec and claim-template defaults of
:mod:`kruise.apis.apps.defaults.pod`, and in ``updateStrategy``: ``type`` ReCreate,
``partition`` 0, ``maxUnavailable`` "20%", ``maxSurge`` 0, and ``inPlaceUpdateStrategy`` {}
for the in-place types.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.defaults._fill import fill, fill_zero, member
from kruise.apis.apps.defaults.pod import default_claim_templates, default_pod_template
from kruise.apis.apps.intstr import (
    CLONESET_DEFAULT_MAX_SURGE,
    CLONESET_DEFAULT_MAX_UNAVAILABLE,
    CLONESET_DEFAULT_PARTITION,
)

DEFAULT_REPLICAS = 1
DEFAULT_REVISION_HISTORY_LIMIT = 10
IN_PLACE_TYPES = ("InPlaceIfPossible", "InPlaceOnly")


def default_cloneset(
    cloneset: Mapping[str, Any], *, inject_template_defaults: bool = True
) -> dict[str, Any]:
    """A defaulted copy of ``cloneset``; the argument is not changed.

    ``inject_template_defaults`` False leaves the pod and claim templates alone, as
    OpenKruise does on an update that does not change the template."""
    out = copy.deepcopy(dict(cloneset))
    spec = member(out, "spec")
    if spec is None:
        return out
    fill(spec, "replicas", DEFAULT_REPLICAS)
    fill(spec, "revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT)
    if inject_template_defaults:
        default_pod_template(spec)
        default_claim_templates(spec)
    strategy = member(spec, "updateStrategy")
    if strategy is not None:
        fill_zero(strategy, "type", "ReCreate")
        if strategy["type"] in IN_PLACE_TYPES:
            fill(strategy, "inPlaceUpdateStrategy", {})
        fill(strategy, "partition", CLONESET_DEFAULT_PARTITION)
        fill(strategy, "maxUnavailable", CLONESET_DEFAULT_MAX_UNAVAILABLE)
        fill(strategy, "maxSurge", CLONESET_DEFAULT_MAX_SURGE)
    return out
