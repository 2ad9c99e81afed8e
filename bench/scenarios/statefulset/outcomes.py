"""Each contender's runs, and the records they make: ours against every peer, per
scenario (one phase each), with a note saying why a figure is missing and what the
numbers were measured on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import report

from ..common.cluster import OPENKRUISE_VERSION, SCHEDULER_QPS, node_count
from ..common.outcomes import Outcome, phase_figure
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
