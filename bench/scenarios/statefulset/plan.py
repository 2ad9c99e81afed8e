"""What the Advanced StatefulSet benchmarks measure and with which sizes: scenario,
contender, phase and metric names, goals, and which phases each contender runs."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..common.cluster import DEFAULT_BURST, DEFAULT_QPS, OPENKRUISE_GO, OURS

PACKAGE = Path(__file__).resolve().parent
"""This package; ``python <PACKAGE> run ...`` is one run of one contender."""

PARALLEL = "asts-parallel-500"
ORDERED = "asts-ordered-50"
INPLACE = "asts-inplace-500"
SCENARIOS = (PARALLEL, ORDERED, INPLACE)

OPENKRUISE = OPENKRUISE_GO
KCM = "kcm-statefulset"
CONTENDERS = (OURS, OPENKRUISE, KCM)
MANAGERS = (OURS, OPENKRUISE)

# One phase per scenario. A run does them in this order in one cluster and one manager
# process: the small OrderedReady set first, then the Parallel scale-out, then the
# in-place update of a set of its own.
PHASE_OF_SCENARIO = {ORDERED: "ordered", PARALLEL: "parallel", INPLACE: "inplace"}
PHASES = ("ordered", "parallel", "inplace")
POLICY = {"ordered": "OrderedReady", "parallel": "Parallel", "inplace": "Parallel"}

RESOURCE_METRICS = ("cpu_seconds", "peak_rss_mb")
METRICS: dict[str, tuple[str, ...]] = {
    PARALLEL: ("seconds_all_ready", *RESOURCE_METRICS),
    ORDERED: ("seconds_all_ready", *RESOURCE_METRICS),
    INPLACE: ("seconds_all_updated_ready", *RESOURCE_METRICS),
}
PEERS: dict[str, tuple[str, ...]] = {
    PARALLEL: (OPENKRUISE, KCM),
    ORDERED: (OPENKRUISE, KCM),
    INPLACE: (OPENKRUISE,),
}
GOALS: dict[tuple[str, str], float] = {
    (PARALLEL, OPENKRUISE): 1.0,
    (PARALLEL, KCM): 1.0,
    (ORDERED, OPENKRUISE): 1.0,
    (ORDERED, KCM): 1.0,
    (INPLACE, OPENKRUISE): 1.0,
}

ASTS_API = "apps.kruise.io/v1beta1"
"""Both managers store and reconcile Advanced StatefulSets as v1beta1."""
NAMES = {"ordered": "asts-ordered", "parallel": "asts-parallel", "inplace": "asts-inplace"}
"""Each phase's StatefulSet, alone in a namespace of the same name."""


def peers_for(scenario: str, metric: str) -> tuple[str, ...]:
    """The peers of a metric: the process figures are the managers' only."""
    return (OPENKRUISE,) if metric in RESOURCE_METRICS else PEERS[scenario]


@dataclass(frozen=True)
class Sizes:
    runs: int
    parallel_pods: int
    ordered_pods: int
    inplace_pods: int
    qps: float
    burst: int

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> Sizes:
        quick = bool(getattr(args, "quick", False))
        return cls(
            runs=getattr(args, "runs", None) or 1,
            parallel_pods=getattr(args, "asts_parallel_pods", None) or (50 if quick else 500),
            ordered_pods=getattr(args, "asts_ordered_pods", None) or (10 if quick else 50),
            inplace_pods=getattr(args, "asts_inplace_pods", None) or (50 if quick else 500),
            qps=getattr(args, "client_qps", None) or DEFAULT_QPS,
            burst=getattr(args, "client_burst", None) or DEFAULT_BURST,
        )

    def pods(self, phase: str) -> int:
        return {
            "ordered": self.ordered_pods,
            "parallel": self.parallel_pods,
            "inplace": self.inplace_pods,
        }[phase]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """bench/run.py's options for these scenarios (the client limits are shared with the
    CloneSet scenarios: ``--client-qps``, ``--client-burst``)."""
    parser.add_argument(
        "--asts-parallel-pods", type=int, help=f"pods of {PARALLEL} (default 500, quick 50)"
    )
    parser.add_argument(
        "--asts-ordered-pods", type=int, help=f"pods of {ORDERED} (default 50, quick 10)"
    )
    parser.add_argument(
        "--asts-inplace-pods", type=int, help=f"pods of {INPLACE} (default 500, quick 50)"
    )


def phases_for(contender: str, chosen: Iterable[str]) -> tuple[str, ...]:
    """The phases a contender runs for the chosen scenarios, in run order (empty: it does
    not run). kube-controller-manager has no in-place update."""
    wanted = {PHASE_OF_SCENARIO[s] for s in chosen if s in PHASE_OF_SCENARIO}
    if contender not in MANAGERS:
        wanted.discard("inplace")
    return tuple(p for p in PHASES if p in wanted)


def deadline(phase: str, pods: int) -> float:
    """How long a phase may take before the run gives up on it. OrderedReady waits for
    each pod in turn (a few seconds each on a busy machine)."""
    per_pod = {"ordered": 5.0, "parallel": 0.5, "inplace": 1.0}[phase]
    return 120 + per_pod * pods
