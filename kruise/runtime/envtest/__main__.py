"""``python -m kruise.runtime.envtest up [--cluster]``: a local control plane in the foreground."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from kruise.runtime.envtest.binaries import Binaries
from kruise.runtime.envtest.cluster import LocalCluster, LocalClusterOptions, NodeSpec
from kruise.runtime.envtest.controlplane import ControlPlane, ControlPlaneOptions
from kruise.runtime.envtest.install import install_crds
from kruise.runtime.envtest.process import EnvtestError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kruise.runtime.envtest",
        description="Run a local Kubernetes control plane built from the pinned binaries.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start it in the foreground; Ctrl-C stops it")
    up.add_argument(
        "--cluster",
        action="store_true",
        help="also run kube-controller-manager, kube-scheduler and kwok with fake nodes",
    )
    up.add_argument(
        "--no-storage-provisioner",
        dest="storage_provisioner",
        action="store_false",
        help="(with --cluster) no default StorageClass and no local-path volume provisioner",
    )
    up.add_argument("--nodes", type=int, default=3, help="number of fake nodes (with --cluster)")
    up.add_argument("--apiserver-port", type=int, help="kube-apiserver port (default: a free one)")
    up.add_argument(
        "--kubeconfig-out",
        type=Path,
        help="also copy the admin kubeconfig to this path",
    )
    up.add_argument(
        "--crds", action="append", default=[], type=Path, help="CRD files or folders to install"
    )
    return parser


def _stop_on(signals: list[signal.Signals], stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in signals:
        signal.signal(sig, handler)


def up(args: argparse.Namespace) -> int:
    """Start a control plane (or with ``--cluster`` a local cluster) and keep it up until a
    signal; print how to reach it once it is ready. Returns the exit code."""
    stop = threading.Event()
    _stop_on([signal.SIGINT, signal.SIGTERM], stop)
    plane: ControlPlane
    if args.cluster:
        nodes = [NodeSpec(f"kwok-node-{i}") for i in range(args.nodes)]
        options = LocalClusterOptions(
            apiserver_port=args.apiserver_port,
            nodes=nodes,
            storage_provisioner=args.storage_provisioner,
        )
        plane = LocalCluster(options)
    else:
        plane = ControlPlane(ControlPlaneOptions(apiserver_port=args.apiserver_port))
    started = time.monotonic()
    what = "local cluster" if args.cluster else "control plane"
    print(f"starting the {what} in {plane.workdir} ...", flush=True)
    try:
        plane.start()
        if args.crds:
            install_crds(plane.rest, args.crds)
        kubeconfig = plane.kubeconfig_path
        if args.kubeconfig_out:
            args.kubeconfig_out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kubeconfig, args.kubeconfig_out)
            kubeconfig = args.kubeconfig_out.resolve()
        print(f"{what} ready at {plane.url} in {time.monotonic() - started:.1f}s", flush=True)
        print(f"export KUBECONFIG={kubeconfig}")
        print(f"kubectl: {Binaries.default().kubectl}")
        print("Ctrl-C stops it.", flush=True)
        while not stop.wait(1.0):
            plane.check()
    finally:
        print(f"stopping the {what} ...", flush=True)
        plane.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m kruise.runtime.envtest``: an envtest failure is one line and exit code 1."""
    args = _parser().parse_args(argv)
    try:
        return up(args)
    except EnvtestError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
