"""``test/conformance/run.py``: OpenKruise v1.9.0's e2e specs of CloneSet, Advanced
StatefulSet, BroadcastJob and AdvancedCronJob against a manager on a local cluster."""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from support.managers import FLAVOURS, KRUISE_PY, OPENKRUISE_E2E_FEATURE_GATES
from support.paths import REPO_ROOT

from conformance.results import Row, exit_code, totals
from conformance.scope import SCOPE_FILE, Scope, ScopeError
from conformance.selection import SelectionError, ToRun, in_spec_order, parse_kinds, pick, plan
from conformance.specs import Spec, load_specs
from conformance.table import format_rows, format_totals

BUILD_SCRIPT = REPO_ROOT / "hack" / "build-openkruise.sh"
E2E_BINARY = "kruise-e2e.test"
SPEC_FOLDER = "e2e-specs"


class Failure(Exception):
    """The run cannot go on; the message says why in one line."""


def say(message: str) -> None:
    print(f"[conformance {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="test/conformance/run.py",
        description="Run OpenKruise v1.9.0's e2e specs of the four kinds kruise-py ports "
        "against kruise-py (or OpenKruise's own manager) on a local cluster.",
    )
    p.add_argument("--manager", choices=FLAVOURS, default=KRUISE_PY, help="the manager under test")
    p.add_argument("-j", "--jobs", type=int, default=2, help="specs run at once (default 2)")
    p.add_argument(
        "--timeout", type=float, default=900, help="seconds one spec may take (default 900)"
    )
    p.add_argument("--kinds", help="comma-separated: cloneset,statefulset,broadcastjob,...")
    p.add_argument("--focus", help="a regex searched in each spec's full text")
    p.add_argument("--short", action="store_true", help="the CI subset (scope.yaml 'short')")
    p.add_argument("--list", action="store_true", help="print the specs in scope; run nothing")
    p.add_argument("--json-out", type=Path, help="write the rows and totals as JSON here")
    p.add_argument("--nodes", type=int, default=3, help="kwok nodes of the cluster (default 3)")
    p.add_argument(
        "--openkruise-dir",
        type=Path,
        help="hack/build-openkruise.sh's output (default: its --print-dir, built if needed)",
    )
    p.add_argument("--work-dir", type=Path, help="where logs and reports go (default: a temp dir)")
    p.add_argument(
        "--scope", type=Path, default=SCOPE_FILE, help="the scope file (default: scope.yaml here)"
    )
    return p


def openkruise_dir(given: Path | None) -> Path:
    """The folder with the e2e binary, its spec sources and OpenKruise's manager; builds
    them with hack/build-openkruise.sh unless a folder was given."""
    if given is not None:
        folder = given.resolve()
    else:
        try:
            done = subprocess.run(
                [str(BUILD_SCRIPT), "--print-dir"],
                check=True,
                capture_output=True,
                text=True,
            )
        except (OSError, subprocess.CalledProcessError) as err:
            raise Failure(f"cannot run {BUILD_SCRIPT.name}: {err}") from err
        folder = Path(done.stdout.strip())
        say(f"building OpenKruise's e2e suite if needed ({BUILD_SCRIPT.name})")
        build = subprocess.run([str(BUILD_SCRIPT)], check=False, stdout=sys.stderr)
        if build.returncode != 0:
            marker = folder / "BUILD_FAILED"
            why = marker.read_text().strip() if marker.exists() else ""
            why = why.splitlines()[0] if why else f"{BUILD_SCRIPT.name} exited {build.returncode}"
            raise Failure(f"cannot build OpenKruise's e2e suite: {why}")
    for needed in (E2E_BINARY, SPEC_FOLDER):
        if not (folder / needed).exists():
            script = BUILD_SCRIPT.relative_to(REPO_ROOT)
            raise Failure(f"{folder / needed} is missing; run {script}")
    return folder


def list_specs(specs: Sequence[Spec], scope: Scope, manager: str) -> str:
    to_run, listed = plan(specs, scope, manager, default_storage_class=False)
    lines = []
    for item in to_run:
        note = f"   [expected failure: {item.expected}]" if item.expected else ""
        lines.append(f"{item.spec.location:<34} {item.spec.full_text}{note}")
    vacuous = [row for row in listed if row.result != "out of scope"]
    for row in vacuous:
        note = "   [vacuous without a default StorageClass]"
        lines.append(f"{row.spec.location:<34} {row.spec.full_text}{note}")
    expected = sum(1 for item in to_run if item.expected)
    out = len(listed) - len(vacuous)
    lines.append(
        f"{len(to_run) + len(vacuous)} in scope ({expected} expected failures for {manager}, "
        f"{len(vacuous)} vacuous without a default StorageClass); {out} out of scope"
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    folder = openkruise_dir(args.openkruise_dir)
    scope = Scope.load(args.scope)
    every = load_specs(folder / SPEC_FOLDER)
    problems = scope.problems(every)
    if problems:
        count = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise Failure(f"scope.yaml does not fit the suite: {problems[0]}{count}")
    specs = pick(every, scope, kinds=parse_kinds(args.kinds), focus=args.focus, short=args.short)
    if args.list:
        print(list_specs(specs, scope, args.manager))
        return 0
    if not specs:
        raise Failure("no spec is left by --kinds/--focus/--short")
    workdir = args.work_dir or Path(tempfile.mkdtemp(prefix="kruise-conformance-"))
    workdir.mkdir(parents=True, exist_ok=True)
    return execute(args, folder, scope, specs, workdir, started)


def execute(
    args: argparse.Namespace,
    folder: Path,
    scope: Scope,
    specs: Sequence[Spec],
    workdir: Path,
    started: float,
) -> int:
    from support.managers import ManagerError, kruise_py_has_flag  # noqa: PLC0415

    from conformance import cluster as local  # noqa: PLC0415  (imports the envtest)
    from conformance.runner import Runner  # noqa: PLC0415
    from kruise.runtime.envtest.process import EnvtestError  # noqa: PLC0415

    gates: str | None = OPENKRUISE_E2E_FEATURE_GATES
    if args.manager == KRUISE_PY and not kruise_py_has_flag("--feature-gates"):
        gates = None
        say("kruise-manager has no --feature-gates flag; started without one")
    say(f"starting a local cluster ({args.nodes} kwok nodes) and {args.manager}; logs: {workdir}")
    try:
        env = local.start(args.manager, args.nodes, workdir, folder, gates)
    except (EnvtestError, ManagerError, OSError) as err:
        raise Failure(f"cannot start the cluster or {args.manager}: {one(err)}") from err
    rows: list[Row] = []
    try:
        local.warm_up(env, say)
        storage = local.has_default_storage_class(env.cluster)
        if not storage:
            say("no default StorageClass: the PVC-retention specs are listed as vacuous")
        to_run, listed = plan(specs, scope, args.manager, default_storage_class=storage)
        runner = Runner(
            binary=folder / E2E_BINARY,
            kubeconfig=env.cluster.kubeconfig_path,
            workdir=workdir,
            timeout=args.timeout,
            verify_service_account=local.has_default_service_account(env.cluster),
            alive=env.alive,
            say=say,
        )
        say(f"running {len(to_run)} specs, {args.jobs} at a time")
        rows = listed + runner.run_all(longest_first(to_run), args.jobs)
    except (EnvtestError, ManagerError) as err:
        raise Failure(f"{args.manager} on the local cluster: {one(err)}") from err
    finally:
        with contextlib.suppress(Exception):
            shutil.copytree(env.cluster.logs_dir, workdir / "cluster-logs", dirs_exist_ok=True)
        env.stop()
    rows = in_spec_order(rows, specs)
    wall = time.monotonic() - started
    counted = totals(rows)
    print(format_rows(rows))
    print()
    print(format_totals(counted, wall))
    if args.json_out:
        write_json(args, folder, rows, counted, wall, gates, workdir)
    say(f"logs and reports: {workdir}")
    return exit_code(rows)


def longest_first(items: Sequence[ToRun]) -> list[ToRun]:
    """AdvancedCronJob specs wait for schedules minutes apart: start them first."""
    return sorted(items, key=lambda item: item.spec.kind != "AdvancedCronJob")


def write_json(
    args: argparse.Namespace,
    folder: Path,
    rows: Sequence[Row],
    counted: list[dict[str, Any]],
    wall: float,
    gates: str | None,
    workdir: Path,
) -> None:
    commit = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
        check=False,
        capture_output=True,
        text=True,
    ).stdout.strip()
    version = (folder / "VERSION").read_text().strip() if (folder / "VERSION").exists() else ""
    document = {
        "manager": args.manager,
        "feature_gates": gates,
        "suite": version,
        "kruise_py_commit": commit,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "wall_seconds": round(wall, 1),
        "jobs": args.jobs,
        "nodes": args.nodes,
        "work_dir": str(workdir),
        "rows": [row.to_json() for row in rows],
        "totals": counted,
    }
    args.json_out.write_text(json.dumps(document, indent=2) + "\n")


def one(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C: the running specs, the manager and the cluster stop.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return run(args)
    except (Failure, ScopeError, SelectionError) as err:
        print(f"conformance: {one(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return 130
