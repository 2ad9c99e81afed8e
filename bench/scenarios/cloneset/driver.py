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
    CREATORS,
    OPENKRUISE,
    OURS,
    PACKAGE,
    RAW,
    RAW_GATED,
    SCENARIOS,
    Sizes,
    base_of,
    inplace_deadline,
    is_fast,
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
    """Build what is missing, run every contender ``runs`` times (at the default client
    limits for the throttled scenarios, at QPS 2000 for the ``-qps2000`` ones), and make
    the records."""
    chosen = [s for s in chosen if s in SCENARIOS]
    sizes = Sizes.for_args(args)
    # fast=False: the throttled scenarios; fast=True: the same at QPS 2000.
    wanted = {fast: [base_of(s) for s in chosen if is_fast(s) == fast] for fast in (False, True)}
    variants = [fast for fast in (False, True) if wanted[fast]]
    contenders = [c for c in CONTENDERS if any(phases_for(c, wanted[f]) for f in variants)]
    outcomes = {f: {c: Outcome(c) for c in contenders} for f in variants}
    built = build_peers(contenders, outcomes, progress, go_build)
    for i in range(sizes.runs):
        # The order rotates from run to run, so no contender always goes first.
        order = [*contenders[i % len(contenders) :], *contenders[: i % len(contenders)]]
        for fast in variants:
            qps, _ = sizes.limits(fast)
            for name in order:
                phases = phases_for(name, wanted[fast])
                if not phases or outcomes[fast][name].error:
                    continue
                command = child_command(name, phases, sizes, built, fast=fast)
                progress(f"cloneset: run {i + 1}/{sizes.runs} at QPS {qps:g}: {name}")
                run_once(outcomes[fast][name], command, sizes, progress)
    found = []
    for fast in variants:
        found += make_records(chosen, sizes, outcomes[fast], fast=fast)
    return found


def build_peers(
    contenders: Sequence[str],
    outcomes: dict[bool, dict[str, Outcome]],
    progress: Callable[[str], None],
    go_build: Callable[[str], Build],
) -> dict[str, Path]:
    """Build the peers that take part, all at once; a contender that cannot run (a peer
    not built, our manager not installed) gets its outcomes' error. Returns the folder
    or binary of each built peer (both creators share one binary)."""
    builds: dict[str, Build] = {}
    if OPENKRUISE in contenders:
        progress(f"openkruise {OPENKRUISE_VERSION}: hack/build-openkruise.sh (cached when built)")
        builds[OPENKRUISE] = ScriptBuild.start()
    if set(CREATORS) & set(contenders):
        builds[RAW] = go_build("rawcreator")
    errors: dict[str, str] = {}
    if OURS in contenders and not manager_command().exists():
        errors[OURS] = f"{manager_command()} is not installed"
    built: dict[str, Path] = {}
    for name, build in builds.items():  # no compiler running while we measure
        got = build.wait()
        users = CREATORS if name == RAW else (name,)
        if isinstance(got, str):
            errors.update({user: got for user in users if user in contenders})
        else:
            built.update(dict.fromkeys(users, got))
    for name, why in errors.items():
        progress(f"{name} cannot run: {why}")
        for by_name in outcomes.values():
            by_name[name].error = why
    return built


def child_command(
    name: str,
    phases: Sequence[str],
    sizes: Sizes,
    built: dict[str, Path],
    *,
    fast: bool = False,
) -> list[str]:
    """The command line of one run of contender ``name`` (see ``child.py``)."""
    qps, burst = sizes.limits(fast)
    command = [sys.executable, str(PACKAGE), "run", "--contender", name]
    command += ["--phases", ",".join(phases)]
    command += ["--pods", str(sizes.scale_pods), "--inplace-pods", str(sizes.inplace_pods)]
    command += ["--qps", str(qps), "--burst", str(burst)]
    if name == OPENKRUISE:
        command += ["--openkruise-dir", str(built[OPENKRUISE])]
    if name in (RAW, RAW_GATED):
        command += ["--rawcreator", str(built[name])]
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
