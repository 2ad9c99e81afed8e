"""The benchmark results writer: medians, ratios, goals, null peers and the table."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPORT = Path(__file__).resolve().parents[3] / "bench" / "report.py"


def load_report() -> ModuleType:
    # bench/ is a folder of scripts, not a package: load the module from its file.
    spec = importlib.util.spec_from_file_location("kruise_bench_report", REPORT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


report = load_report()


def test_median_of_runs_and_ratio_of_medians() -> None:
    record = report.make_record(
        "informer-10k-pods",
        "bytes_per_pod",
        [9000.0, 12000.0, 10000.0],
        "client-go-stripped",
        [8000.0, 7000.0, 20000.0],
        goal=1.5,
    )
    assert record["ours"] == 10000.0
    assert record["peer_value"] == 8000.0
    assert record["ratio"] == 1.25
    assert record["goal"] == 1.5
    assert record["runs"] == 3
    assert "note" not in record
    assert "higher_is_better" not in record
    assert record["ours_runs"] == [9000.0, 12000.0, 10000.0]
    assert report.goal_met(record) is True


def test_even_run_count_takes_the_middle_mean() -> None:
    assert report.median([1.0, 2.0, 3.0, 10.0]) == 2.5
    assert report.median([]) is None


def test_goal_missed_when_ratio_above_goal() -> None:
    record = report.make_record("s", "sync_seconds", [3.0], "client-go-stripped", [1.0], goal=1.5)
    assert record["ratio"] == 3.0
    assert report.goal_met(record) is False


def test_no_goal_means_no_verdict() -> None:
    record = report.make_record("s", "sync_seconds", [3.0], "client-go", [1.0])
    assert record["goal"] is None
    assert report.goal_met(record) is None


def test_higher_is_better_reverses_the_goal() -> None:
    record = report.make_record(
        "workqueue-throughput",
        "ops_per_second",
        [500_000.0, 600_000.0, 550_000.0],
        "client-go-workqueue",
        [2_000_000.0],
        goal=0.5,
        higher_is_better=True,
    )
    assert record["higher_is_better"] is True
    assert record["ratio"] == 0.275
    assert report.goal_met(record) is False
    assert record["runs"] == 1  # the fewer of the two sides


def test_null_peer_keeps_ours_and_says_why() -> None:
    record = report.make_record(
        "reconcile-noop-overhead",
        "microseconds_per_reconcile",
        [70.0, 72.0],
        "client-go-workqueue",
        [],
        note="the go toolchain is not installed (go not on PATH)",
    )
    assert record["ours"] == 71.0
    assert record["peer_value"] is None
    assert record["ratio"] is None
    assert record["runs"] == 2
    assert record["note"] == "the go toolchain is not installed (go not on PATH)"
    assert report.goal_met(record) is None


def test_a_side_without_figures_needs_a_note() -> None:
    with pytest.raises(ValueError, match="needs a note"):
        report.make_record("s", "m", [1.0], "peer", [])
    with pytest.raises(ValueError, match="needs a note"):
        report.make_record("s", "m", [], "peer", [1.0])


def test_zero_peer_gives_no_ratio() -> None:
    assert report.ratio(1.0, 0.0) is None
    assert report.ratio(None, 1.0) is None
    assert report.ratio(3.0, 2.0) == 1.5


def test_figures_keep_four_significant_digits() -> None:
    record = report.make_record("s", "m", [1234567.0], "peer", [3.0])
    assert record["ours"] == 1235000.0
    assert record["ratio"] == 411500.0


def test_write_results_round_trips(tmp_path: Path) -> None:
    records = [
        report.make_record("s", "m", [2.0], "peer", [1.0], goal=1.5),
        report.make_record("s", "m", [2.0], "other", [], note="other could not run"),
    ]
    results = report.make_results(
        records, machine="test box", date="2026-01-01T00:00:00+00:00", versions={"go": "go1"}
    )
    out = tmp_path / "results" / "latest.json"
    report.write_results(out, results)
    data = json.loads(out.read_text())
    assert set(data) == {"machine", "date", "versions", "records"}
    assert data["machine"] == "test box"
    assert data["versions"] == {"go": "go1"}
    assert data["records"][0]["ratio"] == 2.0
    assert data["records"][1]["peer_value"] is None
    assert data["records"][1]["note"] == "other could not run"
    assert [p.name for p in out.parent.iterdir()] == ["latest.json"]  # no temp file left


def test_table_shows_verdicts_and_null_peer_notes() -> None:
    records = [
        report.make_record("informer", "bytes_per_pod", [3.0], "go-stripped", [1.0], goal=1.5),
        report.make_record("informer", "sync_seconds", [1.0], "go-stripped", [1.0], goal=1.5),
        report.make_record("queue", "ops", [1.0], "go", [2.0], higher_is_better=True),
        report.make_record("loop", "us", [70.0], "go", [], note="go build failed"),
    ]
    table = report.format_table(records).splitlines()
    assert table[0].split()[:7] == [
        "scenario",
        "metric",
        "peer",
        "ours",
        "peer_value",
        "ratio",
        "goal",
    ]
    assert "MISSED" in table[2]
    assert table[3].endswith("met")
    assert "higher is better" in table[4]
    assert table[5].split()[4] == "-"  # the null peer's value
    assert table[-1].strip() == "loop vs go: go build failed"


def _results(records: list[Any], date: str, machine: str = "box") -> dict[str, Any]:
    return report.make_results(records, machine=machine, date=date, versions={"go": "go1"})


ORDER = ("queue", "informer", "webhook")


def test_merge_keeps_the_other_scenarios_and_replaces_the_chosen() -> None:
    previous = _results(
        [
            report.make_record("queue", "ops", [1.0], "go", [2.0], higher_is_better=True),
            report.make_record("informer", "bytes", [3.0], "go", [1.0]),
            report.make_record("webhook", "p50_ms", [9.0], "floor", [1.0]),
        ],
        "2026-01-01T00:00:00+00:00",
    )
    fresh = _results(
        [
            report.make_record("webhook", "p50_ms", [2.0], "floor", [1.0]),
            report.make_record("webhook", "p99_ms", [4.0], "floor", [2.0]),
        ],
        "2026-01-02T00:00:00+00:00",
    )
    merged = report.merge_results(previous, fresh, ["webhook"], ORDER)
    assert [(r["scenario"], r["metric"]) for r in merged["records"]] == [
        ("queue", "ops"),
        ("informer", "bytes"),
        ("webhook", "p50_ms"),
        ("webhook", "p99_ms"),
    ]
    assert merged["records"][2]["ours"] == 2.0  # the new figure, not the old one
    assert merged["records"][0]["higher_is_better"] is True  # kept records stay whole
    assert merged["date"] == "2026-01-02T00:00:00+00:00"
    assert merged["dates"] == {
        "queue": "2026-01-01T00:00:00+00:00",
        "informer": "2026-01-01T00:00:00+00:00",
        "webhook": "2026-01-02T00:00:00+00:00",
    }
    assert list(merged) == ["machine", "date", "versions", "dates", "records"]


def test_merge_carries_the_dates_of_an_earlier_merge() -> None:
    first = _results([report.make_record("queue", "ops", [1.0], "go", [2.0])], "day-1")
    informer = _results([report.make_record("informer", "bytes", [1.0], "go", [2.0])], "day-2")
    webhook = _results([report.make_record("webhook", "p50_ms", [1.0], "floor", [2.0])], "day-3")
    merged = report.merge_results(first, informer, ["informer"], ORDER)
    merged = report.merge_results(merged, webhook, ["webhook"], ORDER)
    assert merged["dates"] == {"queue": "day-1", "informer": "day-2", "webhook": "day-3"}
    assert [r["scenario"] for r in merged["records"]] == ["queue", "informer", "webhook"]


def test_merge_without_anything_to_keep_is_the_new_results() -> None:
    fresh = _results([report.make_record("webhook", "p50_ms", [2.0], "floor", [1.0])], "day-2")
    assert report.merge_results(None, fresh, ["webhook"], ORDER) == fresh
    only_webhook = _results([report.make_record("webhook", "p50_ms", [9.0], "f", [1.0])], "d1")
    assert report.merge_results(only_webhook, fresh, ["webhook"], ORDER) == fresh
    assert "dates" not in report.merge_results(only_webhook, fresh, ["webhook"], ORDER)


def test_merge_drops_records_of_another_machine() -> None:
    previous = _results([report.make_record("queue", "ops", [1.0], "go", [2.0])], "d1", "other")
    fresh = _results([report.make_record("webhook", "p50_ms", [2.0], "floor", [1.0])], "d2")
    assert report.merge_results(previous, fresh, ["webhook"], ORDER) == fresh


def test_merge_puts_unknown_scenarios_last_and_skips_broken_records() -> None:
    previous = _results(
        [
            report.make_record("retired", "m", [1.0], "go", [2.0]),
            {"metric": "no scenario"},
            "not a record",
            report.make_record("queue", "ops", [1.0], "go", [2.0]),
        ],
        "d1",
    )
    fresh = _results([report.make_record("webhook", "p50_ms", [2.0], "floor", [1.0])], "d2")
    merged = report.merge_results(previous, fresh, ["webhook"], ORDER)
    assert [r["scenario"] for r in merged["records"]] == ["queue", "webhook", "retired"]


def test_read_results_tolerates_a_missing_or_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    assert report.read_results(path) is None
    path.write_text("{not json")
    assert report.read_results(path) is None
    path.write_text('{"records": "nope"}')
    assert report.read_results(path) is None
    results = _results([report.make_record("queue", "ops", [1.0], "go", [2.0])], "d1")
    report.write_results(path, results)
    assert report.read_results(path) == results


def test_written_results_are_readable_by_everyone(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    report.write_results(out, {"records": []})
    assert out.stat().st_mode & 0o777 == 0o644


# ---- the spread of the runs and the goals table --------------------------------------


def test_min_and_max_sit_beside_the_medians() -> None:
    record = report.make_record("s", "sync_seconds", [3.0, 1.0, 2.0], "peer", [5.0, 4.0, 6.0])
    assert (record["ours_min"], record["ours"], record["ours_max"]) == (1.0, 2.0, 3.0)
    assert (record["peer_min"], record["peer_value"], record["peer_max"]) == (4.0, 5.0, 6.0)


def test_a_null_peer_has_no_min_or_max() -> None:
    record = report.make_record("s", "sync_seconds", [2.0], "peer", [], goal=1.0, note="no go")
    assert (record["ours_min"], record["ours_max"]) == (2.0, 2.0)
    assert record["peer_min"] is None
    assert record["peer_max"] is None


def goals_rows(records: list[dict[str, Any]]) -> dict[tuple[str, str, str], list[str]]:
    lines = report.format_goals(records).splitlines()
    assert lines[0].split() == ["scenario", "metric", "peer", "ratio", "goal", "verdict"]
    rows = {}
    for line in lines[2:-1]:
        cells = line.split()
        rows[(cells[0], cells[1], cells[2])] = cells[3:]
    return rows


def test_goals_table_marks_met_and_missed_both_ways() -> None:
    records = [
        report.make_record("lower", "seconds", [1.0], "fast", [1.0], goal=1.1),
        report.make_record("lower", "seconds", [3.0], "slow", [1.0], goal=1.1),
        report.make_record(
            "higher", "rps", [900.0], "floor", [1000.0], goal=0.8, higher_is_better=True
        ),
        report.make_record(
            "higher", "rps", [500.0], "floor2", [1000.0], goal=0.8, higher_is_better=True
        ),
        report.make_record("nogoal", "seconds", [3.0], "peer", [1.0]),
    ]
    rows = goals_rows(records)
    assert rows[("lower", "seconds", "fast")] == ["1", "<=", "1.1", "met"]
    assert rows[("lower", "seconds", "slow")] == ["3", "<=", "1.1", "MISSED"]
    assert rows[("higher", "rps", "floor")] == ["0.9", ">=", "0.8", "met"]
    assert rows[("higher", "rps", "floor2")] == ["0.5", ">=", "0.8", "MISSED"]
    assert ("nogoal", "seconds", "peer") not in rows  # only records that carry a goal
    assert report.format_goals(records).splitlines()[-1] == "2 of 4 goals met"


def test_goals_table_shows_a_goal_without_figures() -> None:
    records = [report.make_record("s", "m", [2.0], "gone", [], goal=1.0, note="did not run")]
    assert goals_rows(records)[("s", "m", "gone")] == ["-", "<=", "1", "no", "figure"]
    assert report.format_goals([]) == "no record carries a goal"


def test_report_prints_the_goals_of_a_results_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "results.json"
    records = [
        report.make_record(
            "a-curve", "cpu_seconds_per_pod", [2.0], "openkruise-go", [1.0], goal=1.0
        )
    ]
    results = report.make_results(records, machine="box", date="today", versions={})
    report.write_results(path, results)
    assert report.main([str(path)]) == 0
    out = capsys.readouterr().out
    goals = out.split("\n\n")[1].splitlines()
    assert goals[2].split() == [
        "a-curve",
        "cpu_seconds_per_pod",
        "openkruise-go",
        "2",
        "<=",
        "1",
        "MISSED",
    ]
    assert "0 of 1 goals met" in out
    assert report.main([str(tmp_path / "missing.json")]) == 1
    assert report.main(["--help"]) == 2
