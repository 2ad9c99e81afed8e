"""One run of one contender, the child process ``bench/run.py`` starts::

    python bench/scenarios/jobs run --contender kruise-py --phase broadcast --nodes 300

It starts a local cluster for the phase (``--nodes`` kwok nodes for ``broadcast``, a few
for ``cron``) and the manager under test, runs the phase, stops what it started and
prints one JSON line: the phase's figures, or why it failed."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Sequence
from typing import Any

from ..common.child import ContenderRun, describe
from ..common.cluster import DEFAULT_BURST, DEFAULT_QPS, node_count
from ..common.observer import ProcessMeter
from ..common.waiting import say, set_tag
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
    with ContenderRun(contender, result, "kruise-bench-jobs") as run:
        if not run.start(args, MANAGERS, 0, nodes=nodes_for(args)):
            return result
        meter = ProcessMeter(run.measured_pid())
        try:
            result["phases"][phase] = asyncio.run(measure(args, meter, run.alive))
        except Exception as err:
            result["errors"][phase] = describe(err, run.manager)
            say(f"{contender}: {phase} failed: {result['errors'][phase]}")
        result["peak_rss_reset"] = meter.peak_reset
        run.keep = bool(result["errors"]) or args.keep_logs
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
