"""Advanced StatefulSet defaults (v1beta1 form), as OpenKruise v1.9's ``SetDefaultsStatefulSet``
with its default feature gates.

``podManagementPolicy`` OrderedReady; ``updateStrategy.type`` RollingUpdate, and for a
rolling update a ``rollingUpdate`` with ``partition`` 0, ``maxUnavailable`` 1,
``podUpdatePolicy`` ReCreate and ``minReadySeconds`` 0; a
``persistentVolumeClaimRetentionPolicy`` with ``whenDeleted`` and ``whenScaled`` Retain;
``ordinals.start`` 0 when ``ordinals`` is given; ``replicas`` 1, ``revisionHistoryLimit``
10; the pod-spec and claim-template defaults of :mod:`kruise.apis.apps.defaults.pod`.
``scaleStrategy`` and ``lifecycle`` have no defaults (no scale limit, no hooks). The
webhook defaults a v1alpha1 object in its v1beta1 form and converts the result back.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.defaults._fill import existing, fill, fill_zero, member
from kruise.apis.apps.defaults.pod import default_claim_templates, default_pod_template
from kruise.apis.apps.intstr import STATEFULSET_DEFAULT_MAX_UNAVAILABLE
from kruise.apis.apps.v1beta1.statefulset import RETAIN_PERSISTENT_VOLUME_CLAIM

DEFAULT_REPLICAS = 1
DEFAULT_REVISION_HISTORY_LIMIT = 10


def default_statefulset(
    sts: Mapping[str, Any], *, inject_template_defaults: bool = True
) -> dict[str, Any]:
    """A defaulted copy of ``sts``; the argument is not changed.

    ``inject_template_defaults`` False leaves the pod and claim templates alone, as
    OpenKruise does on an update that does not change the template."""
    out = copy.deepcopy(dict(sts))
    spec = member(out, "spec")
    if spec is None:
        return out
    fill_zero(spec, "podManagementPolicy", "OrderedReady")
    strategy = member(spec, "updateStrategy")
    if strategy is not None:
        fill_zero(strategy, "type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            rolling = member(strategy, "rollingUpdate")
            if rolling is not None:
                fill(rolling, "partition", 0)
                fill(rolling, "maxUnavailable", STATEFULSET_DEFAULT_MAX_UNAVAILABLE)
                fill_zero(rolling, "podUpdatePolicy", "ReCreate")
                fill(rolling, "minReadySeconds", 0)
    retention = member(spec, "persistentVolumeClaimRetentionPolicy")
    if retention is not None:
        fill_zero(retention, "whenDeleted", RETAIN_PERSISTENT_VOLUME_CLAIM)
        fill_zero(retention, "whenScaled", RETAIN_PERSISTENT_VOLUME_CLAIM)
    ordinals = existing(spec, "ordinals")
    if ordinals is not None:
        fill(ordinals, "start", 0)
    fill(spec, "replicas", DEFAULT_REPLICAS)
    fill(spec, "revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT)
    if inject_template_defaults:
        default_pod_template(spec)
        default_claim_templates(spec)
    return out
