"""A CloneSet's scale and update strategy, resolved once per sync from its spec.

The int-or-percent fields resolve against ``replicas`` with the CloneSet's rounding
(``kruise.apis.apps.intstr``): partition and maxSurge round up, maxUnavailable rounds up
unless maxSurge resolves above 0, and ``scaleStrategy.maxUnavailable`` rounds up. What the
manager's flags decide for every CloneSet (``CloneSetOptions``) and what the CloneSet's
labels ask for are folded in too. The scale and update phases read only the result.

A stored bare numeric string (``partition: "2"``) is read as a percentage, as OpenKruise
read it; ``deprecated_int_or_percent_fields`` names such fields for a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kruise.apis.apps.intstr import (
    cloneset_max_surge,
    cloneset_max_unavailable,
    cloneset_partition,
    is_deprecated_int_or_percent,
    stored_scaled_value,
)
from kruise.apis.apps.v1alpha1 import (
    CLONESET_SCALING_EXCLUDE_PREPARING_DELETE_LABEL,
    RECREATE,
)
from kruise.util.features import PREPARING_UPDATE_AS_UPDATE, FeatureGates
from kruise.util.rollout import Rollout, min_ready_seconds_of, replicas_of


@dataclass(frozen=True)
class CloneSetOptions:
    """What the manager's flags set for every CloneSet."""

    scaling_exclude_preparing_delete: bool = False
    """``--cloneset-scaling-exclude-preparing-delete``."""
    features: FeatureGates = field(default_factory=FeatureGates)
    """``--feature-gates``."""


@dataclass(frozen=True)
class CloneSetStrategy(Rollout):
    """The rollout numbers plus what only a CloneSet has."""

    update_type: str = RECREATE
    """``ReCreate`` (also when unset), ``InPlaceIfPossible`` or ``InPlaceOnly``."""
    in_place_grace_seconds: int = 0
    """How long a pod stays not ready before its containers change in place."""
    pods_to_delete: tuple[str, ...] = ()
    """``scaleStrategy.podsToDelete``: pods named for deletion."""
    scale_max_unavailable: int | None = None
    """``scaleStrategy.maxUnavailable``: scale-out stops while this many pods are
    unavailable; None: no limit."""
    disable_pvc_reuse: bool = False
    """``scaleStrategy.disablePVCReuse``: claims left without a pod are deleted."""
    exclude_preparing_delete: bool = False
    """Pods in ``PreparingDelete`` do not count towards replicas when scaling out (the
    CloneSet's label, or the manager's flag)."""
    preparing_update_as_update: bool = False
    """Scaling counts pods in ``PreparingUpdate`` as updated (the feature gate)."""


def resolve_strategy(
    spec: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    options: CloneSetOptions | None = None,
) -> CloneSetStrategy:
    """Resolve ``spec`` (and the CloneSet's ``labels``) under the manager's ``options``;
    raises ``IntOrPercentError`` for a malformed int-or-percent."""
    options = options or CloneSetOptions()
    replicas = replicas_of(spec)
    update = spec.get("updateStrategy") or {}
    in_place = update.get("inPlaceUpdateStrategy") or {}
    scale = spec.get("scaleStrategy") or {}
    scale_max_unavailable = scale.get("maxUnavailable")
    exclude = (labels or {}).get(CLONESET_SCALING_EXCLUDE_PREPARING_DELETE_LABEL) == "true"
    return CloneSetStrategy(
        replicas=replicas,
        partition=cloneset_partition(update.get("partition"), replicas),
        max_unavailable=cloneset_max_unavailable(
            update.get("maxUnavailable"), update.get("maxSurge"), replicas
        ),
        max_surge=cloneset_max_surge(update.get("maxSurge"), replicas),
        min_ready_seconds=min_ready_seconds_of(spec),
        paused=bool(update.get("paused")),
        update_type=str(update.get("type") or RECREATE),
        in_place_grace_seconds=int(in_place.get("gracePeriodSeconds") or 0),
        pods_to_delete=tuple(scale.get("podsToDelete") or ()),
        scale_max_unavailable=None
        if scale_max_unavailable is None
        else stored_scaled_value(scale_max_unavailable, replicas, round_up=True),
        disable_pvc_reuse=bool(scale.get("disablePVCReuse")),
        exclude_preparing_delete=exclude or options.scaling_exclude_preparing_delete,
        preparing_update_as_update=options.features.enabled(PREPARING_UPDATE_AS_UPDATE),
    )


_INT_OR_PERCENT_FIELDS = (
    ("updateStrategy", "partition"),
    ("updateStrategy", "maxSurge"),
    ("updateStrategy", "maxUnavailable"),
    ("scaleStrategy", "maxUnavailable"),
)


def deprecated_int_or_percent_fields(spec: Mapping[str, Any]) -> list[str]:
    """The paths of int-or-percent fields in ``spec`` holding a bare numeric string."""
    found = []
    for parent, name in _INT_OR_PERCENT_FIELDS:
        section = spec.get(parent)
        if isinstance(section, Mapping) and is_deprecated_int_or_percent(section.get(name)):
            found.append(f"spec.{parent}.{name}")
    return found
