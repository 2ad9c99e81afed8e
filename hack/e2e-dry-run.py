#!/usr/bin/env python3
"""``make e2e`` (local): the API server accepts everything ``config/default`` installs.

Starts a fresh control plane (etcd + kube-apiserver from the pinned binaries) and runs the
pinned kubectl's ``apply -k config/default --dry-run=server`` against it twice: on the
empty API server, as a first install sees it, then with the apps.kruise.io CRDs already
installed, as an upgrade sees it. Every object goes through the API server's defaulting,
validation and admission, and nothing is stored. Prints kubectl's output; any refusal, or
an object kubectl did not report, exits 1 with the reason.

Usage: .venv/bin/python hack/e2e-dry-run.py [--kustomization DIR] [--kubectl PATH]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from kruise.runtime.envtest import Binaries, ControlPlane, EnvtestError

ROOT = Path(__file__).resolve().parents[1]
CRDS = ROOT / "config" / "crd" / "bases"
PROG = "e2e-dry-run"
DRY_RUN_SUFFIX = "(server dry run)"
KUBECTL_TIMEOUT = 120.0


class Failure(Exception):
    """The one line the user sees."""


def run_kubectl(kubectl: Path, *args: str) -> str:
    try:
        result = subprocess.run(
            [str(kubectl), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=KUBECTL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise Failure(f"kubectl {args[0]} did not finish within {KUBECTL_TIMEOUT:.0f}s") from err
    except OSError as err:
        raise Failure(f"cannot run kubectl {kubectl}: {err.strerror or err}") from err
    if result.returncode != 0:
        reason = result.stderr.strip() or result.stdout.strip() or f"exit {result.returncode}"
        raise Failure(f"kubectl {' '.join(args)} failed:\n{reason}")
    return result.stdout


def rendered_objects(kubectl: Path, kustomization: Path) -> int:
    """How many objects ``kubectl kustomize`` renders: each must come back from the apply."""
    docs = [
        d for d in yaml.safe_load_all(run_kubectl(kubectl, "kustomize", str(kustomization))) if d
    ]
    if not docs:
        raise Failure(f"{kustomization} renders no objects")
    return len(docs)


def dry_run(plane: ControlPlane, kubectl: Path, kustomization: Path, expected: int) -> None:
    output = run_kubectl(
        kubectl,
        f"--kubeconfig={plane.kubeconfig_path}",
        "apply",
        "-k",
        str(kustomization),
        "--dry-run=server",
    )
    lines = [line for line in output.splitlines() if line.strip()]
    print("\n".join(f"  {line}" for line in lines), flush=True)
    not_dry = [line for line in lines if not line.endswith(DRY_RUN_SUFFIX)]
    if not_dry:
        raise Failure(f"kubectl reported objects that were not dry-run: {not_dry}")
    if len(lines) != expected:
        raise Failure(f"kubectl reported {len(lines)} objects, {kustomization} renders {expected}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--kustomization",
        type=Path,
        default=ROOT / "config" / "default",
        help="kustomization to dry-run (default: config/default)",
    )
    parser.add_argument(
        "--kubectl",
        type=Path,
        default=None,
        help="kubectl to use (default: the pinned one, or $KRUISE_KUBECTL_BINARY)",
    )
    args = parser.parse_args(argv)
    kustomization: Path = args.kustomization.resolve()
    shown = os.path.relpath(kustomization)
    started = time.monotonic()
    try:
        binaries = Binaries.default()
        if args.kubectl is None:
            binaries.require("kubectl")
        kubectl: Path = args.kubectl or binaries.kubectl
        if not (kustomization / "kustomization.yaml").is_file():
            raise Failure(f"{shown} has no kustomization.yaml")
        expected = rendered_objects(kubectl, kustomization)
        print(f"{PROG}: starting a control plane (etcd + kube-apiserver)", flush=True)
        with ControlPlane() as plane:
            print(f"{PROG}: kubectl apply -k {shown} --dry-run=server (first install)")
            dry_run(plane, kubectl, kustomization, expected)
            plane.install_crds([CRDS])
            print(f"{PROG}: the same with the CRDs already installed (upgrade)")
            dry_run(plane, kubectl, kustomization, expected)
    except (Failure, EnvtestError) as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    elapsed = time.monotonic() - started
    print(f"{PROG}: the API server accepts all {expected} objects ({elapsed:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
