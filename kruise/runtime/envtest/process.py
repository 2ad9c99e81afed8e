"""Child processes of the local control plane: started, watched, and always stopped.

Every child runs in its own session (so a terminal's Ctrl-C reaches only us, and we
stop the children in order) and asks the kernel to kill it when its parent dies, so a
SIGKILLed test run leaves no orphan behind. An ``atexit`` hook stops whatever is
still running when the interpreter exits normally.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1
# Linux sends the parent-death signal when the *thread* that forked the child exits, so
# every child is forked from this one thread, which lives as long as the process.
_SPAWNER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="envtest")
_LIVE: weakref.WeakSet[Process] = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


class EnvtestError(Exception):
    """A problem starting or running the local control plane, in one line."""


class BinaryNotFoundError(EnvtestError):
    """A required binary is missing from the binary cache."""


class ComponentError(EnvtestError):
    """A component failed to start, died, or did not become ready in time."""

    def __init__(self, component: str, message: str, log_path: Path | None = None) -> None:
        self.component = component
        self.log_path = log_path
        last = _last_log_line(log_path) if log_path else ""
        where = f" (log: {log_path})" if log_path else ""
        hint = f": {last}" if last else ""
        super().__init__(f"{component} {message}{where}{hint}")


def _last_log_line(path: Path, width: int = 300) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip()[:width] if lines else ""


def _die_with_parent() -> None:
    """Runs in the child between fork and exec."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class Process:
    """One long-running component whose output goes to a log file."""

    def __init__(
        self, name: str, args: Sequence[str], log_path: Path, env: dict[str, str] | None = None
    ) -> None:
        self.name = name
        self.args = list(args)
        self.log_path = log_path
        self.env = env
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The child's process id, once started."""
        return self._popen.pid if self._popen else None

    def start(self) -> None:
        """Spawn the binary in its own session, output appended to ``log_path``. The child is
        killed when this process dies, even by SIGKILL, and stopped at interpreter exit."""
        if not Path(self.args[0]).is_file():
            raise BinaryNotFoundError(f"{self.name}: binary {self.args[0]} does not exist")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._popen = _SPAWNER.submit(
                subprocess.Popen,
                self.args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # prctl is async-signal-safe, so this is sound even with threads.
                preexec_fn=_die_with_parent,
                env=self.env,
            ).result()
        with _LIVE_LOCK:
            _LIVE.add(self)

    def alive(self) -> bool:
        """Whether the child was started and has not exited."""
        return self._popen is not None and self._popen.poll() is None

    def returncode(self) -> int | None:
        """The exit code, or None while running or before ``start``."""
        return self._popen.poll() if self._popen else None

    def check_alive(self) -> None:
        """Raise a ComponentError naming this component if it has exited."""
        if self._popen is None:
            raise ComponentError(self.name, "was never started")
        code = self._popen.poll()
        if code is not None:
            raise ComponentError(self.name, f"exited with code {code}", self.log_path)

    def wait_ready(
        self,
        probe: Callable[[], bool],
        timeout: float,
        also_alive: Sequence[Process] = (),
        interval: float = 0.1,
    ) -> None:
        """Poll ``probe`` until it passes; fail fast if this or a dependency dies."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            for dependency in also_alive:
                dependency.check_alive()
            if probe():
                return
            if time.monotonic() > deadline:
                raise ComponentError(
                    self.name, f"did not become ready within {timeout:.0f}s", self.log_path
                )
            time.sleep(interval)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; always reaps the child."""
        popen = self._popen
        if popen is None:
            return
        if popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGTERM)
            try:
                popen.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()
        # The session may hold grandchildren; make sure none survive.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGKILL)
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def kill(self) -> None:
        """SIGKILL at once, as a crash would."""
        if self._popen is not None and self._popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._popen.pid, signal.SIGKILL)
            self._popen.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the log ("" if there is none yet)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@atexit.register
def _stop_everything() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
    for process in live:
        process.stop(grace=3.0)
