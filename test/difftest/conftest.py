"""The Go peer for the differential tests: hack/difftest, built against OpenKruise v1.9.0.

The program is built once per source version into
``${XDG_CACHE_HOME:-~/.cache}/kruise-py/difftest/`` (the Go module proxy supplies
OpenKruise and Kubernetes) and runs for the whole session, answering one JSON case a line.
Without a Go toolchain, or when the build fails (no module proxy), every test here skips
with the reason. The summary at the end gives the number of cases compared and of the
documented differences met.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SOURCE = REPO / "hack" / "difftest"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kruise-py" / "difftest"
BUILD_TIMEOUT = 900

COMPARED: Counter[str] = Counter()
ALLOWED: Counter[str] = Counter()
GO_REFUSED: Counter[str] = Counter()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "difftest: compares kruise-py with OpenKruise's Go code")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.difftest)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COMPARED:
        return
    terminalreporter.section("difftest: kruise-py against OpenKruise v1.9.0 (Go)")
    for kind in sorted(COMPARED):
        line = f"{kind}: {COMPARED[kind]} cases compared"
        if ALLOWED[kind]:
            line += f", {ALLOWED[kind]} differing as documented"
        if GO_REFUSED[kind]:
            line += f", {GO_REFUSED[kind]} refused by Go (not compared)"
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"total: {sum(COMPARED.values())} cases")


class GoPeer:
    """One running hack/difftest; ``ask`` sends a case and returns Go's answer."""

    def __init__(self, binary: Path) -> None:
        self._process = subprocess.Popen(
            [str(binary)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._next = 0
        self.compared, self.allowed, self.refused = COMPARED, ALLOWED, GO_REFUSED

    def ask(self, op: str, **case: Any) -> dict[str, Any]:
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._next += 1
        line = json.dumps({"id": str(self._next), "op": op, **case}, ensure_ascii=False)
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        answer: dict[str, Any] = json.loads(self._process.stdout.readline())
        assert answer.get("id") == str(self._next), answer
        return answer

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)


def _digest() -> str:
    h = hashlib.sha256()
    for name in ("main.go", "go.mod", "go.sum"):
        h.update((SOURCE / name).read_bytes())
    return h.hexdigest()[:16]


def build_peer() -> Path:
    """The built program; ``pytest.skip`` when it cannot be had."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("difftest needs a Go toolchain (go not on PATH)")
    binary = CACHE / f"difftest-{_digest()}"
    if binary.exists():
        return binary
    CACHE.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "GOWORK": "off",
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-mod=mod -buildvcs=false",
        "CGO_ENABLED": "0",
        # The checksum database does not answer for OpenKruise's module here; its
        # dependencies are still checked against go.sum.
        "GONOSUMDB": "github.com/openkruise",
    }
    partial = binary.with_suffix(".partial")
    try:
        done = subprocess.run(
            [go, "build", "-o", str(partial), "."],
            cwd=SOURCE,
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"building hack/difftest took over {BUILD_TIMEOUT}s")
    if done.returncode != 0:
        pytest.skip(f"hack/difftest does not build (module proxy?): {done.stderr[-600:]}")
    partial.rename(binary)
    return binary


@pytest.fixture(scope="session")
def go_peer() -> Iterator[GoPeer]:
    peer = GoPeer(build_peer())
    try:
        yield peer
    finally:
        peer.close()


@pytest.fixture(scope="session")
def go_binary() -> Path:
    return build_peer()
