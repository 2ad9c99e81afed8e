"""Each contender's runs, and the records they make: ours against every peer, per
scenario (one phase each), with a note saying why a figure is missing and what the
numbers were measured on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import report

from ..common.cluster import OPENKRUISE_VERSION, SCHEDULER_QPS, node_count
from .plan import (
    GOALS,
    INPLACE,
    KCM,
    METRICS,
    OURS,
    PHASE_OF_SCENARIO,
    POLICY,
    RESOURCE_METRICS,
    SCENARIOS,
    Sizes,
    peers_for,
)


@dataclass
class Outcome:
    """A contender's runs: each run's JSON result, and why a run or phase failed."""

    name: str
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # the contender could not run at all (build, setup)

    def figures(self, phase: str, metric: str) -> list[float]:
        values = (phase_figure(r, phase, metric) for r in self.results)
        return [float(v) for v in values if v is not None]

    def why_not(self, phase: str, metric: str) -> str | None:
        """Why ``metric`` of ``phase`` has no figure from this contender; None if it has."""
        if self.figures(phase, metric):
            return None
        if self.error:
            return self.error
        for result in reversed(self.results):
            errors = result.get("errors") or {}
            why = errors.get(phase) or errors.get("setup")
            if why:
                logs = f" (logs: {result['logs']})" if result.get("logs") else ""
                return f"{why}{logs}"
        return f"{self.name} did not run"


def phase_figure(result: dict[str, Any], phase: str, key: str) -> Any:
    """One figure of one phase of one run's result; None when it has none."""
    return ((result.get("phases") or {}).get(phase) or {}).get(key)


def context_note(
    scenario: str, metric: str, sizes: Sizes, results: Sequence[dict[str, Any]]
) -> str:
    phase = PHASE_OF_SCENARIO[scenario]
    pods = sizes.pods(phase)
    nodes = next((r["nodes"] for r in results if r.get("nodes")), node_count(pods))
    text = (
        f"{pods} pods, podManagementPolicy {POLICY[phase]}, on {nodes} kwok nodes; client QPS "
        f"{sizes.qps:g}, burst {sizes.burst} for every contender; one fresh local cluster per "
        f"contender and run (phases in the order OrderedReady, Parallel, in-place, each set "
        f"deleted before the next); openkruise-go = OpenKruise {OPENKRUISE_VERSION}'s manager"
    )
    if metric in RESOURCE_METRICS:
        return text + (
            "; the manager process over the measured window: CPU = utime + stime, peak = "
            "VmHWM, reset at the request (clear_refs), read when the last pod event arrived"
        )
    text += (
        f"; kube-scheduler at QPS {SCHEDULER_QPS}; times from the scale/update request to the "
        "last pod event seen by a pod watch in the driver"
    )
    if scenario != INPLACE:
        text += "; the same pod template (no readiness gate) for the Advanced and native sets"
    return text


WARNINGS = {
    "out_of_order_pods": "created pods before the one below was Ready, so not an "
    "OrderedReady scale-out (pods per run)",
    "recreated_pods": "recreated pods instead of updating in place (pods per run)",
}


def side_notes(scenario: str, ours: Outcome, peer: Outcome, metric: str) -> list[str]:
    """Why a side has no figure, what a side did that it should not have, and the
    figures of kube-controller-manager's process beside its times."""
    phase = PHASE_OF_SCENARIO[scenario]
    notes = []
    for label, outcome in (("ours", ours), (peer.name, peer)):
        if why := outcome.why_not(phase, metric):
            notes.append(f"{label}: {why}")
    for key, warning in WARNINGS.items():
        for outcome in (ours, peer):
            counts = [phase_figure(r, phase, key) for r in outcome.results]
            if any(counts):
                notes.append(f"{outcome.name} {warning}: {counts}")
    if peer.name == KCM and metric not in RESOURCE_METRICS:
        notes += kcm_process_note(peer, phase)
    return notes


def kcm_process_note(kcm: Outcome, phase: str) -> list[str]:
    cpu = report.median(kcm.figures(phase, "cpu_seconds"))
    rss = report.median(kcm.figures(phase, "peak_rss_mb"))
    if cpu is None or rss is None:
        return []
    return [
        f"kube-controller-manager (all its controllers) over the window: "
        f"{cpu:.2f} CPU seconds, peak RSS {rss:.0f} MiB (medians)"
    ]


def make_records(
    chosen: Iterable[str], sizes: Sizes, outcomes: dict[str, Outcome]
) -> list[report.Record]:
    """One record per chosen scenario, metric and peer, ours against each peer."""
    ours = outcomes.get(OURS) or Outcome(OURS, error=f"{OURS} did not run")
    all_results = [r for o in outcomes.values() for r in o.results]
    records = []
    for scenario in SCENARIOS:
        if scenario not in set(chosen):
            continue
        phase = PHASE_OF_SCENARIO[scenario]
        for metric in METRICS[scenario]:
            for peer_name in peers_for(scenario, metric):
                peer = outcomes.get(peer_name) or Outcome(
                    peer_name, error=f"{peer_name} did not run"
                )
                notes = side_notes(scenario, ours, peer, metric)
                notes.append(context_note(scenario, metric, sizes, all_results))
                records.append(
                    report.make_record(
                        scenario,
                        metric,
                        ours.figures(phase, metric),
                        peer_name,
                        peer.figures(phase, metric),
                        goal=GOALS.get((scenario, peer_name))
                        if metric not in RESOURCE_METRICS
                        else None,
                        note="; ".join(notes),
                    )
                )
    return records
