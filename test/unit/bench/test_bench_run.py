"""bench/run.py's glue: a run of one scenario keeps the other scenarios' records."""

from __future__ import annotations

import importlib.util
import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    # run.py is a script that imports its siblings (report, scenarios.pods) by name.
    monkeypatch.syspath_prepend(str(BENCH))
    before = set(sys.modules)
    spec = importlib.util.spec_from_file_location("kruise_bench_run", BENCH / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    # No Go, no processes: every peer "fails to build", which the scenarios record.
    no_go = classmethod(lambda cls, name: cls(name, Path("/nowhere"), error="no go here"))
    monkeypatch.setattr(module.GoBuild, "start", no_go)
    monkeypatch.setattr(module, "machine", lambda: "test box")
    monkeypatch.setattr(module, "versions", lambda: {"python": "3"})
    monkeypatch.setattr(signal, "signal", lambda *_: None)  # main() sets a SIGTERM handler
    yield module
    for name in set(sys.modules) - before:  # this module and its siblings, not kruise's
        if name in (spec.name, "report") or name.partition(".")[0] == "scenarios":
            sys.modules.pop(name, None)


def previous_file(path: Path, machine: str = "test box") -> None:
    records = [
        {"scenario": "workqueue-throughput", "metric": "ops_per_second", "ours": 1.0},
        {"scenario": "informer-10k-pods", "metric": "sync_seconds", "ours": 2.0},
        {"scenario": "webhook-admission", "metric": "p50_ms", "ours": 99.0},
    ]
    data = {"machine": machine, "date": "day-1", "versions": {}, "records": records}
    path.write_text(json.dumps(data))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_a_scenario_run_merges_into_the_results_file(run: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    previous_file(out)
    assert run.main(["--scenario", "webhook-admission", "--quick", "--out", str(out)]) == 0
    data = load(out)
    assert [(r["scenario"], r["metric"]) for r in data["records"]] == [
        ("workqueue-throughput", "ops_per_second"),
        ("informer-10k-pods", "sync_seconds"),
        ("webhook-admission", "p50_ms"),
        ("webhook-admission", "p99_ms"),
        ("webhook-admission", "requests_per_second"),
    ]
    webhook = data["records"][2:]
    assert all(r["peer"] == "aiohttp-tls-floor" for r in webhook)
    assert all(r["ours"] is None and "no go here" in r["note"] for r in webhook)
    assert webhook[2]["higher_is_better"] is True
    assert "higher_is_better" not in webhook[0]
    assert data["dates"]["informer-10k-pods"] == "day-1"
    assert data["dates"]["webhook-admission"] == data["date"] != "day-1"


def test_results_of_another_machine_are_not_kept(run: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    previous_file(out, machine="elsewhere")
    assert run.main(["--scenario", "webhook-admission", "--quick", "--out", str(out)]) == 0
    assert {r["scenario"] for r in load(out)["records"]} == {"webhook-admission"}


def test_a_first_scenario_run_writes_a_fresh_file(run: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "results" / "latest.json"
    assert run.main(["--scenario", "webhook-admission", "--quick", "--out", str(out)]) == 0
    data = load(out)
    assert set(data) == {"machine", "date", "versions", "records"}
    assert len(data["records"]) == 3


def test_every_scenario_runs_three_times_by_default(run: ModuleType) -> None:
    assert run.parse_args([]).runs == 3
    assert run.parse_args(["--quick"]).runs == 1
    assert run.parse_args(["--quick", "--runs", "5"]).runs == 5


def test_the_records_carry_the_goals_of_issue_16(run: ModuleType) -> None:
    sizes = run.Sizes.for_args(run.parse_args(["--quick"]))
    ours = run.Side("kruise-py", None)
    floor = run.Side(run.WEBHOOK_PEER, None)
    ours.results = [{"p50_ms": 2.0, "p99_ms": 3.0, "requests_per_second": 900.0}]
    floor.results = [{"p50_ms": 1.0, "p99_ms": 2.0, "requests_per_second": 1000.0}]
    for side in (ours, floor):
        side.results[0] |= {"request_bytes": 3000, "tls_version": "TLSv1.3", "gomaxprocs": 1}
    records = run.webhook_to_records("webhook-admission", sizes, ours=ours, floor=floor)
    by_metric = {r["metric"]: r for r in records}
    assert by_metric["p50_ms"]["goal"] is None
    assert (by_metric["p99_ms"]["goal"], run.report.goal_met(by_metric["p99_ms"])) == (1.5, True)
    rps = by_metric["requests_per_second"]
    assert (rps["goal"], rps["higher_is_better"], run.report.goal_met(rps)) == (0.8, True, True)
    assert run.informer_goal("sync_seconds", "client-go-stripped") == 1.2
    assert run.informer_goal("bytes_per_pod", "client-go-stripped") == 1.0
    assert run.informer_goal("sync_seconds", "client-go") is None
    assert (run.WORKQUEUE_GOAL, run.RECONCILE_GOAL) == (0.6, 3.0)
