"""One run of one contender, the child process ``bench/run.py`` starts::

    python bench/scenarios/jobs run --contender kruise-py --phase broadcast --nodes 300

It starts a local cluster for the phase (``--nodes`` kwok nodes for ``broadcast``, a few
for ``cron``) and the manager under test, runs the phase, stops what it started and
prints one JSON line: the phase's figures, or why it failed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..common.cluster import (
    DEFAULT_BURST,
    DEFAULT_QPS,
    ManagerProcess,
    node_count,
    start_cluster,
    start_manager,
)
from ..common.observer import ProcessMeter
from ..common.waiting import say, set_tag, tail
from .phases import broadcast_phase, cron_phase
from .plan import CONTENDERS, MANAGERS, PHASES


def nodes_for(args: argparse.Namespace) -> int:
    """The broadcast phase's nodes; for the cron phase, room for every child's pod that
    may still exist (each cron job keeps up to 3 finished children, plus the running one)."""
    if args.phase == "broadcast":
        return int(args.nodes)
    return node_count(args.cronjobs * (args.minutes + 4))


def run_contender(args: argparse.Namespace) -> dict[str, Any]:
    """One run of one contender: cluster, manager, phase. Always stops what it started."""
    contender, phase = args.contender, args.phase
    result: dict[str, Any] = {"contender": contender, "phases": {}, "errors": {}}
    workdir = Path(tempfile.mkdtemp(prefix=f"kruise-bench-jobs-{contender}-"))
    keep = False
    cluster = None
    manager: ManagerProcess | None = None
    try:
        nodes = nodes_for(args)
        say(f"{contender}: starting a local cluster ({nodes} kwok nodes)")
        try:
            cluster = start_cluster(0, args.qps, args.burst, nodes=nodes)
            result["nodes"] = nodes
            args.kubeconfig = str(cluster.kubeconfig_path)
            if contender in MANAGERS:
                say(f"{contender}: installing CRDs and webhooks, starting the manager")
                manager = start_manager(contender, cluster, workdir, args)
        except Exception as err:
            result["errors"]["setup"] = f"{type(err).__name__}: {str(err).splitlines()[0][:400]}"
            keep = True
            return result

        def alive() -> None:
            if manager is not None:
                manager.check()
            cluster.check()

        # The process measured: the manager, or kube-controller-manager for the native kinds.
        meter = ProcessMeter(manager.process.pid if manager else cluster.controller_manager.pid)
        try:
            result["phases"][phase] = asyncio.run(measure(args, meter, alive))
        except Exception as err:
            result["errors"][phase] = describe(err, manager)
            say(f"{contender}: {phase} failed: {result['errors'][phase]}")
        result["peak_rss_reset"] = meter.peak_reset
        keep = bool(result["errors"]) or args.keep_logs
    finally:
        if manager is not None:
            manager.stop()
        if cluster is not None:
            if keep:  # the cluster's component logs go with the manager's
                with contextlib.suppress(OSError):
                    shutil.copytree(cluster.logs_dir, workdir / "cluster-logs")
            cluster.stop()
        if keep:
            result["logs"] = str(workdir)
            say(f"{contender}: logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


async def measure(args: argparse.Namespace, meter: ProcessMeter, alive: Any) -> dict[str, float]:
    from kruise.runtime.client import Client, load_config  # noqa: PLC0415

    config = (await load_config(args.kubeconfig)).with_options(qps=-1.0, timeout=60.0)
    async with Client(config) as client:
        if args.phase == "broadcast":
            return await broadcast_phase(client, args.contender, args.nodes, meter, alive)
        return await cron_phase(
            client, args.contender, args.cronjobs, args.minutes, meter=meter, alive=alive
        )


def describe(err: Exception, manager: ManagerProcess | None = None) -> str:
    """One line: the error, and the tail of the manager's log when it is still running."""
    why = f"{type(err).__name__}: {str(err).splitlines()[0][:400] if str(err) else ''}"
    if manager is not None and manager.process.poll() is None:
        why += f" (manager log: {tail(manager.log, 2)[:300]})"
    return why


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one run of one job benchmark contender")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--contender", choices=CONTENDERS, required=True)
    run.add_argument("--phase", choices=PHASES, required=True)
    run.add_argument("--nodes", type=int, default=300, help="kwok nodes of the broadcast phase")
    run.add_argument("--cronjobs", type=int, default=100)
    run.add_argument("--minutes", type=int, default=3, help="scheduled minutes measured")
    run.add_argument("--qps", type=float, default=DEFAULT_QPS)
    run.add_argument("--burst", type=int, default=DEFAULT_BURST)
    run.add_argument("--openkruise-dir", help="hack/build-openkruise.sh's output folder")
    run.add_argument("--keep-logs", action="store_true", help="keep the logs of a good run")
    args = parser.parse_args(argv)
    set_tag("jobs")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the cluster
    result = run_contender(args)
    print(json.dumps(result))  # a failed phase is in result["errors"]
    return 0
