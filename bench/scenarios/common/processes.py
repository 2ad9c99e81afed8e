"""The driver's child processes: OpenKruise's manager built in the background
(``hack/build-openkruise.sh``), and one contender's run as a child whose progress lines
are passed on and whose last stdout line is its JSON result."""

from __future__ import annotations

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

from . import ROOT
from .cluster import OPENKRUISE_VERSION


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


def run_child(
    command: Sequence[str],
    timeout: float,
    progress: Callable[[str], None],
    tag: str = "cloneset",
) -> dict[str, Any] | str:
    """Run one contender's run; its JSON result, or why it has none (one line).

    The child's progress lines (those starting with ``[<tag>``) are passed on as they
    come; if this process is stopped (Ctrl-C, SIGTERM), the child is stopped too, and it
    stops its cluster."""
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
            if line.startswith(f"[{tag}"):
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
