"""What ``cloneset-scale-curve`` measures and with which sizes: names, goals, knobs."""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..common.cluster import DEFAULT_QPS, OPENKRUISE_GO, OURS

PACKAGE = Path(__file__).resolve().parent
"""This package; ``python <PACKAGE> run ...`` is one run of one contender."""

CURVE = "cloneset-scale-curve"
SCENARIOS = (CURVE,)

OPENKRUISE = OPENKRUISE_GO
CONTENDERS = (OURS, OPENKRUISE)

CPU = "cpu_seconds_per_pod"
RSS = "rss_mb_per_1000_pods"
METRICS = (CPU, RSS)
GOAL = 1.0
"""Against openkruise-go, for both metrics at every size."""
FLAT_GOAL = 1.2
"""Our per-pod CPU at the last size over ours at the first."""

DEFAULT_SIZES = (300, 1000, 3000)
QUICK_SIZES = (30, 100, 300)
DEFAULT_FOREIGN = 10_000
QUICK_FOREIGN = 1_000
FOREIGN_NAMESPACES = 10

NAMESPACE = "bench-curve"
NAME = "bench-curve"
API_VERSIONS = {OURS: "apps.kruise.io/v1alpha1", OPENKRUISE: "apps.kruise.io/v1beta1"}
"""The version each manager stores and reconciles (as for the CloneSet scenarios)."""


def metric_name(metric: str, size: int) -> str:
    return f"{metric}@{size}"


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"300,1000,3000"`` -> (300, 1000, 3000); strictly growing positive sizes."""
    sizes = tuple(int(s) for s in text.split(",") if s.strip())
    if not sizes or sizes[0] <= 0 or any(b <= a for a, b in itertools.pairwise(sizes)):
        raise ValueError(f"sizes must be positive and growing: {text!r}")
    return sizes


@dataclass(frozen=True)
class Sizes:
    runs: int
    sizes: tuple[int, ...]
    foreign: int
    qps: float
    burst: int

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> Sizes:
        quick = bool(getattr(args, "quick", False))
        text = getattr(args, "curve_sizes", None)
        qps = getattr(args, "curve_qps", None) or DEFAULT_QPS
        foreign = getattr(args, "curve_foreign_pods", None)
        return cls(
            runs=getattr(args, "runs", None) or (1 if quick else 3),
            sizes=parse_sizes(text) if text else (QUICK_SIZES if quick else DEFAULT_SIZES),
            foreign=(QUICK_FOREIGN if quick else DEFAULT_FOREIGN) if foreign is None else foreign,
            qps=qps,
            burst=getattr(args, "curve_burst", None) or int(2 * qps),
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """bench/run.py's options for this scenario."""
    parser.add_argument(
        "--curve-sizes",
        help=f"the CloneSet sizes of {CURVE}, in order (default 300,1000,3000; quick 30,100,300)",
    )
    parser.add_argument(
        "--curve-foreign-pods",
        type=int,
        help=f"pods in {CURVE} the CloneSet does not own (default 10000, quick 1000)",
    )
    parser.add_argument(
        "--curve-qps",
        type=float,
        help=f"client QPS of both managers in {CURVE} (default {DEFAULT_QPS:g})",
    )
    parser.add_argument(
        "--curve-burst", type=int, help=f"client burst of both managers in {CURVE} (default 2xQPS)"
    )


def step_deadline(added: int) -> float:
    """How long one step may take to have its pods Ready. Generous: on a busy machine
    kwok turns a few pods a second Ready once their readiness gate is set."""
    return 120 + 1.0 * added


def child_timeout(sizes: Sizes) -> float:
    """Cluster, the foreign pods, the manager, then every step."""
    steps = sum(step_deadline(b - a) for a, b in zip((0, *sizes.sizes), sizes.sizes, strict=False))
    return 300 + 0.1 * sizes.foreign + steps


def added_pods(sizes: Sequence[int]) -> dict[int, int]:
    """The pods each step adds: size minus the size before it."""
    return {b: b - a for a, b in zip((0, *sizes), sizes, strict=False)}
