"""What the job benchmarks measure and with which sizes: scenario, contender, phase and
metric names, goals, and which phase each contender runs."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..common.cluster import DEFAULT_BURST, DEFAULT_QPS, OPENKRUISE_GO, OURS

PACKAGE = Path(__file__).resolve().parent
"""This package; ``python <PACKAGE> run ...`` is one run of one contender."""

BROADCAST = "broadcastjob-300-nodes"
CRON = "advancedcronjob-100"
SCENARIOS = (BROADCAST, CRON)

OPENKRUISE = OPENKRUISE_GO
KCM_DAEMONSET = "kcm-daemonset"
KCM_CRONJOB = "kcm-cronjob"
CONTENDERS = (OURS, OPENKRUISE, KCM_DAEMONSET, KCM_CRONJOB)
MANAGERS = (OURS, OPENKRUISE)

# One phase per scenario, each in a cluster of its own (300 nodes for the first, a few
# for the second), so a run of one contender is one phase.
PHASE_OF_SCENARIO = {BROADCAST: "broadcast", CRON: "cron"}
PHASES = ("broadcast", "cron")
NATIVE = {"broadcast": KCM_DAEMONSET, "cron": KCM_CRONJOB}
"""kube-controller-manager's counterpart of each phase."""

RESOURCE_METRICS = ("cpu_seconds", "peak_rss_mb")
METRICS: dict[str, tuple[str, ...]] = {
    BROADCAST: ("seconds_all_succeeded", *RESOURCE_METRICS),
    CRON: ("p99_seconds_late", *RESOURCE_METRICS),
}
PEERS: dict[str, tuple[str, ...]] = {
    BROADCAST: (OPENKRUISE, KCM_DAEMONSET),
    CRON: (OPENKRUISE, KCM_CRONJOB),
}
GOALS: dict[tuple[str, str], float] = {
    (BROADCAST, OPENKRUISE): 1.0,
    (CRON, OPENKRUISE): 1.0,
    (CRON, KCM_CRONJOB): 1.0,
}
PEER_METRIC: dict[tuple[str, str], str] = {
    ("seconds_all_succeeded", KCM_DAEMONSET): "seconds_all_ready",
}
"""A peer's figure measured under another name: a DaemonSet's pods never finish, so its
reference is the time until they are all Ready."""

NAMES = {"broadcast": "bench-bcj", "cron": "bench-acj"}
"""Each phase's namespace; the BroadcastJob (or DaemonSet) has the same name."""
API = {OURS: "apps.kruise.io/v1alpha1", OPENKRUISE: "apps.kruise.io/v1beta1"}
"""The version each manager stores and reconciles BroadcastJobs and AdvancedCronJobs in
(neither CRD has a conversion webhook, so either version would do for both)."""


def peers_for(scenario: str, metric: str) -> tuple[str, ...]:
    """The peers of a metric: the process figures are the managers' only."""
    return (OPENKRUISE,) if metric in RESOURCE_METRICS else PEERS[scenario]


def peer_metric(metric: str, peer: str) -> str:
    """The name of ``peer``'s figure that stands beside our ``metric``."""
    return PEER_METRIC.get((metric, peer), metric)


@dataclass(frozen=True)
class Sizes:
    runs: int
    nodes: int
    cronjobs: int
    minutes: int
    qps: float
    burst: int

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> Sizes:
        quick = bool(getattr(args, "quick", False))
        return cls(
            runs=getattr(args, "runs", None) or 1,
            nodes=getattr(args, "bcj_nodes", None) or (30 if quick else 300),
            cronjobs=getattr(args, "acj_jobs", None) or (10 if quick else 100),
            minutes=getattr(args, "acj_minutes", None) or (1 if quick else 3),
            qps=getattr(args, "client_qps", None) or DEFAULT_QPS,
            burst=getattr(args, "client_burst", None) or DEFAULT_BURST,
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """bench/run.py's options for these scenarios (the client limits are shared with the
    CloneSet scenarios: ``--client-qps``, ``--client-burst``)."""
    parser.add_argument(
        "--bcj-nodes", type=int, help=f"kwok nodes of {BROADCAST} (default 300, quick 30)"
    )
    parser.add_argument("--acj-jobs", type=int, help=f"cron jobs of {CRON} (default 100, quick 10)")
    parser.add_argument(
        "--acj-minutes", type=int, help=f"scheduled minutes of {CRON} (default 3, quick 1)"
    )


def phases_for(contender: str, chosen: Iterable[str]) -> tuple[str, ...]:
    """The phases a contender runs for the chosen scenarios (empty: it does not run). A
    kube-controller-manager contender runs only its own phase."""
    wanted = {PHASE_OF_SCENARIO[s] for s in chosen if s in PHASE_OF_SCENARIO}
    if contender not in MANAGERS:
        wanted &= {p for p, native in NATIVE.items() if native == contender}
    return tuple(p for p in PHASES if p in wanted)


def broadcast_deadline(nodes: int) -> float:
    """How long the broadcast phase may take before the run gives up on it."""
    return 120 + 0.5 * nodes


CRON_GRACE = 60.0
"""How long after the last measured minute a child may still come (then it is missing)."""
