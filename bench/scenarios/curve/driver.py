"""The driver's side (``bench/run.py``): build OpenKruise's manager if it is missing, run
both managers' runs as child processes in turn, and make the records."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import report

from ..common.cluster import OPENKRUISE_VERSION, manager_command
from ..common.outcomes import record_run
from ..common.processes import Build, ScriptBuild, run_child
from .child import TAG
from .outcomes import Outcome, make_records
from .plan import CONTENDERS, OPENKRUISE, OURS, PACKAGE, SCENARIOS, Sizes, child_timeout


def records(
    args: argparse.Namespace,
    chosen: Sequence[str],
    progress: Callable[[str], None],
    go_build: Callable[[str], Build] | None = None,
) -> list[report.Record]:
    """Run both managers ``runs`` times and make the records. (``go_build`` is
    bench/run.py's builder of Go peers, not used here.)"""
    if not set(chosen) & set(SCENARIOS):
        return []
    sizes = Sizes.for_args(args)
    outcomes = {c: Outcome(c) for c in CONTENDERS}
    progress(f"openkruise {OPENKRUISE_VERSION}: hack/build-openkruise.sh (cached when built)")
    got = ScriptBuild.start().wait()
    built: Path | None = None
    if isinstance(got, str):
        outcomes[OPENKRUISE].error = got
        progress(f"{OPENKRUISE} cannot run: {got}")
    else:
        built = got
    if not manager_command().exists():
        outcomes[OURS].error = f"{manager_command()} is not installed"
    for i in range(sizes.runs):
        # The order rotates from run to run, so neither always goes first.
        order = [*CONTENDERS[i % 2 :], *CONTENDERS[: i % 2]]
        for name in order:
            if outcomes[name].error:
                continue
            progress(f"{TAG}: run {i + 1}/{sizes.runs}: {name}")
            command = child_command(name, sizes, built)
            result = run_child(command, child_timeout(sizes), progress, TAG)
            record_run(outcomes[name], result, progress)
    return make_records(sizes, outcomes)


def child_command(name: str, sizes: Sizes, openkruise_dir: Path | None) -> list[str]:
    """The command line of one run of contender ``name`` (see ``child.py``)."""
    command = [sys.executable, str(PACKAGE), "run", "--contender", name]
    command += ["--sizes", ",".join(str(s) for s in sizes.sizes)]
    command += ["--foreign-pods", str(sizes.foreign)]
    command += ["--qps", str(sizes.qps), "--burst", str(sizes.burst)]
    if name == OPENKRUISE and openkruise_dir is not None:
        command += ["--openkruise-dir", str(openkruise_dir)]
    return command
