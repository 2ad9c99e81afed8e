"""A CloneSet's scale and update strategy, resolved once per sync from its spec.

The int-or-percent fields resolve against ``replicas`` with the CloneSet's rounding
(``kruise.apis.apps.intstr``): partition and maxSurge round up, maxUnavailable rounds up
unless maxSurge resolves above 0. The scale and update phases read only the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.intstr import (
    cloneset_max_surge,
    cloneset_max_unavailable,
    cloneset_partition,
)
from kruise.apis.apps.v1alpha1 import RECREATE
from kruise.util.rollout import Rollout, min_ready_seconds_of, replicas_of


@dataclass(frozen=True)
class CloneSetStrategy(Rollout):
    """The rollout numbers plus what only a CloneSet has."""

    update_type: str = RECREATE
    """``ReCreate`` (also when unset), ``InPlaceIfPossible`` or ``InPlaceOnly``."""
    in_place_grace_seconds: int = 0
    """How long a pod stays not ready before its containers change in place."""
    pods_to_delete: tuple[str, ...] = ()
    """``scaleStrategy.podsToDelete``: pods named for deletion."""


def resolve_strategy(spec: Mapping[str, Any]) -> CloneSetStrategy:
    """Resolve ``spec``; raises ``IntOrPercentError`` for a malformed int-or-percent."""
    replicas = replicas_of(spec)
    update = spec.get("updateStrategy") or {}
    in_place = update.get("inPlaceUpdateStrategy") or {}
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
        pods_to_delete=tuple((spec.get("scaleStrategy") or {}).get("podsToDelete") or ()),
    )
