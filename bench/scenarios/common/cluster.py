"""The local cluster of one run, and the manager under test on it: ours or OpenKruise's,
with its CRDs and webhook configurations, started only once its webhooks answer
(``support.managers`` in the repository's ``test/`` folder does the installing).

Every contender gets the same client QPS and burst; kube-scheduler, shared
infrastructure, gets enough that binding pods is never what a contender waits for."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from support.managers import KRUISE_PY, OPENKRUISE, ManagerOptions, ManagerProcess
from support.managers import start_manager as shared_start_manager

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_QPS",
    "MANAGER_NAMESPACE",
    "NODE_PODS",
    "OPENKRUISE_GO",
    "OPENKRUISE_VERSION",
    "OURS",
    "SCHEDULER_BURST",
    "SCHEDULER_QPS",
    "ManagerProcess",
    "manager_command",
    "node_count",
    "start_cluster",
    "start_manager",
]

OURS = "kruise-py"
OPENKRUISE_GO = "openkruise-go"
OPENKRUISE_VERSION = "v1.9.0"
MANAGER_NAMESPACE = "kruise-system"
DEFAULT_QPS = 100.0
DEFAULT_BURST = 200
# The scheduler is shared infrastructure, not a contender: it gets limits high enough
# that binding pods is never what the contenders wait for (its default is 50/100).
SCHEDULER_QPS = 1000
SCHEDULER_BURST = 2000
NODE_PODS = 400


def manager_command() -> Path:
    """Our ``kruise-manager``, installed beside this interpreter."""
    return Path(sys.executable).parent / "kruise-manager"


def node_count(pods: int, per_node: int = NODE_PODS) -> int:
    """Fake nodes for ``pods`` pods with a quarter to spare (at least two)."""
    return max(2, math.ceil(pods * 1.25 / per_node))


def start_cluster(pods: int, qps: float, burst: int, *, nodes: int | None = None) -> Any:
    """A local cluster with kwok nodes for ``pods`` pods (``node_count``), or exactly
    ``nodes`` of them, and kube-controller-manager at the contenders' client limits."""
    from kruise.runtime.envtest import LocalCluster, LocalClusterOptions, NodeSpec  # noqa: PLC0415

    class BenchCluster(LocalCluster):
        """A LocalCluster whose kube-scheduler is not the bottleneck."""

        def _start_component(self, name: str, args: list[str], port: int) -> Any:
            if name == "kube-scheduler":
                args = [
                    *args,
                    f"--kube-api-qps={SCHEDULER_QPS}",
                    f"--kube-api-burst={SCHEDULER_BURST}",
                ]
            return super()._start_component(name, args, port)

        def add_nodes(self, nodes: list[Any], timeout: float = 60.0) -> None:
            # kwok takes a while to report hundreds of nodes Ready on a busy machine.
            super().add_nodes(nodes, max(timeout, 60.0 + 0.5 * len(nodes)))

    capacity = {"cpu": "64", "memory": "512Gi", "pods": str(NODE_PODS)}
    count = node_count(pods) if nodes is None else nodes
    specs = [NodeSpec(f"kwok-node-{i}", capacity=dict(capacity)) for i in range(count)]
    options = LocalClusterOptions(
        nodes=specs, kube_api_qps=math.ceil(qps), kube_api_burst=burst, start_timeout=120
    )
    cluster = BenchCluster(options)
    cluster.start()
    return cluster


def start_manager(
    contender: str, cluster: Any, workdir: Path, args: argparse.Namespace
) -> ManagerProcess:
    """Our manager (``kruise-py``) or OpenKruise's (``openkruise-go``) on ``cluster``
    (``support.managers``, which the conformance runner shares), with the client limits
    every contender gets."""
    options = ManagerOptions(
        flavour=KRUISE_PY if contender == OURS else OPENKRUISE,
        workdir=workdir,
        openkruise_dir=Path(args.openkruise_dir) if args.openkruise_dir else None,
        qps=args.qps,
        burst=args.burst,
        name=contender,
        namespace=MANAGER_NAMESPACE,
    )
    return shared_start_manager(cluster, options)
