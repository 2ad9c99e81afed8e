#!/usr/bin/env python3
"""Generate config/crd from the apps.kruise.io types (kruise/apis/apps).

Usage: .venv/bin/python hack/gen-crds.py [--check] [--root DIR]

Without --check, writes every CRD and the kustomization, and removes generated files
that no kind produces any more. With --check, changes nothing and exits 1 naming the
files that are missing or out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kruise.apis.apps.crdgen import stale_files, write_files

REPOSITORY = Path(__file__).resolve().parent.parent
CRD_DIR = Path("config/crd")  # relative to the repository root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, write none")
    parser.add_argument("--root", type=Path, default=REPOSITORY, help="the repository root")
    args = parser.parse_args(argv)
    crd_dir = args.root / CRD_DIR
    if args.check:
        stale = stale_files(crd_dir)
        for path in stale:
            print(f"stale: {CRD_DIR / path}", file=sys.stderr)
        if stale:
            print("CRDs differ from kruise/apis/apps; run `make crds`.", file=sys.stderr)
            return 1
        return 0
    for path in write_files(crd_dir):
        verb = "wrote" if (crd_dir / path).exists() else "removed"
        print(f"{verb} {CRD_DIR / path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
