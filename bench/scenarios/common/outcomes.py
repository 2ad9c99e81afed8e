"""A contender's runs as the driver collects them, for scenarios whose runs report their
figures per phase (the Advanced StatefulSet and job scenarios)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Outcome:
    """A contender's runs: each run's JSON result, and why a run or phase failed."""

    name: str
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # the contender could not run at all (build, setup)

    def figures(self, phase: str, metric: str) -> list[float]:
        values = (phase_figure(r, phase, metric) for r in self.results)
        return [float(v) for v in values if v is not None]

    def why_not(self, phase: str, metric: str) -> str | None:
        """Why ``metric`` of ``phase`` has no figure from this contender; None if it has."""
        if self.figures(phase, metric):
            return None
        if self.error:
            return self.error
        for result in reversed(self.results):
            errors = result.get("errors") or {}
            why = errors.get(phase) or errors.get("setup")
            if why:
                logs = f" (logs: {result['logs']})" if result.get("logs") else ""
                return f"{why}{logs}"
        return f"{self.name} did not run"


def phase_figure(result: dict[str, Any], phase: str, key: str) -> Any:
    """One figure of one phase of one run's result; None when it has none."""
    return ((result.get("phases") or {}).get(phase) or {}).get(key)


def record_run(
    outcome: Outcome, result: dict[str, Any] | str, progress: Callable[[str], None]
) -> None:
    """One child run's result (``run_child``'s) into ``outcome``: its figures, or the
    error that ends the contender's runs."""
    if isinstance(result, str):
        outcome.error = result
        progress(f"{outcome.name} failed: {result}")
        return
    for phase, why in (result.get("errors") or {}).items():
        progress(f"{outcome.name}: {phase} failed: {why}")
    outcome.results.append(result)
