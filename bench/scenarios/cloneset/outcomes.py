"""Each contender's runs, and the records they make: ours against every peer, with a
note saying why a figure is missing and what the numbers were measured on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import report

from ..common.cluster import OPENKRUISE_VERSION, SCHEDULER_QPS, node_count
from .plan import (
    INPLACE,
    METRICS,
    OURS,
    PEERS,
    PHASE_OF,
    RAW_GATED,
    RESOURCES,
    SCALE,
    SCENARIOS,
    Sizes,
    base_of,
    goal_of,
    is_fast,
)


@dataclass
class Outcome:
    """A contender's runs: each run's JSON result, and why a run or phase failed."""

    name: str
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # the contender could not run at all (build, setup)

    def figures(self, metric: str) -> list[float]:
        return [float(r[metric]) for r in self.results if r.get(metric) is not None]

    def why_not(self, metric: str) -> str | None:
        """Why ``metric`` has no figure from this contender; None when it has one."""
        if self.figures(metric):
            return None
        if self.error:
            return self.error
        phase = PHASE_OF[metric]
        for result in reversed(self.results):
            errors = result.get("errors") or {}
            why = errors.get(phase) or errors.get("setup")
            if why:
                logs = f" (logs: {result['logs']})" if result.get("logs") else ""
                return f"{why}{logs}"
        return f"{self.name} did not run"


def context_note(
    scenario: str, sizes: Sizes, results: Sequence[dict[str, Any]], *, fast: bool = False
) -> str:
    """What a record of ``scenario`` (a throttled name) was measured on."""
    pods = sizes.inplace_pods if scenario == INPLACE else sizes.scale_pods
    nodes = next((r["nodes"] for r in results if r.get("nodes")), node_count(pods))
    qps, burst = sizes.limits(fast)
    text = (
        f"{pods} pods on {nodes} kwok nodes; client QPS {qps:g}, burst {burst} "
        f"for every contender; one fresh local cluster per contender and run; "
        f"openkruise-go = OpenKruise {OPENKRUISE_VERSION}'s manager"
    )
    if scenario != RESOURCES:
        text += (
            f"; kube-scheduler at QPS {SCHEDULER_QPS}; times from the scale/update request "
            "to the last pod event seen by a pod watch in the driver"
        )
    if scenario == SCALE:
        text += (
            "; CloneSet pods carry the InPlaceUpdateReady readiness gate, so Ready needs the "
            f"manager's condition write too (Deployment and raw-creator pods have none; "
            f"{RAW_GATED}'s pods have it and it patches the condition True after each create)"
        )
    if scenario == RESOURCES:
        text += (
            f"; the manager process over {SCALE} ({sizes.scale_pods} pods) and {INPLACE} "
            f"({sizes.inplace_pods} pods): peak = VmHWM since it started, CPU = utime + stime "
            "from the scale request to the end of the in-place update"
        )
    return text


def make_records(
    chosen: Iterable[str], sizes: Sizes, outcomes: dict[str, Outcome], *, fast: bool = False
) -> list[report.Record]:
    """One record per chosen scenario, metric and peer, ours against each peer; ``fast``:
    the outcomes are of runs at QPS 2000, for the chosen ``-qps2000`` scenarios."""
    ours = outcomes.get(OURS) or Outcome(OURS, error=f"{OURS} did not run")
    records = []
    all_results = [r for o in outcomes.values() for r in o.results]
    for scenario in SCENARIOS:
        if scenario not in set(chosen) or is_fast(scenario) != fast:
            continue
        base = base_of(scenario)
        context = context_note(base, sizes, all_results, fast=fast)
        for metric in METRICS[base]:
            for peer_name in PEERS[base]:
                peer = outcomes.get(peer_name) or Outcome(
                    peer_name, error=f"{peer_name} did not run"
                )
                records.append(
                    report.make_record(
                        scenario,
                        metric,
                        ours.figures(metric),
                        peer_name,
                        peer.figures(metric),
                        goal=goal_of(scenario, metric, peer_name),
                        note=record_note(base, metric, ours, peer, context),
                    )
                )
    return records


def record_note(scenario: str, metric: str, ours: Outcome, peer: Outcome, context: str) -> str:
    notes = []
    if why := ours.why_not(metric):
        notes.append(f"ours: {why}")
    if why := peer.why_not(metric):
        notes.append(f"{peer.name}: {why}")
    if scenario == INPLACE:
        notes += recreated_notes([ours, peer])
    notes.append(context)
    return "; ".join(notes)


def recreated_notes(outcomes: Sequence[Outcome]) -> list[str]:
    notes = []
    for outcome in outcomes:
        recreated = [r.get("recreated_pods") for r in outcome.results]
        if any(recreated):
            notes.append(f"{outcome.name} recreated pods instead of updating in place: {recreated}")
    return notes
