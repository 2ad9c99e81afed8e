"""kubectl-kruise: parse the command line, connect as kubectl would, run one command.

Global flags (``--kubeconfig``, ``--context``, ``-n``, ``-o``, ``--request-timeout``) may
come before or after the command, as with kubectl. Any failure ends with one line on
stderr (``error: ...``, or ``Error from server (Reason): ...`` for the API server's
refusals) and exit code 1; a usage error exits 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import NoReturn

from kruise.runtime.client import ApiError, ClientError, ConfigError
from kubectl_kruise import migrate, reserve, rollout, scale, set_image
from kubectl_kruise.common import CommandError
from kubectl_kruise.flags import duration
from kubectl_kruise.printing import OUTPUT_FORMATS
from kubectl_kruise.resources import ResourceError
from kubectl_kruise.session import open_session

PROG = "kubectl-kruise"
EXAMPLES = """examples:
  kubectl kruise rollout status cloneset/web
  kubectl kruise set image clone/web main=nginx:1.27
  kubectl kruise rollout undo asts/db --to-revision 2
  kubectl kruise scale clone/web --replicas 3 --pods-to-delete web-abcde,web-fghij
  kubectl kruise reserve asts/db 1 --keep-others
  kubectl kruise migrate CloneSet --from Deployment --src-name web
"""


class Parser(argparse.ArgumentParser):
    """argparse with kubectl's one-line usage errors."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}\nSee '{self.prog} --help' for usage.\n")


def _global_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The flags every command takes. On subcommands they default to SUPPRESS, so a
    value given before the command is not reset by the subcommand's parser."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument("--kubeconfig", default=default(None), help="path to the kubeconfig file")
    parser.add_argument("--context", default=default(None), help="the kubeconfig context to use")
    parser.add_argument("-n", "--namespace", default=default(None), help="the namespace")
    parser.add_argument(
        "-o", "--output", choices=OUTPUT_FORMATS, default=default(None), help="json, yaml or name"
    )
    parser.add_argument(
        "--request-timeout",
        type=duration,
        default=default(None),
        help="how long to wait for one API request (e.g. 10s)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = Parser(
        prog=PROG,
        description="Manage OpenKruise CloneSets and Advanced StatefulSets (kubectl kruise).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _global_flags(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_flags(common, suppress=True)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=Parser
    )
    for module in (rollout, set_image, scale, reserve, migrate):
        module.register(commands, [common])
    return parser


async def _run(args: argparse.Namespace) -> int:
    async with open_session(
        kubeconfig=args.kubeconfig,
        context=args.context,
        namespace=args.namespace,
        output=args.output,
        request_timeout=args.request_timeout,
    ) as session:
        code: int = await args.handler(session, args)
        return code


def error_line(err: BaseException) -> str:
    """The one line kubectl would print for ``err``."""
    if isinstance(err, ApiError):
        return f"Error from server ({err.reason or type(err).__name__}): {err.message}"
    if isinstance(err, ConfigError):
        return f"error: {err}"
    if isinstance(err, ClientError):
        return f"error: unable to reach the server: {err}"
    return f"error: {err}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kubectl-kruise``; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return 130
    except (CommandError, ResourceError, ClientError, ConfigError, OSError) as err:
        print(error_line(err), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
