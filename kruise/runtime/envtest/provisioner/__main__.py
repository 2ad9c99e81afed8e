"""``python -m kruise.runtime.envtest.provisioner``: the provisioner in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from kruise.runtime import log as logs
from kruise.runtime.envtest.provisioner.controller import run
from kruise.runtime.envtest.provisioner.volumes import PROVISIONER_NAME


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kruise.runtime.envtest.provisioner",
        description="Provision hostPath volumes for the local cluster's claims.",
    )
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--root", required=True, type=Path, help="where volumes are made")
    parser.add_argument("--provisioner-name", default=PROVISIONER_NAME)
    parser.add_argument("--health-probe-addr", default="127.0.0.1:0")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run until SIGTERM or SIGINT; exit 0 after a clean stop."""
    args = _parser().parse_args(argv)
    logs.configure("console")

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run(args.kubeconfig, args.root, args.health_probe_addr, stop, args.provisioner_name)

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
