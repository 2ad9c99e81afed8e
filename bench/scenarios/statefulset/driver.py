"""The driver's side (``bench/run.py``): build OpenKruise's manager if it is missing, run
every contender's runs as child processes in turn, and make the records."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import report

from ..common.cluster import OPENKRUISE_VERSION, manager_command
from ..common.outcomes import record_run
from ..common.processes import Build, ScriptBuild, run_child
from .outcomes import Outcome, make_records
from .plan import (
    CONTENDERS,
    OPENKRUISE,
    OURS,
    PACKAGE,
    PHASES,
    SCENARIOS,
    Sizes,
    deadline,
    phases_for,
)

__all__ = ["Build", "ScriptBuild", "records", "run_child"]

TAG = "statefulset"
"""The word in front of the children's progress lines."""


def records(
    args: argparse.Namespace,
    chosen: Sequence[str],
    progress: Callable[[str], None],
    go_build: Callable[[str], Build] | None = None,
) -> list[report.Record]:
    """Build what is missing, run every contender ``runs`` times, and make the records.
    (``go_build`` is bench/run.py's builder of Go peers, which these scenarios do not use.)"""
    chosen = [s for s in chosen if s in SCENARIOS]
    sizes = Sizes.for_args(args)
    contenders = [c for c in CONTENDERS if phases_for(c, chosen)]
    outcomes = {c: Outcome(c) for c in contenders}
    built: Path | None = None
    if OPENKRUISE in outcomes:
        progress(f"openkruise {OPENKRUISE_VERSION}: hack/build-openkruise.sh (cached when built)")
        got = ScriptBuild.start().wait()
        if isinstance(got, str):
            outcomes[OPENKRUISE].error = got
            progress(f"{OPENKRUISE} cannot run: {got}")
        else:
            built = got
    if OURS in outcomes and not manager_command().exists():
        outcomes[OURS].error = f"{manager_command()} is not installed"
    for i in range(sizes.runs):
        # The order rotates from run to run, so no contender always goes first.
        order = [*contenders[i % len(contenders) :], *contenders[: i % len(contenders)]]
        for name in order:
            if outcomes[name].error:
                continue
            command = child_command(name, chosen, sizes, built)
            progress(f"{TAG}: run {i + 1}/{sizes.runs}: {name}")
            run_once(outcomes[name], command, child_timeout(sizes), progress)
    return make_records(chosen, sizes, outcomes)


def child_command(
    name: str, chosen: Sequence[str], sizes: Sizes, openkruise_dir: Path | None
) -> list[str]:
    """The command line of one run of contender ``name`` (see ``child.py``)."""
    command = [sys.executable, str(PACKAGE), "run", "--contender", name]
    command += ["--phases", ",".join(phases_for(name, chosen))]
    command += ["--parallel-pods", str(sizes.parallel_pods)]
    command += ["--ordered-pods", str(sizes.ordered_pods)]
    command += ["--inplace-pods", str(sizes.inplace_pods)]
    command += ["--qps", str(sizes.qps), "--burst", str(sizes.burst)]
    if name == OPENKRUISE and openkruise_dir is not None:
        command += ["--openkruise-dir", str(openkruise_dir)]
    return command


def run_once(
    outcome: Outcome, command: Sequence[str], timeout: float, progress: Callable[[str], None]
) -> None:
    """One run into ``outcome``: its result, or the error that ends the contender's runs."""
    record_run(outcome, run_child(command, timeout, progress, TAG), progress)


def child_timeout(sizes: Sizes) -> float:
    """Cluster and manager start, every phase's deadline, and the clean-ups between."""
    phases = sum(deadline(p, sizes.pods(p)) for p in PHASES)
    return 300 + phases + deadline("parallel", sizes.inplace_pods) + 2 * 300
