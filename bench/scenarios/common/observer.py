"""What the driver's observer sees: Ready pods, the image a pod reports, the trackers
that time a phase from watch events, and a process's peak memory and CPU from /proc."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def pod_ready(pod: dict[str, Any]) -> bool:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def reports_image(pod: dict[str, Any], image: str) -> bool:
    """Every container's spec and status name ``image``."""
    containers = (pod.get("spec") or {}).get("containers") or []
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    if not containers or len(statuses) < len(containers):
        return False
    return all(c.get("image") == image for c in containers) and all(
        s.get("image") == image for s in statuses
    )


@dataclass
class ScaleTracker:
    """When the ``want``-th pod appeared and when ``want`` pods were Ready at once."""

    want: int
    t0: float = 0.0
    seen: set[str] = field(default_factory=set)
    ready: set[str] = field(default_factory=set)
    all_created_at: float | None = None
    all_ready_at: float | None = None

    def observe(self, event_type: str, pod: dict[str, Any], now: float) -> None:
        uid = pod["metadata"]["uid"]
        if event_type == "DELETED" or pod["metadata"].get("deletionTimestamp"):
            self.seen.discard(uid)
            self.ready.discard(uid)
            return
        self.seen.add(uid)
        if pod_ready(pod):
            self.ready.add(uid)
        else:
            self.ready.discard(uid)
        if self.all_created_at is None and len(self.seen) >= self.want:
            self.all_created_at = now
        if self.all_ready_at is None and len(self.ready) >= self.want:
            self.all_ready_at = now

    @property
    def done(self) -> bool:
        return self.all_ready_at is not None and self.all_created_at is not None

    def figures(self) -> dict[str, float]:
        if self.all_created_at is None or self.all_ready_at is None:
            raise ValueError("not done")
        return {
            "seconds_all_created": self.all_created_at - self.t0,
            "seconds_all_ready": self.all_ready_at - self.t0,
        }

    def progress(self) -> str:
        return f"{len(self.seen)}/{self.want} pods seen, {len(self.ready)} Ready"


@dataclass
class InPlaceTracker:
    """Done when the workload (a CloneSet or a StatefulSet) reports ``want`` updated Ready
    replicas for the new spec and ``want`` live pods report the new image and are Ready."""

    want: int
    image: str
    generation: int
    t0: float = 0.0
    updated: set[str] = field(default_factory=set)
    uids: set[str] = field(default_factory=set)
    status_ok: bool = False
    done_at: float | None = None

    def observe_pod(self, event_type: str, pod: dict[str, Any], now: float) -> None:
        uid = pod["metadata"]["uid"]
        if event_type == "DELETED" or pod["metadata"].get("deletionTimestamp"):
            self.updated.discard(uid)
        else:
            self.uids.add(uid)
            if pod_ready(pod) and reports_image(pod, self.image):
                self.updated.add(uid)
            else:
                self.updated.discard(uid)
        self._check(now)

    def observe_workload(self, obj: dict[str, Any], now: float) -> None:
        status = obj.get("status") or {}
        self.status_ok = (
            int(status.get("observedGeneration") or 0) >= self.generation
            and int(status.get("updatedReadyReplicas") or 0) == self.want
        )
        self._check(now)

    def _check(self, now: float) -> None:
        if self.done_at is None and self.status_ok and len(self.updated) >= self.want:
            self.done_at = now

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def figures(self) -> dict[str, float]:
        if self.done_at is None:
            raise ValueError("not done")
        return {"seconds_all_updated_ready": self.done_at - self.t0}

    def progress(self) -> str:
        state = "status done" if self.status_ok else "status not yet"
        return f"{len(self.updated)}/{self.want} pods updated and Ready, {state}"


def parse_proc(status_text: str, stat_text: str, clock_ticks: int) -> tuple[float, float]:
    """(peak RSS in MiB from VmHWM, CPU seconds from utime + stime) of one process."""
    peak_kb = 0
    for line in status_text.splitlines():
        if line.startswith("VmHWM:"):
            peak_kb = int(line.split()[1])
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat_text.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return peak_kb / 1024, (utime + stime) / clock_ticks


def proc_usage(pid: int) -> tuple[float, float]:
    """(peak RSS in MiB, CPU seconds) of process ``pid`` so far."""
    return parse_proc(
        Path(f"/proc/{pid}/status").read_text(),
        Path(f"/proc/{pid}/stat").read_text(),
        os.sysconf("SC_CLK_TCK"),
    )


def reset_peak(pid: int) -> bool:
    """Reset the process's peak RSS (VmHWM) to its current RSS (proc(5), clear_refs 5),
    so the next peak is one phase's own; False when the kernel does not allow it."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class ProcessMeter:
    """The CPU seconds and the peak RSS of one process over a measured window: ``start``
    when the clock starts (it resets the peak), ``figures`` when the phase is done."""

    pid: int | None
    cpu_at_start: float = 0.0
    peak_reset: bool = False

    def start(self) -> None:
        if self.pid is None:
            return
        self.peak_reset = reset_peak(self.pid)
        self.cpu_at_start = proc_usage(self.pid)[1]

    def figures(self) -> dict[str, float]:
        """``cpu_seconds`` since ``start`` and ``peak_rss_mb`` (since ``start`` when the
        peak could be reset, else since the process started); empty without a process."""
        if self.pid is None:
            return {}
        try:
            peak, cpu = proc_usage(self.pid)
        except OSError:  # it exited: the phase's error says why
            return {}
        return {"cpu_seconds": cpu - self.cpu_at_start, "peak_rss_mb": peak}
