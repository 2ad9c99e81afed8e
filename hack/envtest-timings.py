#!/usr/bin/env python3
"""Start the control plane and the local cluster N times each; print the median start times.

Usage: .venv/bin/python hack/envtest-timings.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time

from kruise.runtime.envtest import ControlPlane, LocalCluster


def timed(factory: type[ControlPlane], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        plane = factory()
        started = time.monotonic()
        plane.start()
        times.append(time.monotonic() - started)
        plane.stop()
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for name, factory in (("control plane", ControlPlane), ("local cluster", LocalCluster)):
        times = timed(factory, runs)
        spread = ", ".join(f"{t:.1f}" for t in times)
        print(f"{name}: median {statistics.median(times):.1f}s over {runs} starts ({spread})")


if __name__ == "__main__":
    main()
