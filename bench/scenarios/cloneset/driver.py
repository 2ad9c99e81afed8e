"""The driver's side (``bench/run.py``): build the peers that are missing, run every
contender's runs as child processes in turn, and make the records."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import report

from .outcomes import Outcome, make_records
from .plan import (
    CONTENDERS,
    OPENKRUISE,
    OPENKRUISE_VERSION,
    OURS,
    PACKAGE,
    RAW,
    ROOT,
    SCENARIOS,
    Sizes,
    inplace_deadline,
    manager_command,
    phases_for,
    scale_deadline,
)


class Build(Protocol):
    def wait(self) -> Path | str: ...


@dataclass
class ScriptBuild:
    """hack/build-openkruise.sh in the background; ``wait`` gives its folder or why not."""

    folder: Path
    process: subprocess.Popen[str] | None = None
    log: Path | None = None
    error: str | None = None

    @classmethod
    def start(cls) -> ScriptBuild:
        script = ROOT / "hack" / "build-openkruise.sh"
        folder = Path(
            subprocess.run(
                ["bash", str(script), "--print-dir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        )
        build = cls(folder)
        if openkruise_ready(folder):
            return build
        folder.parent.mkdir(parents=True, exist_ok=True)
        build.log = folder.parent / f"build-openkruise-{OPENKRUISE_VERSION}.log"
        with build.log.open("w") as out:
            build.process = subprocess.Popen(
                ["nice", "-n", "10", "bash", str(script), "--manager-only"],
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        return build

    def wait(self) -> Path | str:
        if self.process is not None:
            self.process.wait()
            self.process = None
            if not openkruise_ready(self.folder):
                failed = self.folder / "BUILD_FAILED"
                why = failed.read_text().strip() if failed.exists() else ""
                self.error = (
                    f"hack/build-openkruise.sh failed ({why[:400] or 'see ' + str(self.log)})"
                )
        if self.error:
            return self.error
        return self.folder


def openkruise_ready(folder: Path) -> bool:
    return (
        (folder / "kruise-manager").is_file()
        and (folder / "webhook" / "manifests.yaml").is_file()
        and any((folder / "crd").glob("*.yaml"))
    )


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


def run_child(
    command: Sequence[str], timeout: float, progress: Callable[[str], None]
) -> dict[str, Any] | str:
    """Run one contender's run; its JSON result, or why it has none (one line).

    The child's progress lines are passed on as they come; if this process is stopped
    (Ctrl-C, SIGTERM), the child is stopped too, and it stops its cluster."""
    stdout = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        list(command),
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    other: list[str] = []

    def relay() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("[cloneset"):
                print(line.rstrip(), file=sys.stderr, flush=True)
            else:
                other.append(line.rstrip())
                del other[:-20]

    reader = threading.Thread(target=relay, daemon=True)
    reader.start()
    with stdout:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            stop_child(process)
            return f"the run did not finish in {timeout:.0f}s"
        except BaseException:
            stop_child(process)
            raise
        reader.join(5)
        stdout.seek(0)
        lines = stdout.read().strip().splitlines()
    if process.returncode != 0 or not lines:
        return f"exited {process.returncode}: {' | '.join(other[-3:])[:500]}"
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except ValueError:
        return f"no JSON result: {lines[-1][:200]}"
    return result


def stop_child(process: subprocess.Popen[str]) -> None:
    """SIGTERM (the child then stops its cluster and manager), then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(90)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
