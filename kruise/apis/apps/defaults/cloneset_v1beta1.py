"""v1beta1 CloneSet defaults: OpenKruise v1.9's ``SetDefaultsCloneSetV1beta1``.

The same defaults as the v1alpha1 ones (:mod:`kruise.apis.apps.defaults.cloneset`), in
v1beta1's spelling: ``replicas`` 1, ``revisionHistoryLimit`` 10, the pod-spec and
claim-template defaults, ``updateStrategy.type`` RollingUpdate and, for RollingUpdate, in
``rollingUpdate``: ``podUpdatePolicy`` ReCreate, ``partition`` 0, ``maxUnavailable``
"20%", ``maxSurge`` 0, and ``inPlaceUpdateStrategy`` {} for the in-place policies. An
OnDelete strategy gets no ``rollingUpdate``. ``scaleStrategy.enablePVCReuse`` stays unset,
which means false.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.defaults._fill import fill, fill_zero, member
from kruise.apis.apps.defaults.cloneset import (
    DEFAULT_REPLICAS,
    DEFAULT_REVISION_HISTORY_LIMIT,
    IN_PLACE_TYPES,
)
from kruise.apis.apps.defaults.pod import default_claim_templates, default_pod_template
from kruise.apis.apps.intstr import (
    CLONESET_DEFAULT_MAX_SURGE,
    CLONESET_DEFAULT_MAX_UNAVAILABLE,
    CLONESET_DEFAULT_PARTITION,
)


def default_cloneset_v1beta1(
    cloneset: Mapping[str, Any], *, inject_template_defaults: bool = True
) -> dict[str, Any]:
    """A defaulted copy of the v1beta1 ``cloneset``; the argument is not changed.

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
    if strategy is None:
        return out
    fill_zero(strategy, "type", "RollingUpdate")
    if strategy["type"] != "RollingUpdate":
        return out
    rolling = member(strategy, "rollingUpdate")
    if rolling is not None:
        fill_zero(rolling, "podUpdatePolicy", "ReCreate")
        if rolling["podUpdatePolicy"] in IN_PLACE_TYPES:
            fill(rolling, "inPlaceUpdateStrategy", {})
        fill(rolling, "partition", CLONESET_DEFAULT_PARTITION)
        fill(rolling, "maxUnavailable", CLONESET_DEFAULT_MAX_UNAVAILABLE)
        fill(rolling, "maxSurge", CLONESET_DEFAULT_MAX_SURGE)
    return out
