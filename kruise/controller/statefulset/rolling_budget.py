"""How many pods of an Advanced StatefulSet are unavailable, and the arithmetic that keeps
a rolling update within ``maxUnavailable``.

A pod in the ordinal range counts as unavailable while any of these holds (OpenKruise
v1.9): it is not healthy (not Running and Ready, terminating, or in a lifecycle state
other than ``Normal``); its in-place update has not completed; it has not been ready for
``minReadySeconds``. The update starts no pod while that many are unavailable, except
pods already unavailable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kruise.controller.statefulset.podstate import is_healthy, running_and_available
from kruise.runtime.meta import name_of
from kruise.util.inplaceupdate import check_completed

Pod = Mapping[str, Any]


def soonest(a: float, b: float) -> float:
    """The smaller of two delays, where 0 means none."""
    if a <= 0:
        return b
    if b <= 0:
        return a
    return min(a, b)


@dataclass
class Unavailable:
    """The names of the unavailable pods, and the soonest time (seconds from now) one of
    them becomes available by ``minReadySeconds`` alone (0: none)."""

    names: set[str] = field(default_factory=set)
    wait: float = 0.0

    def blocks(self, pod: Pod, max_unavailable: int) -> bool:
        """Whether updating ``pod`` would take one pod too many: ``max_unavailable`` are
        unavailable already and ``pod`` is not one of them."""
        return len(self.names) >= max_unavailable and name_of(pod) not in self.names


def unavailable_pods(
    replicas: Sequence[Pod | None], min_ready_seconds: int, now: float
) -> Unavailable:
    """The unavailable pods among ``replicas`` (None entries are reserved ordinals)."""
    found = Unavailable()
    for pod in replicas:
        if pod is None:
            continue
        if not is_healthy(pod) or not check_completed(pod).done:
            found.names.add(name_of(pod))
            continue
        available, wait = running_and_available(pod, min_ready_seconds, now)
        if not available:
            found.names.add(name_of(pod))
            found.wait = soonest(found.wait, wait)
    return found
