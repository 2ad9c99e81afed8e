"""What the CloneSet benchmarks measure and with which sizes: scenario, contender and
metric names, goals, client limits, and which phases each contender runs."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Shared with the other benchmarks on a local cluster; the tests read them here.
from ..common.cluster import DEFAULT_BURST, DEFAULT_QPS, NODE_PODS, node_count  # noqa: F401
from ..common.manifests import IMAGE, NEW_IMAGE  # noqa: F401

PACKAGE = Path(__file__).resolve().parent
"""This package; ``python <PACKAGE> run ...`` is one run of one contender."""

SCALE = "cloneset-scale-1000"
INPLACE = "cloneset-inplace-500"
RESOURCES = "manager-resources"
BASE_SCENARIOS = (SCALE, INPLACE, RESOURCES)
# The same three at client QPS 2000 / burst 4000 for every contender (kube-controller-
# manager included): the client's rate limit no longer hides the controller's own cost.
# A fresh cluster per contender, run and limit, as for the throttled ones.
FAST_QPS = 2000.0
FAST_BURST = 4000
FAST_SUFFIX = "-qps2000"
SCALE_FAST = SCALE + FAST_SUFFIX
INPLACE_FAST = INPLACE + FAST_SUFFIX
RESOURCES_FAST = RESOURCES + FAST_SUFFIX
FAST_SCENARIOS = (SCALE_FAST, INPLACE_FAST, RESOURCES_FAST)
SCENARIOS = (*BASE_SCENARIOS, *FAST_SCENARIOS)

OURS = "kruise-py"
OPENKRUISE = "openkruise-go"
KCM = "kcm-replicaset"
RAW = "raw-creator"
# The raw creator whose pods carry the InPlaceUpdateReady readiness gate and which sets
# that condition after each create: the API work an in-place-capable controller must do.
RAW_GATED = "raw-creator-gated"
CONTENDERS = (OURS, OPENKRUISE, KCM, RAW, RAW_GATED)
MANAGERS = (OURS, OPENKRUISE)
CREATORS = (RAW, RAW_GATED)

# (scenario, metric, peer) -> goal on ours / peer; "*" stands for every metric.
GOALS: dict[tuple[str, str, str], float] = {
    (SCALE, "*", OPENKRUISE): 1.0,
    (SCALE, "seconds_all_created", RAW): 1.2,
    (SCALE, "seconds_all_ready", RAW_GATED): 1.1,
    (INPLACE, "*", OPENKRUISE): 1.0,
    (RESOURCES, "peak_rss_mb", OPENKRUISE): 1.0,
    (SCALE_FAST, "*", OPENKRUISE): 1.0,
    (SCALE_FAST, "seconds_all_ready", RAW_GATED): 1.1,
    (INPLACE_FAST, "*", OPENKRUISE): 1.0,
    (RESOURCES_FAST, "*", OPENKRUISE): 1.0,
}


def goal_of(scenario: str, metric: str, peer: str) -> float | None:
    """The goal of one record, None when it has none."""
    found = GOALS.get((scenario, metric, peer))
    return found if found is not None else GOALS.get((scenario, "*", peer))


def base_of(scenario: str) -> str:
    """The throttled scenario a QPS 2000 one repeats (itself for a throttled one)."""
    return scenario.removesuffix(FAST_SUFFIX)


def is_fast(scenario: str) -> bool:
    return scenario in FAST_SCENARIOS


METRICS: dict[str, tuple[str, ...]] = {
    SCALE: ("seconds_all_created", "seconds_all_ready"),
    INPLACE: ("seconds_all_updated_ready",),
    RESOURCES: ("peak_rss_mb", "cpu_seconds"),
}
PEERS: dict[str, tuple[str, ...]] = {
    SCALE: (OPENKRUISE, KCM, RAW, RAW_GATED),
    INPLACE: (OPENKRUISE,),
    RESOURCES: (OPENKRUISE,),
}
# The phase a metric is measured in; the resources cover both phases.
PHASE_OF: dict[str, str] = {
    "seconds_all_created": "scale",
    "seconds_all_ready": "scale",
    "seconds_all_updated_ready": "inplace",
    "peak_rss_mb": "resources",
    "cpu_seconds": "resources",
}

SCALE_NAME = "bench-scale"
INPLACE_NAME = "bench-inplace"
CLONESET_API = "apps.kruise.io/v1alpha1"
# OpenKruise v1.9.0 stores CloneSets as v1beta1 and its controller works on v1beta1, so
# its side is driven in v1beta1 (v1alpha1 would add a conversion webhook call to every
# read and write). kruise-py serves both versions too but stores v1alpha1, the version
# its CloneSet controller works on, so its side is driven in v1alpha1, for the same reason.
API_VERSIONS = {OURS: CLONESET_API, OPENKRUISE: "apps.kruise.io/v1beta1"}


@dataclass(frozen=True)
class Sizes:
    runs: int
    scale_pods: int
    inplace_pods: int
    qps: float
    burst: int
    fast_qps: float = FAST_QPS
    fast_burst: int = FAST_BURST

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> Sizes:
        quick = bool(getattr(args, "quick", False))
        return cls(
            runs=getattr(args, "runs", None) or (1 if quick else 3),
            scale_pods=getattr(args, "cloneset_pods", None) or (100 if quick else 1000),
            inplace_pods=getattr(args, "inplace_pods", None) or (50 if quick else 500),
            qps=getattr(args, "client_qps", None) or DEFAULT_QPS,
            burst=getattr(args, "client_burst", None) or DEFAULT_BURST,
        )

    def limits(self, fast: bool) -> tuple[float, int]:
        """The client QPS and burst of every contender in a throttled or a fast run."""
        return (self.fast_qps, self.fast_burst) if fast else (self.qps, self.burst)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """bench/run.py's options for these scenarios."""
    parser.add_argument(
        "--cloneset-pods", type=int, help=f"pods of {SCALE} (default 1000, quick 100)"
    )
    parser.add_argument(
        "--inplace-pods", type=int, help=f"pods of {INPLACE} (default 500, quick 50)"
    )
    parser.add_argument(
        "--client-qps",
        type=float,
        help=(
            "client QPS of every contender of the CloneSet and StatefulSet scenarios "
            f"(default {DEFAULT_QPS:g}; a huge value is as good as no limit)"
        ),
    )
    parser.add_argument(
        "--client-burst",
        type=int,
        help=(
            "client burst of every contender of the CloneSet and StatefulSet scenarios "
            f"(default {DEFAULT_BURST})"
        ),
    )


def phases_for(contender: str, chosen: Iterable[str]) -> tuple[str, ...]:
    """The phases a contender runs for the chosen scenarios (empty: it does not run);
    the throttled names only (``base_of`` maps the QPS 2000 ones)."""
    chosen = set(chosen)
    phases = []
    if SCALE in chosen or (RESOURCES in chosen and contender in MANAGERS):
        phases.append("scale")
    if contender in MANAGERS and chosen & {INPLACE, RESOURCES}:
        phases.append("inplace")
    if contender not in MANAGERS and SCALE not in chosen:
        return ()
    return tuple(phases)


def scale_deadline(pods: int) -> float:
    return 120 + 0.5 * pods


def inplace_deadline(pods: int) -> float:
    return 120 + 1.0 * pods
