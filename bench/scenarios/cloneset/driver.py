"""The driver's side (``bench/run.py``): build the peers that are missing, run every
contender's runs as child processes in turn, and make the records."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import report

from ..common.cluster import OPENKRUISE_VERSION, manager_command
from ..common.processes import Build, ScriptBuild, run_child
from .outcomes import Outcome, make_records
from .plan import (
    CONTENDERS,
    OPENKRUISE,
    OURS,
    PACKAGE,
    RAW,
    SCENARIOS,
    Sizes,
    inplace_deadline,
    phases_for,
    scale_deadline,
)

__all__ = ["Build", "ScriptBuild", "records", "run_child"]


def records(
    args: argparse.Namespace,
    chosen: Sequence[str],
    progress: Callable[[str], None],
    go_build: Callable[[str], Build],
) -> list[report.Record]:
    """Build what is missing, run every contender ``runs`` times, and make the records."""
    chosen = [s for s in chosen if s in SCENARIOS]
    sizes = Sizes.for_args(args)
    contenders = [c for c in CONTENDERS if phases_for(c, chosen)]
    outcomes = {c: Outcome(c) for c in contenders}
    built = build_peers(outcomes, progress, go_build)
    if OURS in outcomes and not manager_command().exists():
        outcomes[OURS].error = f"{manager_command()} is not installed"
    for i in range(sizes.runs):
        # The order rotates from run to run, so no contender always goes first.
        order = [*contenders[i % len(contenders) :], *contenders[: i % len(contenders)]]
        for name in order:
            if outcomes[name].error:
                continue
            command = child_command(name, chosen, sizes, built)
            progress(f"cloneset: run {i + 1}/{sizes.runs}: {name}")
            run_once(outcomes[name], command, sizes, progress)
    return make_records(chosen, sizes, outcomes)


def build_peers(
    outcomes: dict[str, Outcome],
    progress: Callable[[str], None],
    go_build: Callable[[str], Build],
) -> dict[str, Path]:
    """Build the peers that take part, all at once; a peer that cannot be built gets its
    outcome's error. Returns the folder or binary of each built peer."""
    builds: dict[str, Build] = {}
    if OPENKRUISE in outcomes:
        progress(f"openkruise {OPENKRUISE_VERSION}: hack/build-openkruise.sh (cached when built)")
        builds[OPENKRUISE] = ScriptBuild.start()
    if RAW in outcomes:
        builds[RAW] = go_build("rawcreator")
    built: dict[str, Path] = {}
    for name, build in builds.items():  # no compiler running while we measure
        got = build.wait()
        if isinstance(got, str):
            outcomes[name].error = got
            progress(f"{name} cannot run: {got}")
        else:
            built[name] = got
    return built


def child_command(
    name: str, chosen: Sequence[str], sizes: Sizes, built: dict[str, Path]
) -> list[str]:
    """The command line of one run of contender ``name`` (see ``child.py``)."""
    command = [sys.executable, str(PACKAGE), "run", "--contender", name]
    command += ["--phases", ",".join(phases_for(name, chosen))]
    command += ["--pods", str(sizes.scale_pods), "--inplace-pods", str(sizes.inplace_pods)]
    command += ["--qps", str(sizes.qps), "--burst", str(sizes.burst)]
    if name == OPENKRUISE:
        command += ["--openkruise-dir", str(built[OPENKRUISE])]
    if name == RAW:
        command += ["--rawcreator", str(built[RAW])]
    return command


def run_once(
    outcome: Outcome, command: Sequence[str], sizes: Sizes, progress: Callable[[str], None]
) -> None:
    """One run into ``outcome``: its result, or the error that ends the contender's runs."""
    result = run_child(command, child_timeout(sizes), progress)
    if isinstance(result, str):
        outcome.error = result
        progress(f"{outcome.name} failed: {result}")
        return
    for phase, why in (result.get("errors") or {}).items():
        progress(f"{outcome.name}: {phase} failed: {why}")
    outcome.results.append(result)


def child_timeout(sizes: Sizes) -> float:
    return 300 + scale_deadline(sizes.scale_pods) + 2 * inplace_deadline(sizes.inplace_pods)
