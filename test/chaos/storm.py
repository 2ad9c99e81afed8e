"""``.venv/bin/python test/chaos/storm.py [--minutes 5] [--rate 10000]``: the event storm.

kruise-manager runs against a local cluster holding CloneSets of pods while this script
patches those pods' annotations at ``--rate`` updates a minute, for ``--minutes``. Every
update reaches the manager's pod informer and enqueues the pod's CloneSet. Sampled every
few seconds: the manager's resident memory (/proc/<pid>/status VmRSS) and
``workqueue_depth`` from its metrics. It passes when

* the queue depth never exceeds the number of objects the manager watches here (a
  queue keyed by object cannot hold more: updates are deduplicated, not piled up), and
* the RSS after warm-up (the first fifth of the storm) grows by less than
  ``--rss-growth-mib``: memory does not grow with the number of events.

The figures are printed and written to ``test/chaos/results/storm.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import shutil
import ssl
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parents[1])

from support.kruise_env import parse_metrics  # noqa: E402
from support.managers import (  # noqa: E402
    KRUISE_PY,
    ManagerOptions,
    create_namespace,
    start_manager,
)
from support.polling import eventually_blocking  # noqa: E402
from support.workloads import cloneset  # noqa: E402

from chaos.figures import write_results  # noqa: E402
from chaos.harness import rss_bytes  # noqa: E402
from kruise.runtime.envtest import LocalCluster, LocalClusterOptions  # noqa: E402
from kruise.runtime.envtest.cluster import NodeSpec  # noqa: E402
from kruise.runtime.envtest.ports import free_port  # noqa: E402

NAMESPACE = "storm"
RESULTS = Path(__file__).resolve().parent / "results" / "storm.json"
MiB = 1024 * 1024


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


@dataclass(frozen=True)
class Target:
    """Where a patching process connects: kube-apiserver and the admin's certificates."""

    host: str
    port: int
    pki: Path


def patch_loop(target: Target, pods: list[str], rate: float, seconds: float, out: Any) -> None:
    """Patch ``pods``' annotations in turn at ``rate`` a second for ``seconds``, over one
    kept-alive connection; ``out`` receives (sent, failed)."""
    context = ssl.create_default_context(cafile=str(target.pki / "serving-ca.crt"))
    context.load_cert_chain(str(target.pki / "admin.crt"), str(target.pki / "admin.key"))

    def connect() -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(target.host, target.port, context=context, timeout=30)

    conn, sent, failed = connect(), 0, 0
    next_at = time.monotonic()
    until = next_at + seconds
    while time.monotonic() < until:
        body = json.dumps({"metadata": {"annotations": {"storm/tick": str(sent)}}})
        try:
            conn.request(
                "PATCH",
                f"/api/v1/namespaces/{NAMESPACE}/pods/{pods[sent % len(pods)]}",
                body=body,
                headers={"Content-Type": "application/merge-patch+json"},
            )
            response = conn.getresponse()
            response.read()
            failed += response.status >= 400
        except (OSError, http.client.HTTPException):
            failed += 1
            conn.close()
            conn = connect()
        sent += 1
        next_at += 1 / rate
        time.sleep(max(0.0, next_at - time.monotonic()))
    out.put((sent, failed))


def worker(target: Target, pods: list[str], rate: float, seconds: float, out: Any) -> None:
    """One patching process: ``threads`` loops over its share of the pods."""
    threads = 8
    loops = [
        threading.Thread(
            target=patch_loop, args=(target, pods[i::threads], rate / threads, seconds, out)
        )
        for i in range(threads)
        if pods[i::threads]
    ]
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.join()


def scrape(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        metrics = parse_metrics(response.read().decode())
    depth = sum(v for (name, _), v in metrics.items() if name == "workqueue_depth")
    adds = sum(v for (name, _), v in metrics.items() if name == "workqueue_adds_total")
    return {"depth": depth, "adds": adds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="storm", description=__doc__)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=10_000, help="pod updates a minute")
    parser.add_argument("--clonesets", type=int, default=4)
    parser.add_argument("--replicas", type=int, default=25)
    parser.add_argument(
        "--processes", type=int, default=4, help="patching processes (8 threads each)"
    )
    parser.add_argument("--rss-growth-mib", type=float, default=48.0)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="kruise-storm-"))
    options = LocalClusterOptions(nodes=[NodeSpec(f"kwok-node-{i}") for i in range(2)])
    with LocalCluster(options) as cluster:
        record = storm(cluster, workdir, args)
    write_results(args.results, record)
    print(json.dumps(record, indent=2), flush=True)
    log(f"figures written to {args.results}")
    if record["passed"]:
        shutil.rmtree(workdir, ignore_errors=True)
        log("event storm passed")
        return 0
    log(f"event storm FAILED: {record['failure']} (manager log kept in {workdir})")
    return 1


def storm(cluster: LocalCluster, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    metrics_port = free_port()
    manager = start_manager(
        cluster,
        ManagerOptions(
            KRUISE_PY,
            workdir,
            qps=100,
            burst=200,
            extra_args=[f"--metrics-addr=127.0.0.1:{metrics_port}"],
        ),
    )
    try:
        return _storm(cluster, manager.process.pid, metrics_port, args)
    finally:
        manager.stop()


def _pods(cluster: LocalCluster, expected: int) -> list[str]:
    def listed() -> list[str] | None:
        pods = cluster.rest.get(f"/api/v1/namespaces/{NAMESPACE}/pods")["items"]
        names = [p["metadata"]["name"] for p in pods if not p["metadata"].get("deletionTimestamp")]
        return names if len(names) == expected else None

    return eventually_blocking(listed, timeout=300, interval=1, what=f"{expected} pods")


def _storm(
    cluster: LocalCluster, pid: int, metrics_port: int, args: argparse.Namespace
) -> dict[str, Any]:
    create_namespace(cluster, NAMESPACE)
    for index in range(args.clonesets):
        body = cloneset(f"storm-{index}", args.replicas)
        cluster.rest.apply(f"/apis/apps.kruise.io/v1alpha1/namespaces/{NAMESPACE}/clonesets", body)
    pods = _pods(cluster, args.clonesets * args.replicas)
    objects = len(pods) + args.clonesets
    log(f"{len(pods)} pods of {args.clonesets} CloneSets; storm at {args.rate:.0f}/min")
    seconds = args.minutes * 60
    until = time.monotonic() + seconds
    # Processes, not only threads: one Python process cannot send this many TLS requests.
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    target = Target(cluster.host, cluster.apiserver_port, cluster.certs_dir)
    share = [pods[i :: args.processes] for i in range(args.processes)]
    workers = [
        context.Process(
            target=worker, args=(target, p, args.rate / 60 / args.processes, seconds, results)
        )
        for p in share
        if p
    ]
    start = time.monotonic()
    for process in workers:
        process.start()
    samples: list[dict[str, float]] = []
    while time.monotonic() < until:
        time.sleep(5)
        rss = rss_bytes(pid)
        if rss is None:
            return {"passed": False, "failure": "kruise-manager exited during the storm"}
        sample = {"t": round(time.monotonic() - start, 1), "rss_mib": round(rss / MiB, 1)}
        sample.update(scrape(metrics_port))
        samples.append(sample)
        log(f"t={sample['t']:.0f}s rss={sample['rss_mib']} MiB depth={sample['depth']:.0f}")
    loops = sum(min(8, len(p)) for p in share if p)
    counts = [results.get(timeout=60) for _ in range(loops)]
    for process in workers:
        process.join(30)
    return _verdict(samples, counts, objects, seconds, args)


def _verdict(
    samples: list[dict[str, float]],
    counts: list[tuple[int, int]],
    objects: int,
    seconds: float,
    args: argparse.Namespace,
) -> dict[str, Any]:
    sent = sum(c[0] for c in counts)
    warm = [s for s in samples if s["t"] >= seconds / 5] or samples
    rss_warm = warm[0]["rss_mib"]
    rss_max = max(s["rss_mib"] for s in warm)
    depth_max = max(s["depth"] for s in samples)
    failures = []
    if depth_max > objects:
        failures.append(f"workqueue_depth reached {depth_max:.0f} > {objects} objects")
    if rss_max - rss_warm > args.rss_growth_mib:
        growth = rss_max - rss_warm
        failures.append(f"RSS grew {growth:.1f} MiB after warm-up > {args.rss_growth_mib} MiB")
    return {
        "passed": not failures,
        "failure": "; ".join(failures) or None,
        "minutes": args.minutes,
        "target_updates_per_minute": args.rate,
        "updates_sent": sent,
        "updates_failed": sum(c[1] for c in counts),
        "achieved_updates_per_minute": round(sent / seconds * 60),
        "objects": objects,
        "workqueue_depth_max": depth_max,
        "workqueue_depth_bound": objects,
        "workqueue_adds": samples[-1]["adds"] if samples else 0,
        "rss_mib_after_warmup": rss_warm,
        "rss_mib_max": rss_max,
        "rss_mib_growth_after_warmup": round(rss_max - rss_warm, 1),
        "rss_growth_bound_mib": args.rss_growth_mib,
        "samples": samples,
    }


if __name__ == "__main__":
    sys.exit(main())
