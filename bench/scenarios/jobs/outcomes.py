"""Each contender's runs, and the records they make: ours against every peer, per
scenario (one phase each), with a note saying why a figure is missing and what the
numbers were measured on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import report

from ..common.cluster import OPENKRUISE_VERSION, SCHEDULER_QPS
from ..common.outcomes import Outcome, phase_figure
from .plan import (
    BROADCAST,
    CRON,
    GOALS,
    KCM_CRONJOB,
    KCM_DAEMONSET,
    METRICS,
    OURS,
    PHASE_OF_SCENARIO,
    RESOURCE_METRICS,
    SCENARIOS,
    Sizes,
    peer_metric,
    peers_for,
)


def _medians(outcome: Outcome, phase: str, keys: Sequence[str]) -> dict[str, float | None]:
    return {key: report.median(outcome.figures(phase, key)) for key in keys}


def context_note(scenario: str, metric: str, sizes: Sizes) -> str:
    common = (
        f"client QPS {sizes.qps:g}, burst {sizes.burst} for every contender; one fresh local "
        f"cluster per contender and run; openkruise-go = OpenKruise {OPENKRUISE_VERSION}'s manager"
    )
    if scenario == BROADCAST:
        text = (
            f"one BroadcastJob (no parallelism limit, completionPolicy Always) over "
            f"{sizes.nodes} kwok nodes, its pods placed by kube-scheduler (at QPS "
            f"{SCHEDULER_QPS}) and succeeding 1-2.5 s after they start (kwok's stages); "
            f"{common}; {KCM_DAEMONSET} = a DaemonSet of the same pod, its figure the time "
            "until all its pods are Ready (they never finish)"
        )
        if metric not in RESOURCE_METRICS:
            text += "; times from the create request to the last pod event of a pod watch"
    else:
        text = (
            f"{sizes.cronjobs} cron jobs with '* * * * *' and a Job template (concurrency "
            f"Allow, history 3/1), {sizes.minutes} scheduled minute(s) measured, starting at "
            f"the first minute at least 15 s after they were created; {common}; "
            f"{KCM_CRONJOB} = as many native CronJobs"
        )
        if metric not in RESOURCE_METRICS:
            text += (
                "; late = when the driver's Job watch received the child (wall clock, "
                "sub-second) minus its scheduled minute; nearest-rank p99 over every child "
                "of the measured minutes, a child that never came counted as 60 s late"
            )
    if metric in RESOURCE_METRICS:
        text += (
            "; the manager process over the measured window: CPU = utime + stime, peak = "
            "VmHWM, reset at the window's start (clear_refs)"
        )
    return text


WARNINGS = {
    "pods_failed": "had pods fail (pods per run)",
    "missing_children": "did not create every child of the measured minutes (missing per run)",
}


def side_notes(scenario: str, ours: Outcome, peer: Outcome, metric: str) -> list[str]:
    """Why a side has no figure, what went wrong on a side, and the detail beside the
    main figure: other percentiles, the second-resolution figure, the process figures of
    kube-controller-manager."""
    phase = PHASE_OF_SCENARIO[scenario]
    notes = []
    for label, outcome, name in (("ours", ours, metric), (peer.name, peer, None)):
        wanted = name or peer_metric(metric, peer.name)
        if why := outcome.why_not(phase, wanted):
            notes.append(f"{label}: {why}")
    for key, warning in WARNINGS.items():
        for outcome in (ours, peer):
            counts = [phase_figure(r, phase, key) for r in outcome.results]
            if any(counts):
                notes.append(f"{outcome.name} {warning}: {counts}")
    if metric in RESOURCE_METRICS:
        return notes
    for outcome in (ours, peer):
        if detail := detail_note(scenario, outcome):
            notes.append(detail)
    if peer.name in (KCM_DAEMONSET, KCM_CRONJOB):
        notes += kcm_process_note(peer, phase)
    return notes


def detail_note(scenario: str, outcome: Outcome) -> str:
    phase = PHASE_OF_SCENARIO[scenario]
    if scenario == CRON:
        m = _medians(
            outcome,
            phase,
            ("p50_seconds_late", "max_seconds_late", "p99_seconds_late_by_creation_timestamp"),
        )
        if m["p50_seconds_late"] is None:
            return ""
        text = (
            f"{outcome.name} medians: p50 {m['p50_seconds_late']:.2f} s, "
            f"max {m['max_seconds_late'] or 0:.2f} s late"
        )
        stamped = m["p99_seconds_late_by_creation_timestamp"]
        if stamped is not None:
            text += f", p99 by creationTimestamp (whole seconds) {stamped:.0f} s"
        return text
    m = _medians(outcome, phase, ("seconds_all_created", "seconds_job_complete"))
    if m["seconds_all_created"] is None:
        return ""
    text = f"{outcome.name} medians: all pods created in {m['seconds_all_created']:.1f} s"
    if m["seconds_job_complete"] is not None:
        text += f", job Complete in {m['seconds_job_complete']:.1f} s"
    return text


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
                notes.append(context_note(scenario, metric, sizes))
                records.append(
                    report.make_record(
                        scenario,
                        metric,
                        ours.figures(phase, metric),
                        peer_name,
                        peer.figures(phase, peer_metric(metric, peer_name)),
                        goal=GOALS.get((scenario, peer_name))
                        if metric not in RESOURCE_METRICS
                        else None,
                        note="; ".join(notes),
                    )
                )
    return records
