"""One run of one contender, the child process ``bench/run.py`` starts::

    python bench/scenarios/cloneset run --contender kruise-py --phases scale,inplace

It starts a local cluster (and the manager under test), runs the phases, stops what it
started and prints one JSON line: the figures, and per phase why it failed."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..common.child import ContenderRun, describe
from ..common.cluster import DEFAULT_BURST, DEFAULT_QPS, ManagerProcess
from ..common.waiting import say
from .observer import proc_usage
from .phases import inplace_phase, scale_phase
from .plan import CONTENDERS, MANAGERS


def run_contender(args: argparse.Namespace) -> dict[str, Any]:
    """One run of one contender: cluster, manager, phases. Always stops what it started."""
    phases = [p for p in args.phases.split(",") if p]
    contender = args.contender
    result: dict[str, Any] = {"contender": contender, "errors": {}}
    biggest = max(args.pods if "scale" in phases else 0, args.inplace_pods)
    with ContenderRun(contender, result, "kruise-bench") as run:
        if not run.start(args, MANAGERS, biggest):
            return result
        asyncio.run(
            measure(
                contender=contender,
                phases=phases,
                args=args,
                workdir=run.workdir,
                alive=run.alive,
                manager=run.manager,
                result=result,
            )
        )
        run.keep = bool(result["errors"]) or args.keep_logs
    return result


async def measure(
    *,
    contender: str,
    phases: Sequence[str],
    args: argparse.Namespace,
    workdir: Path,
    alive: Callable[[], None],
    manager: ManagerProcess | None,
    result: dict[str, Any],
) -> None:
    from kruise.runtime.client import Client, load_config  # noqa: PLC0415

    config = (await load_config(args.kubeconfig)).with_options(qps=-1.0, timeout=60.0)
    async with Client(config) as client:
        start_cpu = proc_usage(manager.process.pid)[1] if manager else 0.0
        measured = []
        for phase in phases:
            try:
                if phase == "scale":
                    figures = await scale_phase(client, contender, args, workdir, alive)
                else:
                    figures = await inplace_phase(client, contender, args, alive)
            except Exception as err:  # the other phase may still run
                why = describe(err, manager)
                result["errors"][phase] = why
                say(f"{contender}: {phase} failed: {why}")
                if manager is not None and manager.process.poll() is not None:
                    break
                continue
            result.update(figures)
            measured.append(phase)
        if manager is not None and manager.process.poll() is None:
            peak, cpu = proc_usage(manager.process.pid)
            if set(measured) >= {"scale", "inplace"}:
                result["peak_rss_mb"] = peak
                result["cpu_seconds"] = cpu - start_cpu
            elif set(phases) >= {"scale", "inplace"}:
                result["errors"]["resources"] = "measured over both CloneSet scenarios only"
            result["peak_rss_mb_any"] = peak


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one run of one CloneSet benchmark contender")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--contender", choices=CONTENDERS, required=True)
    run.add_argument("--phases", default="scale,inplace", help="scale,inplace")
    run.add_argument("--pods", type=int, default=1000)
    run.add_argument("--inplace-pods", type=int, default=500)
    run.add_argument("--qps", type=float, default=DEFAULT_QPS)
    run.add_argument("--burst", type=int, default=DEFAULT_BURST)
    run.add_argument("--openkruise-dir", help="hack/build-openkruise.sh's output folder")
    run.add_argument("--rawcreator", help="bench/go/rawcreator's binary")
    run.add_argument("--keep-logs", action="store_true", help="keep the logs of a good run")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the cluster
    result = run_contender(args)
    print(json.dumps(result))  # failed phases are in result["errors"]
    return 0
