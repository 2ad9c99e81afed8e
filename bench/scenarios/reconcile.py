"""kruise-py's side of reconcile-noop-overhead: a ``Controller`` around a no-op reconciler.

``python bench/scenarios/reconcile.py --ops N`` prints one JSON line.

The controller has controller-runtime's metrics on (``ControllerMetrics`` and a
``WorkqueueMetricsProvider`` on a fresh registry) and one worker, controller-runtime's
default. Once the worker waits, ``ops`` distinct requests are added to
``controller.queue`` (as an event handler would); the figure is microseconds per
reconcile from the first add until the last reconcile ran (``--no-metrics``: the same
without metrics, for comparison). Each reconcile goes through
the whole loop: get, active-workers gauge, a reconcile id bound to the log context, the
reconciler, the reconcile_total counter and reconcile_time histogram, forget, done.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from prometheus_client import CollectorRegistry

from kruise.runtime import log
from kruise.runtime.controller import Controller
from kruise.runtime.metrics import ControllerMetrics
from kruise.runtime.reconcile import Request, Result
from kruise.runtime.workqueue import WorkqueueMetricsProvider


class NoopReconciler:
    """Counts reconciles and sets ``all_seen`` at the ``target``-th."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.seen = 0
        self.all_seen = asyncio.Event()

    async def reconcile(self, request: Request) -> Result:
        self.seen += 1
        if self.seen == self.target:
            self.all_seen.set()
        return Result()


async def reconcile_loop(ops: int, workers: int, metrics: bool = True) -> dict[str, Any]:
    registry = CollectorRegistry()
    reconciler = NoopReconciler(ops)
    controller = Controller(
        "bench",
        reconciler,
        workers=workers,
        metrics=ControllerMetrics(registry) if metrics else None,
        queue_metrics=WorkqueueMetricsProvider(registry) if metrics else None,
    )
    requests = [Request(f"ns-{i % 10}", f"item-{i}") for i in range(ops)]
    stopping = asyncio.Event()
    running = asyncio.create_task(controller.start(stopping))
    await asyncio.sleep(0.05)  # the workers now wait in get()
    started = time.perf_counter()
    for request in requests:
        controller.queue.add(request)
    await reconciler.all_seen.wait()
    seconds = time.perf_counter() - started
    stopping.set()
    await running
    return {
        "mode": "reconcile",
        "ops": ops,
        "workers": workers,
        "metrics": metrics,
        "seconds": seconds,
        "microseconds_per_reconcile": seconds * 1e6 / ops,
        "python": sys.version.split()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-metrics", action="store_true", help="no Prometheus metrics")
    args = parser.parse_args()
    log.configure("json")
    result = asyncio.run(reconcile_loop(args.ops, args.workers, metrics=not args.no_metrics))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
