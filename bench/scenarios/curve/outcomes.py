"""From each run's /proc readings to the figures and the records (pure).

A run's result holds the manager's readings just before the first scale request
(``baseline``: VmRSS once its caches held the foreign pods and it had reconciled the
CloneSet at 0, and utime + stime) and at the end of each step (``steps``, in order, up to
the first that failed).

- ``cpu_seconds_per_pod``: the step's own CPU over the pods it added. The windows are
  back to back (each starts where the one before ended), so no CPU falls between them;
  a per-step figure shows a per-pod cost that grows with the cluster directly, where a
  cumulative average would blur it with the cheaper steps before.
- ``rss_mb_per_1000_pods``: (VmRSS at the end of the step - the baseline VmRSS) / size
  x 1000. Without the baseline the figure would be mostly the runtime itself (an
  interpreter and its imports against a Go binary) and the 10,000 foreign pods (which
  ``informer-10k-pods`` and ``manager-resources`` measure), spread over the CloneSet's
  pods; above it, it is what holding and managing the CloneSet's pods costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import report

from ..common.cluster import OPENKRUISE_VERSION, SCHEDULER_QPS, node_count
from .plan import (
    CPU,
    CURVE,
    FLAT_GOAL,
    GOAL,
    METRICS,
    OPENKRUISE,
    OURS,
    RSS,
    Sizes,
    added_pods,
    metric_name,
)


def step_figures(result: dict[str, Any], sizes: Sequence[int]) -> dict[int, dict[str, float]]:
    """Each completed step's ``cpu_seconds_per_pod`` and ``rss_mb_per_1000_pods``."""
    baseline = result.get("baseline") or {}
    if "cpu_seconds" not in baseline or "rss_mb" not in baseline:
        return {}
    added = added_pods(sizes)
    figures: dict[int, dict[str, float]] = {}
    cpu_before = float(baseline["cpu_seconds"])
    for step in result.get("steps") or []:
        size = int(step["pods"])
        if size not in added:
            break
        cpu = float(step["cpu_seconds"])
        figures[size] = {
            CPU: (cpu - cpu_before) / added[size],
            RSS: (float(step["rss_mb"]) - float(baseline["rss_mb"])) / size * 1000,
        }
        cpu_before = cpu
    return figures


@dataclass
class Outcome:
    """A contender's runs: each run's JSON result, and why a run failed."""

    name: str
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # the contender could not run at all (build, setup)

    def figures(self, metric: str, size: int, sizes: Sequence[int]) -> list[float]:
        values = (step_figures(r, sizes).get(size, {}).get(metric) for r in self.results)
        return [v for v in values if v is not None]

    def why_not(self, metric: str, size: int, sizes: Sequence[int]) -> str | None:
        """Why there is no figure of ``metric`` at ``size``; None when there is one."""
        if self.figures(metric, size, sizes):
            return None
        if self.error:
            return self.error
        for result in reversed(self.results):
            errors = result.get("errors") or {}
            why = errors.get("curve") or errors.get("setup")
            if why:
                logs = f" (logs: {result['logs']})" if result.get("logs") else ""
                return f"{why}{logs}"
        return f"{self.name} did not run"


def context_note(sizes: Sizes, results: Sequence[dict[str, Any]]) -> str:
    nodes = next((r["nodes"] for r in results if r.get("nodes")), node_count(sizes.sizes[-1]))
    text = (
        f"one CloneSet scaled {' -> '.join(str(s) for s in (0, *sizes.sizes))} on {nodes} kwok "
        f"nodes, with {sizes.foreign} foreign pods (not the CloneSet's, Pending, no scheduler) "
        f"in the manager's cache; client QPS {sizes.qps:g}, burst {sizes.burst} for both "
        f"managers; kube-scheduler at QPS {SCHEDULER_QPS}; one fresh local cluster per "
        f"contender and run; openkruise-go = OpenKruise {OPENKRUISE_VERSION}'s manager; "
        "CPU = utime + stime of the step (back to back windows, each ending when the step's "
        "pods are Ready and the CloneSet's status says so) / pods the step added; "
        "RSS = VmRSS at the step's end minus VmRSS once the caches held the foreign pods, "
        "per 1000 of the CloneSet's pods"
    )
    ready = ready_note(sizes, results)
    return f"{text}; {ready}" if ready else text


def ready_note(sizes: Sizes, results: Sequence[dict[str, Any]]) -> str:
    """The seconds each step took and the idle manager's CPU per second, per contender
    (its first run), for context."""
    parts = []
    for result in results:
        steps = result.get("steps") or []
        if steps:
            times = ", ".join(f"{s['pods']}: {s.get('seconds_all_ready', 0):.0f}s" for s in steps)
            part = f"{result.get('contender')} steps Ready in {times}"
            if result.get("idle_cpu_per_second") is not None:
                part += f" (idle: {result['idle_cpu_per_second']:.3f} CPU s/s)"
            parts.append(part)
    seen: dict[str, str] = {}
    for part in parts:
        seen.setdefault(part.split(" ", 1)[0], part)
    return "; ".join(seen.values())


def make_records(sizes: Sizes, outcomes: dict[str, Outcome]) -> list[report.Record]:
    """Per size and metric, ours against openkruise-go (goal 1.0); then ours at the last
    size against ours at the first (``kruise-py@<first>``, goal 1.2): the flatness."""
    ours = outcomes.get(OURS) or Outcome(OURS, error=f"{OURS} did not run")
    peer = outcomes.get(OPENKRUISE) or Outcome(OPENKRUISE, error=f"{OPENKRUISE} did not run")
    context = context_note(sizes, [r for o in (ours, peer) for r in o.results])
    steps = sizes.sizes
    records = []
    for size in steps:
        for metric in METRICS:
            notes = [
                f"{o.name}: {why}" for o in (ours, peer) if (why := o.why_not(metric, size, steps))
            ]
            record = report.make_record(
                CURVE,
                metric_name(metric, size),
                ours.figures(metric, size, steps),
                OPENKRUISE,
                peer.figures(metric, size, steps),
                goal=GOAL,
                note="; ".join([*notes, context]),
            )
            records.append(without_shrunk_ratio(record))
    first, last = steps[0], steps[-1]
    notes = [f"ours at {s}: {why}" for s in (last, first) if (why := ours.why_not(CPU, s, steps))]
    notes.append(f"flatness: our {CPU} at {last} pods over ours at {first}; {context}")
    records.append(
        report.make_record(
            CURVE,
            metric_name(CPU, last),
            ours.figures(CPU, last, steps),
            f"{OURS}@{first}",
            ours.figures(CPU, first, steps),
            goal=FLAT_GOAL,
            note="; ".join(notes),
        )
    )
    return records


def without_shrunk_ratio(record: report.Record) -> report.Record:
    """No ratio when a side's RSS ended a step at or below its baseline: a process can
    give back memory freed after its start-up LIST (Go's scavenger does) faster than the
    pods take it, and a ratio of such a figure would say nothing (or flip its sign)."""
    values = (record["ours"], record["peer_value"])
    if not record["metric"].startswith(RSS) or not any(v is not None and v <= 0 for v in values):
        return record
    shrunk = [
        name
        for name, v in ((OURS, values[0]), (record["peer"], values[1]))
        if v is not None and v <= 0
    ]
    note = f"no ratio: the RSS of {' and '.join(shrunk)} was not above its baseline"
    return {**record, "ratio": None, "note": f"{note}; {record.get('note', '')}"}
