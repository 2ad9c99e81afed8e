"""One run of one contender, the child process ``bench/run.py`` starts::

    python bench/scenarios/statefulset run --contender kruise-py --phases ordered,parallel

It starts a local cluster (and the manager under test), runs the phases in order in that
cluster, stops what it started and prints one JSON line: per phase the figures, or why
the phase failed."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..common.child import ContenderRun, describe
from ..common.cluster import DEFAULT_BURST, DEFAULT_QPS, ManagerProcess
from ..common.observer import ProcessMeter
from ..common.waiting import say, set_tag
from .phases import clean_up, inplace_phase, scale_phase
from .plan import CONTENDERS, MANAGERS, PHASES


def pods_of(args: argparse.Namespace, phase: str) -> int:
    return int(
        {"ordered": args.ordered_pods, "parallel": args.parallel_pods}.get(phase, args.inplace_pods)
    )


def run_contender(args: argparse.Namespace) -> dict[str, Any]:
    """One run of one contender: cluster, manager, phases. Always stops what it started."""
    phases = [p for p in PHASES if p in args.phases.split(",")]
    contender = args.contender
    result: dict[str, Any] = {"contender": contender, "phases": {}, "errors": {}}
    biggest = max([pods_of(args, p) for p in phases] or [1])
    with ContenderRun(contender, result, "kruise-bench-asts") as run:
        if not run.start(args, MANAGERS, biggest):
            return result
        meter = ProcessMeter(run.measured_pid())
        asyncio.run(
            measure(
                contender=contender,
                phases=phases,
                args=args,
                meter=meter,
                alive=run.alive,
                manager=run.manager,
                result=result,
            )
        )
        result["peak_rss_reset"] = meter.peak_reset
        run.keep = bool(result["errors"]) or args.keep_logs
    return result


async def measure(
    *,
    contender: str,
    phases: Sequence[str],
    args: argparse.Namespace,
    meter: ProcessMeter,
    alive: Callable[[], None],
    manager: ManagerProcess | None,
    result: dict[str, Any],
) -> None:
    """Run the phases in order; a failed phase does not stop the next, unless the manager
    died or its set could not be cleaned up (the nodes are sized for one set at a time)."""
    from kruise.runtime.client import Client, load_config  # noqa: PLC0415

    config = (await load_config(args.kubeconfig)).with_options(qps=-1.0, timeout=60.0)
    async with Client(config) as client:
        for i, phase in enumerate(phases):
            try:
                if phase == "inplace":
                    figures = await inplace_phase(
                        client, contender, pods_of(args, phase), meter, alive
                    )
                else:
                    figures = await scale_phase(
                        client, contender, phase, pods_of(args, phase), meter=meter, alive=alive
                    )
                result["phases"][phase] = figures
            except Exception as err:
                result["errors"][phase] = describe(err, manager)
                say(f"{contender}: {phase} failed: {result['errors'][phase]}")
                if manager is not None and manager.process.poll() is not None:
                    return
            if i + 1 < len(phases):
                try:
                    await clean_up(client, contender, phase, alive)
                except Exception as err:
                    why = f"not run: the {phase} phase's set was not cleaned up: {describe(err)}"
                    for later in phases[i + 1 :]:
                        result["errors"][later] = why
                    return


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="one run of one Advanced StatefulSet benchmark contender"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--contender", choices=CONTENDERS, required=True)
    run.add_argument("--phases", default=",".join(PHASES), help="ordered,parallel,inplace")
    run.add_argument("--parallel-pods", type=int, default=500)
    run.add_argument("--ordered-pods", type=int, default=50)
    run.add_argument("--inplace-pods", type=int, default=500)
    run.add_argument("--qps", type=float, default=DEFAULT_QPS)
    run.add_argument("--burst", type=int, default=DEFAULT_BURST)
    run.add_argument("--openkruise-dir", help="hack/build-openkruise.sh's output folder")
    run.add_argument("--keep-logs", action="store_true", help="keep the logs of a good run")
    args = parser.parse_args(argv)
    set_tag("statefulset")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the cluster
    result = run_contender(args)
    print(json.dumps(result))  # failed phases are in result["errors"]
    return 0
