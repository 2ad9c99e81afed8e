"""The scale-curve benchmark's pure parts: sizes and knobs, the figures made from each
run's /proc readings, the records, and the driver with its child runs faked."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.bench import BENCH, bench_run_py, child_help, load_scenarios

plan = load_scenarios("curve.plan")
outcomes = load_scenarios("curve.outcomes")
driver = load_scenarios("curve.driver")
steps = load_scenarios("curve.steps")

SIZES = (300, 1000, 3000)


def args(**kw: Any) -> argparse.Namespace:
    base = {"quick": False, "runs": None, "curve_sizes": None, "curve_foreign_pods": None}
    return argparse.Namespace(**{**base, "curve_qps": None, "curve_burst": None, **kw})


def run(
    contender: str = "kruise-py",
    cpu: tuple[float, ...] = (10.0, 13.0, 20.0, 40.0),
    rss: tuple[float, ...] = (100.0, 103.0, 110.0, 130.0),
    **extra: Any,
) -> dict[str, Any]:
    """A run's readings: the baseline, then one per step (cumulative CPU, VmRSS)."""
    return {
        "contender": contender,
        "errors": {},
        "nodes": 10,
        "baseline": {"cpu_seconds": cpu[0], "rss_mb": rss[0]},
        "steps": [
            {"pods": size, "cpu_seconds": c, "rss_mb": r, "seconds_all_ready": 1.0}
            for size, c, r in zip(SIZES, cpu[1:], rss[1:], strict=False)
        ],
        **extra,
    }


# ---- sizes and knobs ---------------------------------------------------------------------


def test_sizes_default_quick_and_explicit() -> None:
    full = plan.Sizes.for_args(args())
    assert (full.sizes, full.foreign, full.runs, full.qps, full.burst) == (
        SIZES,
        10_000,
        3,
        100.0,
        200,
    )
    quick = plan.Sizes.for_args(args(quick=True))
    assert (quick.sizes, quick.foreign, quick.runs) == ((30, 100, 300), 1000, 1)
    mine = plan.Sizes.for_args(
        args(quick=True, runs=3, curve_sizes="50,500", curve_foreign_pods=0, curve_qps=2000.0)
    )
    assert (mine.sizes, mine.foreign, mine.runs, mine.qps, mine.burst) == (
        (50, 500),
        0,
        3,
        2000.0,
        4000,
    )


def test_the_client_qps_default_is_the_cloneset_scenarios_one() -> None:
    cloneset_plan = load_scenarios("cloneset.plan")
    assert plan.Sizes.for_args(args()).qps == cloneset_plan.DEFAULT_QPS


def test_sizes_must_grow() -> None:
    assert plan.parse_sizes("300, 1000,3000") == SIZES
    for bad in ("", "300,300", "1000,300", "0,10"):
        with pytest.raises(ValueError, match="growing"):
            plan.parse_sizes(bad)


def test_run_options_reach_the_parser() -> None:
    parser = argparse.ArgumentParser()
    plan.add_arguments(parser)
    got = parser.parse_args(
        [
            "--curve-sizes",
            "1,2",
            "--curve-foreign-pods",
            "7",
            "--curve-qps",
            "5",
            "--curve-burst",
            "9",
        ]
    )
    assert (got.curve_sizes, got.curve_foreign_pods, got.curve_qps, got.curve_burst) == (
        "1,2",
        7,
        5.0,
        9,
    )


def test_each_step_has_time_for_its_own_pods() -> None:
    assert plan.added_pods(SIZES) == {300: 300, 1000: 700, 3000: 2000}
    full = plan.Sizes(runs=1, sizes=SIZES, foreign=10_000, qps=100.0, burst=200)
    # every step's deadline, and creating the foreign pods
    assert plan.child_timeout(full) > sum(plan.step_deadline(n) for n in (300, 700, 2000)) + 1000


# ---- figures from the readings ------------------------------------------------------------


def test_cpu_is_each_step_s_own_over_the_pods_it_added() -> None:
    figures = outcomes.step_figures(run(), SIZES)
    assert figures[300]["cpu_seconds_per_pod"] == pytest.approx(3.0 / 300)
    assert figures[1000]["cpu_seconds_per_pod"] == pytest.approx(7.0 / 700)
    assert figures[3000]["cpu_seconds_per_pod"] == pytest.approx(20.0 / 2000)


def test_rss_is_above_the_synced_baseline_per_1000_pods_of_the_size() -> None:
    figures = outcomes.step_figures(run(), SIZES)
    assert figures[300]["rss_mb_per_1000_pods"] == pytest.approx(3.0 / 300 * 1000)
    assert figures[1000]["rss_mb_per_1000_pods"] == pytest.approx(10.0)
    assert figures[3000]["rss_mb_per_1000_pods"] == pytest.approx(30.0 / 3)


def test_a_run_that_stopped_early_has_the_steps_it_finished() -> None:
    figures = outcomes.step_figures(run(cpu=(10.0, 13.0), rss=(100.0, 103.0)), SIZES)
    assert set(figures) == {300}
    assert outcomes.step_figures({"steps": run()["steps"]}, SIZES) == {}  # no baseline


# ---- the records --------------------------------------------------------------------------


def sizes() -> Any:
    return plan.Sizes(runs=2, sizes=SIZES, foreign=10_000, qps=100.0, burst=200)


def test_records_per_size_and_metric_against_openkruise_and_the_flatness() -> None:
    ours = outcomes.Outcome(
        "kruise-py", [run(idle_cpu_per_second=0.02), run(cpu=(0.0, 3.0, 10.0, 34.0))]
    )
    go = outcomes.Outcome(
        "openkruise-go",
        [run("openkruise-go", cpu=(1.0, 2.5, 6.0, 16.0), rss=(50.0, 51.5, 55.0, 65.0))],
    )
    records = outcomes.make_records(sizes(), {"kruise-py": ours, "openkruise-go": go})
    by_key = {(r["metric"], r["peer"]): r for r in records}
    assert [(r["metric"], r["peer"]) for r in records] == [
        ("cpu_seconds_per_pod@300", "openkruise-go"),
        ("rss_mb_per_1000_pods@300", "openkruise-go"),
        ("cpu_seconds_per_pod@1000", "openkruise-go"),
        ("rss_mb_per_1000_pods@1000", "openkruise-go"),
        ("cpu_seconds_per_pod@3000", "openkruise-go"),
        ("rss_mb_per_1000_pods@3000", "openkruise-go"),
        ("cpu_seconds_per_pod@3000", "kruise-py@300"),
    ]
    assert {r["scenario"] for r in records} == {"cloneset-scale-curve"}
    cpu300 = by_key[("cpu_seconds_per_pod@300", "openkruise-go")]
    assert cpu300["ours"] == pytest.approx(0.01)  # both runs: 3 s over 300 pods
    assert cpu300["peer_value"] == pytest.approx(0.005)
    assert (cpu300["ratio"], cpu300["goal"], cpu300["runs"]) == (2.0, 1.0, 1)
    rss3000 = by_key[("rss_mb_per_1000_pods@3000", "openkruise-go")]
    assert rss3000["ratio"] == pytest.approx(10.0 / 5.0)
    flat = by_key[("cpu_seconds_per_pod@3000", "kruise-py@300")]
    assert flat["ours"] == pytest.approx(0.0110)  # median of 20/2000 and 24/2000
    assert flat["peer_value"] == pytest.approx(0.01)
    assert flat["ratio"] == pytest.approx(1.1)
    assert flat["goal"] == 1.2
    assert "flatness" in flat["note"]
    assert "10000 foreign pods" in cpu300["note"]
    assert (
        "kruise-py steps Ready in 300: 1s, 1000: 1s, 3000: 1s (idle: 0.020 CPU s/s)"
        in (cpu300["note"])
    )


def test_an_rss_that_shrank_below_its_baseline_has_no_ratio() -> None:
    ours = outcomes.Outcome("kruise-py", [run()])
    go = outcomes.Outcome(
        "openkruise-go",
        [run("openkruise-go", cpu=(1.0, 2.0, 6.0, 16.0), rss=(50.0, 48.0, 55.0, 65.0))],
    )
    records = outcomes.make_records(sizes(), {"kruise-py": ours, "openkruise-go": go})
    by_key = {(r["metric"], r["peer"]): r for r in records}
    shrunk = by_key[("rss_mb_per_1000_pods@300", "openkruise-go")]
    assert shrunk["peer_value"] < 0
    assert shrunk["ratio"] is None
    assert shrunk["note"].startswith("no ratio: the RSS of openkruise-go was not above")
    assert by_key[("rss_mb_per_1000_pods@1000", "openkruise-go")]["ratio"] == pytest.approx(2.0)
    assert by_key[("cpu_seconds_per_pod@300", "openkruise-go")]["ratio"] is not None


def test_a_missing_side_says_why() -> None:
    failed = run("openkruise-go", cpu=(1.0, 2.0), rss=(50.0, 51.0))
    failed["errors"] = {"curve": "RunError: timed out"}
    records = outcomes.make_records(
        sizes(),
        {
            "kruise-py": outcomes.Outcome("kruise-py", error="not installed"),
            "openkruise-go": outcomes.Outcome("openkruise-go", [failed]),
        },
    )
    by_key = {(r["metric"], r["peer"]): r for r in records}
    first = by_key[("cpu_seconds_per_pod@300", "openkruise-go")]
    assert first["ours"] is None
    assert first["peer_value"] is not None
    assert "kruise-py: not installed" in first["note"]
    last = by_key[("cpu_seconds_per_pod@3000", "openkruise-go")]
    assert "openkruise-go: RunError: timed out" in last["note"]
    assert by_key[("cpu_seconds_per_pod@3000", "kruise-py@300")]["ratio"] is None


def test_vmrss_is_read_in_mib() -> None:
    status = "Name:\tx\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n"
    assert steps.parse_rss(status) == 100.0
    assert steps.parse_rss("Name:\tx\n") == 0.0


def test_foreign_pods_are_the_realistic_pods_left_to_no_scheduler() -> None:
    pod = steps.foreign_pod(7, 10)
    assert pod["spec"]["schedulerName"] == steps.NO_SCHEDULER
    assert pod["metadata"]["namespace"] == "bench-7"
    assert pod["metadata"]["labels"]["app"] != plan.NAME  # the CloneSet does not own it


# ---- the driver ---------------------------------------------------------------------------


@dataclass
class FakeBuild:
    folder: Path

    def wait(self) -> Path:
        return self.folder


def test_the_driver_runs_both_managers_in_turn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[list[str], str]] = []

    def run_child(command: list[str], timeout: float, progress: Any, tag: str) -> Any:
        calls.append((command, tag))
        return run(command[command.index("--contender") + 1])

    monkeypatch.setattr(driver, "run_child", run_child)
    monkeypatch.setattr(driver.ScriptBuild, "start", classmethod(lambda cls: FakeBuild(tmp_path)))
    monkeypatch.setattr(driver, "manager_command", lambda: tmp_path / "kruise-manager")
    (tmp_path / "kruise-manager").touch()
    lines: list[str] = []
    records = driver.records(
        args(runs=2, curve_sizes="300,1000,3000", curve_qps=2000.0),
        ["cloneset-scale-curve", "webhook-admission"],
        lines.append,
    )
    ran = [c[c.index("--contender") + 1] for c, _ in calls]
    assert ran == ["kruise-py", "openkruise-go", "openkruise-go", "kruise-py"]
    assert {tag for _, tag in calls} == {"curve"}
    for command, _ in calls:
        assert command[1] == str(BENCH / "scenarios" / "curve")
        assert command[command.index("--sizes") + 1] == "300,1000,3000"
        assert command[command.index("--foreign-pods") + 1] == "10000"
        assert (command[command.index("--qps") + 1], command[command.index("--burst") + 1]) == (
            "2000.0",
            "4000",
        )
    go = calls[1][0]
    assert go[go.index("--openkruise-dir") + 1] == str(tmp_path)
    assert len(records) == 7
    assert all(r["runs"] == 2 for r in records)
    assert driver.records(args(), ["webhook-admission"], lines.append) == []


def test_a_run_that_failed_ends_the_contender_s_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ran: list[str] = []

    def run_child(command: list[str], timeout: float, progress: Any, tag: str) -> Any:
        ran.append(name := command[command.index("--contender") + 1])
        return "exited 1: boom" if name == "openkruise-go" else run(name)

    monkeypatch.setattr(driver, "run_child", run_child)
    monkeypatch.setattr(driver.ScriptBuild, "start", classmethod(lambda cls: FakeBuild(tmp_path)))
    monkeypatch.setattr(driver, "manager_command", lambda: tmp_path / "kruise-manager")
    (tmp_path / "kruise-manager").touch()
    records = driver.records(args(runs=2), ["cloneset-scale-curve"], [].append)
    assert ran == ["kruise-py", "openkruise-go", "kruise-py"]
    assert records[0]["peer_value"] is None
    assert "openkruise-go: exited 1: boom" in records[0]["note"]


def test_a_child_run_starts_from_the_package_folder() -> None:
    done = child_help("curve")
    assert done.returncode == 0, done.stderr
    assert "--foreign-pods" in done.stdout
    assert "openkruise-go" in done.stdout


# ---- registration in bench/run.py ----------------------------------------------------


@pytest.fixture
def run_py(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    with bench_run_py(monkeypatch, "kruise_bench_run_curve") as module:
        yield module


def test_run_py_runs_the_curve(
    run_py: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_records(got: argparse.Namespace, chosen: Any, progress: Any, go_build: Any) -> Any:
        seen.update(chosen=list(chosen), sizes=got.curve_sizes, foreign=got.curve_foreign_pods)
        return outcomes.make_records(
            plan.Sizes.for_args(got), {"kruise-py": outcomes.Outcome("kruise-py", [run()])}
        )

    def not_chosen(*_: Any) -> Any:
        raise AssertionError("only the curve was chosen")

    monkeypatch.setattr(run_py.curve, "records", fake_records)
    for other in (run_py.cloneset, run_py.statefulset, run_py.jobs):
        monkeypatch.setattr(other, "records", not_chosen)
    out = tmp_path / "latest.json"
    argv = ["--scenario", "cloneset-scale-curve", "--curve-sizes", "300,1000,3000"]
    assert run_py.main([*argv, "--curve-foreign-pods", "5", "--out", str(out)]) == 0
    assert seen == {"chosen": ["cloneset-scale-curve"], "sizes": "300,1000,3000", "foreign": 5}
    data = json.loads(out.read_text())
    assert len(data["records"]) == 7
    assert "cloneset-scale-curve" in run_py.SCENARIOS
