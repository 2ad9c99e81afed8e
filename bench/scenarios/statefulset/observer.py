"""What the ordered scale-out must show besides its time: that the controller kept the
OrderedReady order, each pod created only once the one below it was Ready (otherwise its
figure would not measure what it says)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..common.observer import pod_ready


@dataclass
class OrderCheck:
    """Watch events of a StatefulSet's pods, in the order they arrive."""

    seen: int = 0
    created: dict[int, int] = field(default_factory=dict)
    """ordinal -> the number of the event that first showed the pod."""
    ready: dict[int, int] = field(default_factory=dict)
    """ordinal -> the number of the event that first showed it Ready."""

    def observe(self, event_type: str, pod: dict[str, Any], _now: float = 0.0) -> None:
        self.seen += 1
        name = str(pod["metadata"].get("name") or "")
        ordinal = name.rpartition("-")[2]
        if event_type == "DELETED" or not ordinal.isdigit():
            return
        self.created.setdefault(int(ordinal), self.seen)
        if pod_ready(pod):
            self.ready.setdefault(int(ordinal), self.seen)

    def out_of_order(self) -> list[int]:
        """The ordinals whose pod appeared before the pod below it was Ready."""
        return [
            ordinal
            for ordinal, created in sorted(self.created.items())
            if ordinal > 0 and self.ready.get(ordinal - 1, created + 1) > created
        ]
