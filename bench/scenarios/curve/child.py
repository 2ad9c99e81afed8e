"""One run of one contender, the child process ``bench/run.py`` starts::

    python bench/scenarios/curve run --contender kruise-py --sizes 300,1000,3000

It starts a local cluster, fills it with the foreign pods, starts the manager under test,
runs the steps, stops what it started and prints one JSON line: the readings, and why
the run failed if it did."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..common.child import ContenderRun, describe
from ..common.cluster import DEFAULT_QPS, ManagerProcess, start_manager
from ..common.waiting import say, set_tag
from .plan import CONTENDERS, DEFAULT_FOREIGN, FOREIGN_NAMESPACES, parse_sizes
from .steps import create_foreign, curve

TAG = "curve"


def run_contender(args: argparse.Namespace) -> dict[str, Any]:
    """One run: cluster, foreign pods, manager, steps. Always stops what it started."""
    sizes = parse_sizes(args.sizes)
    contender = args.contender
    result: dict[str, Any] = {"contender": contender, "errors": {}, "sizes": list(sizes)}
    with ContenderRun(contender, result, "kruise-curve") as run:
        # No manager yet (none named): the foreign pods come first, so the manager starts
        # on a cluster that holds them, as one would on a busy cluster.
        if not run.start(args, (), sizes[-1]):
            return result
        try:
            seconds = asyncio.run(foreign(args))
            result["foreign_pods"] = args.foreign_pods
            say(f"{contender}: {args.foreign_pods} foreign pods created in {seconds:.0f}s")
            say(f"{contender}: installing CRDs and webhooks, starting the manager")
            run.manager = start_manager(contender, run.cluster, run.workdir, args)
        except Exception as err:
            result["errors"]["setup"] = describe(err)
            run.keep = True
            return result
        asyncio.run(
            measure(
                contender,
                sizes=sizes,
                args=args,
                manager=run.manager,
                alive=run.alive,
                result=result,
            )
        )
        run.keep = bool(result["errors"]) or args.keep_logs
    return result


async def foreign(args: argparse.Namespace) -> float:
    from kruise.runtime.client import Client, load_config  # noqa: PLC0415

    config = (await load_config(args.kubeconfig)).with_options(qps=-1.0, timeout=60.0)
    async with Client(config) as client:
        return await create_foreign(client, args.foreign_pods, FOREIGN_NAMESPACES)


async def measure(
    contender: str,
    *,
    sizes: Sequence[int],
    args: argparse.Namespace,
    manager: ManagerProcess,
    alive: Callable[[], None],
    result: dict[str, Any],
) -> None:
    from kruise.runtime.client import Client, load_config  # noqa: PLC0415

    config = (await load_config(args.kubeconfig)).with_options(qps=-1.0, timeout=60.0)
    async with Client(config) as client:
        try:
            await curve(
                client, contender, sizes=sizes, pid=manager.process.pid, alive=alive, result=result
            )
        except Exception as err:  # the steps done so far still count
            why = describe(err, manager)
            result["errors"]["curve"] = why
            say(f"{contender}: failed: {why}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one run of one cloneset-scale-curve contender")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--contender", choices=CONTENDERS, required=True)
    run.add_argument("--sizes", default="300,1000,3000", help="the CloneSet's sizes, in order")
    run.add_argument("--foreign-pods", type=int, default=DEFAULT_FOREIGN)
    run.add_argument("--qps", type=float, default=DEFAULT_QPS)
    run.add_argument("--burst", type=int, default=int(2 * DEFAULT_QPS))
    run.add_argument("--openkruise-dir", help="hack/build-openkruise.sh's output folder")
    run.add_argument("--keep-logs", action="store_true", help="keep the logs of a good run")
    args = parser.parse_args(argv)
    set_tag(TAG)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the cluster
    result = run_contender(args)
    print(json.dumps(result))  # a failed run says why in result["errors"]
    return 0
