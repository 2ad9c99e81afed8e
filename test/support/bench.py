"""Loading the benchmarks (bench/, a folder of scripts rather than a package) in unit tests:
one module of bench/scenarios, bench/run.py itself, and a scenario package's child run."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load_scenarios(name: str) -> ModuleType:
    """One module of bench/scenarios; bench/run.py imports them with bench/ on the path."""
    before_path, before_modules = list(sys.path), set(sys.modules)
    sys.path.insert(0, str(BENCH))
    module = importlib.import_module(f"scenarios.{name}")
    sys.path[:] = before_path  # the package puts bench/ on the path to import report
    if "report" not in before_modules:
        sys.modules.pop("report", None)
    return module


@contextlib.contextmanager
def bench_run_py(monkeypatch: pytest.MonkeyPatch, module_name: str) -> Iterator[ModuleType]:
    """bench/run.py loaded as ``module_name``, with the machine description and versions
    fixed and no SIGTERM handler; the modules it imported are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(BENCH))
    before = set(sys.modules)
    spec = importlib.util.spec_from_file_location(module_name, BENCH / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "machine", lambda: "test box")
    monkeypatch.setattr(module, "versions", lambda: {"python": "3"})
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    yield module
    for name in set(sys.modules) - before:
        if name in (spec.name, "report") or name.startswith("scenarios"):
            sys.modules.pop(name, None)


def child_help(package: str) -> subprocess.CompletedProcess[str]:
    """``python bench/scenarios/<package> run --help``, as the driver starts a child run."""
    return subprocess.run(
        [sys.executable, str(BENCH / "scenarios" / package), "run", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
