"""The numbers a workload's rolling update works with, resolved once from its spec.

Every workload kind keeps the same few numbers in a different place of its spec and
rounds their percentages its own way (``kruise.apis.apps.intstr`` has each kind's rules).
A controller resolves them once per reconcile into a ``Rollout``, so the arithmetic
behind scaling and updating works with plain counts and never reads the raw spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_REPLICAS = 1


@dataclass(frozen=True)
class Rollout:
    """Counts resolved against ``replicas``; percentages are already rounded."""

    replicas: int
    partition: int
    """Pods kept at old revisions; may exceed ``replicas`` (readers cap it as they need)."""
    max_unavailable: int
    """Pods an update may make unavailable at once."""
    max_surge: int
    """Pods that may run above ``replicas`` while an update is under way."""
    min_ready_seconds: int = 0
    paused: bool = False


def replicas_of(spec: Mapping[str, Any]) -> int:
    """``spec.replicas``; unset means 1, as for every workload kind."""
    value = spec.get("replicas")
    return DEFAULT_REPLICAS if value is None else int(value)


def min_ready_seconds_of(spec: Mapping[str, Any]) -> int:
    """``spec.minReadySeconds``; unset means 0."""
    return int(spec.get("minReadySeconds") or 0)
