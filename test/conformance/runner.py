"""Running specs: one ``kruise-e2e.test`` process per spec, a few at a time, each selected
by ``--ginkgo.focus-file=<file>:<line>`` and read back from its ``--ginkgo.json-report``."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.managers import die_with_parent, tail

from conformance.results import NOT_RUN, Row, find_spec_report, result_row
from conformance.selection import ToRun
from conformance.specs import Spec

# Ginkgo gets the per-spec timeout itself (its report then says where the spec was);
# the process is stopped only if it outlives that by this much.
KILL_GRACE = 90.0


def spec_command(
    binary: Path, spec: Spec, report: Path, timeout: float, verify_service_account: bool
) -> list[str]:
    """The suite's command line that runs exactly ``spec`` and writes a JSON report."""
    return [
        str(binary),
        f"--ginkgo.focus-file={spec.focus_file()}",
        f"--ginkgo.json-report={report}",
        f"--ginkgo.timeout={int(timeout)}s",
        "--ginkgo.grace-period=30s",
        "--ginkgo.no-color",
        f"-e2e-verify-service-account={'true' if verify_service_account else 'false'}",
        f"--e2e-output-dir={report.parent}",
    ]


def slug(spec: Spec) -> str:
    return f"{spec.version}-{Path(spec.file).stem}-{spec.line}"


@dataclass
class Runner:
    """Runs specs against one cluster; ``alive`` raises when the manager or cluster died."""

    binary: Path
    kubeconfig: Path
    workdir: Path
    timeout: float
    verify_service_account: bool
    alive: Callable[[], None]
    say: Callable[[str], None]

    def __post_init__(self) -> None:
        self._running: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._broken = ""

    def run_all(self, specs: Sequence[ToRun], jobs: int) -> list[Row]:
        """Every spec's row; on Ctrl-C the running ones are stopped and the rest are
        ``not run``."""
        rows: list[Row] = []
        done = 0
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(self.run_one, item): item for item in specs}
            try:
                for future in as_completed(futures):
                    row = future.result()
                    rows.append(row)
                    done += 1
                    took = "" if row.seconds is None else f" ({row.seconds:.0f}s)"
                    self.say(f"[{done}/{len(specs)}] {row.spec.location} {row.result}{took}")
            except KeyboardInterrupt:
                self.say("interrupted: stopping the running specs")
                self.stop()
                for future in futures:
                    future.cancel()
                raise
        return rows

    def stop(self) -> None:
        """Stop every running spec (its process group) and start no more."""
        self._stopping.set()
        with self._lock:
            running = list(self._running.values())
        for process in running:
            _stop_group(process)

    def run_one(self, item: ToRun) -> Row:
        spec = item.spec
        if self._stopping.is_set():
            return Row(spec, NOT_RUN, message=self._broken or "the run was stopped")
        try:
            self.alive()
        except Exception as err:
            self._broken = f"not run: {err}"
            self._stopping.set()
            return Row(spec, NOT_RUN, message=self._broken)
        folder = self.workdir / "specs" / slug(spec)
        folder.mkdir(parents=True, exist_ok=True)
        report_path = folder / "report.json"
        log = folder / "output.log"
        command = spec_command(
            self.binary, spec, report_path, self.timeout, self.verify_service_account
        )
        env = {**os.environ, "KUBECONFIG": str(self.kubeconfig)}
        started = time.monotonic()
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # This worker thread waits for the spec, so the spec dies with the runner.
                preexec_fn=die_with_parent,  # noqa: PLW1509
            )
        with self._lock:
            self._running[process.pid] = process
        killed = False
        try:
            process.wait(self.timeout + KILL_GRACE)
        except subprocess.TimeoutExpired:
            killed = True
            _stop_group(process)
        finally:
            with self._lock:
                self._running.pop(process.pid, None)
        seconds = time.monotonic() - started
        report = find_spec_report(_read_report(report_path), spec)
        row = result_row(
            spec,
            report,
            expected=item.expected,
            killed=killed,
            exit_code=process.returncode,
            log_tail=tail(log, 3),
            seconds=seconds,
            log=str(log),
        )
        if self._stopping.is_set() and report is None:
            row.result, row.message = NOT_RUN, "stopped"
        return row


def _read_report(path: Path) -> list[Mapping[str, Any]]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the spec's process group (it started it), then SIGKILL after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
