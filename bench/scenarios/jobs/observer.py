"""What the driver's watches see in the job scenarios: pods that succeeded (one per
node), and when each scheduled run's child Job appeared."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ACJ_SCHEDULED_AT = "apps.kruise.io/scheduled-at"
CRONJOB_SCHEDULED_AT = "batch.kubernetes.io/cronjob-scheduled-timestamp"


@dataclass
class SucceededTracker:
    """When ``want`` pods had succeeded; how many pods appeared and on how many nodes."""

    want: int
    t0: float = 0.0
    seen: set[str] = field(default_factory=set)
    succeeded: set[str] = field(default_factory=set)
    nodes: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    all_created_at: float | None = None
    all_succeeded_at: float | None = None

    def observe(self, event_type: str, pod: dict[str, Any], now: float) -> None:
        uid = pod["metadata"]["uid"]
        if event_type == "DELETED":
            return  # a finished pod stays counted
        self.seen.add(uid)
        node = ((pod.get("spec") or {}).get("nodeName")) or ""
        phase = (pod.get("status") or {}).get("phase")
        if phase == "Succeeded":
            self.succeeded.add(uid)
            self.nodes.add(node)
        elif phase == "Failed":
            self.failed.add(uid)
        if self.all_created_at is None and len(self.seen) >= self.want:
            self.all_created_at = now
        if self.all_succeeded_at is None and len(self.succeeded) >= self.want:
            self.all_succeeded_at = now

    @property
    def done(self) -> bool:
        return self.all_succeeded_at is not None

    def figures(self) -> dict[str, float]:
        if self.all_created_at is None or self.all_succeeded_at is None:
            raise ValueError("not done")
        return {
            "seconds_all_created": self.all_created_at - self.t0,
            "seconds_all_succeeded": self.all_succeeded_at - self.t0,
            "pods_created": float(len(self.seen)),
            "nodes_succeeded": float(len(self.nodes)),
            "pods_failed": float(len(self.failed)),
        }

    def progress(self) -> str:
        return f"{len(self.seen)}/{self.want} pods seen, {len(self.succeeded)} Succeeded"


def parse_time(text: str) -> float:
    """Unix seconds of an RFC 3339 time (``Z`` or an offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def scheduled_time(job: dict[str, Any]) -> float | None:
    """The run a cron child belongs to: the scheduled-time annotation of an
    AdvancedCronJob's or a CronJob's child, else the number its name ends with (Unix
    seconds for an AdvancedCronJob's child, minutes for a CronJob's)."""
    meta = job.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    for key in (ACJ_SCHEDULED_AT, CRONJOB_SCHEDULED_AT):
        if annotations.get(key):
            return parse_time(annotations[key])
    suffix = str(meta.get("name") or "").rpartition("-")[2]
    if not suffix.isdigit():
        return None
    number = int(suffix)
    return float(number if number > 10**9 else number * 60)


@dataclass
class LatenessTracker:
    """Each child of the measured runs (``slots``, Unix seconds): when the driver's watch
    received it and its ``creationTimestamp`` (whole seconds), both against the slot."""

    slots: frozenset[float]
    want: int
    received: dict[str, float] = field(default_factory=dict)
    """child name -> seconds late, by the watch's receive time (wall clock)."""
    created: dict[str, float] = field(default_factory=dict)
    """child name -> seconds late, by its creationTimestamp."""
    others: int = 0
    """Children of runs outside the measured ones."""

    def observe(self, event_type: str, job: dict[str, Any], wall: float) -> None:
        meta = job.get("metadata") or {}
        name = str(meta.get("name") or "")
        if event_type != "ADDED" or not name or name in self.received:
            return
        slot = scheduled_time(job)
        if slot is None or slot not in self.slots:
            self.others += 1
            return
        self.received[name] = wall - slot
        if meta.get("creationTimestamp"):
            self.created[name] = parse_time(meta["creationTimestamp"]) - slot

    @property
    def done(self) -> bool:
        return len(self.received) >= self.want

    def figures(self, missing_late: float) -> dict[str, float]:
        """p50, p99 and max of the lateness; a child that never came counts as
        ``missing_late`` seconds late (the time waited for it, a lower bound)."""
        missing = max(0, self.want - len(self.received))
        late = sorted([*self.received.values(), *([missing_late] * missing)])
        stamped = sorted(self.created.values())
        figures = {
            "p50_seconds_late": percentile(late, 0.50),
            "p99_seconds_late": percentile(late, 0.99),
            "max_seconds_late": late[-1] if late else math.nan,
            "children": float(len(self.received)),
            "missing_children": float(missing),
        }
        if stamped:
            figures["p99_seconds_late_by_creation_timestamp"] = percentile(stamped, 0.99)
        return figures

    def progress(self) -> str:
        return f"{len(self.received)}/{self.want} children of the measured runs"


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of sorted ``values`` (NaN when empty)."""
    if not values:
        return math.nan
    rank = max(1, math.ceil(share * len(values)))
    return float(values[rank - 1])
