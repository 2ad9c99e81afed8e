"""The Advanced StatefulSet benchmarks' pure parts: which contender runs which phase, the
manifests, the process meter, the records, and the driver with its child runs faked."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.bench import BENCH, bench_run_py, child_help, load_scenarios

plan = load_scenarios("statefulset.plan")
manifests = load_scenarios("statefulset.manifests")
outcomes = load_scenarios("statefulset.outcomes")
driver = load_scenarios("statefulset.driver")
observer = load_scenarios("common.observer")
order = load_scenarios("statefulset.observer")

ALL = plan.SCENARIOS


# ---- which contender runs what -------------------------------------------------------


def test_phases_follow_the_chosen_scenarios_in_run_order() -> None:
    assert plan.phases_for(plan.OURS, ALL) == ("ordered", "parallel", "inplace")
    assert plan.phases_for(plan.OPENKRUISE, ALL) == ("ordered", "parallel", "inplace")
    # kube-controller-manager has no in-place update.
    assert plan.phases_for(plan.KCM, ALL) == ("ordered", "parallel")
    assert plan.phases_for(plan.KCM, [plan.INPLACE]) == ()
    assert plan.phases_for(plan.OURS, [plan.INPLACE, plan.ORDERED]) == ("ordered", "inplace")
    assert plan.phases_for(plan.OURS, ["cloneset-scale-1000"]) == ()


def test_sizes_default_quick_and_explicit() -> None:
    def args(**kw: Any) -> argparse.Namespace:
        base = {"quick": False, "runs": None, "client_qps": None, "client_burst": None}
        sizes = {"asts_parallel_pods": None, "asts_ordered_pods": None, "asts_inplace_pods": None}
        return argparse.Namespace(**{**base, **sizes, **kw})

    full = plan.Sizes.for_args(args())
    assert (full.parallel_pods, full.ordered_pods, full.inplace_pods) == (500, 50, 500)
    assert (full.runs, full.qps, full.burst) == (1, 100.0, 200)
    quick = plan.Sizes.for_args(args(quick=True))
    assert (quick.parallel_pods, quick.ordered_pods, quick.inplace_pods) == (50, 10, 50)
    mine = plan.Sizes.for_args(args(runs=3, asts_ordered_pods=7, client_qps=1e5))
    assert (mine.runs, mine.pods("ordered"), mine.pods("inplace"), mine.qps) == (3, 7, 500, 1e5)


def test_run_options_reach_the_parser() -> None:
    parser = argparse.ArgumentParser()
    plan.add_arguments(parser)
    args = parser.parse_args(["--asts-parallel-pods", "9", "--asts-inplace-pods", "4"])
    sizes = plan.Sizes.for_args(args)
    assert (sizes.parallel_pods, sizes.ordered_pods, sizes.inplace_pods) == (9, 50, 4)


def test_ordered_sets_get_more_time_per_pod() -> None:
    assert plan.deadline("ordered", 50) > plan.deadline("parallel", 50)


# ---- manifests -----------------------------------------------------------------------


def test_advanced_and_native_sets_differ_only_in_api_version() -> None:
    advanced = manifests.statefulset("s", "ns", 0, policy="Parallel")
    native = manifests.statefulset("s", "ns", 0, policy="Parallel", native=True)
    assert advanced["apiVersion"] == "apps.kruise.io/v1beta1"
    assert native["apiVersion"] == "apps/v1"
    assert advanced["spec"] == native["spec"]
    spec = advanced["spec"]
    assert spec["podManagementPolicy"] == "Parallel"
    assert spec["serviceName"] == "s"
    assert spec["selector"]["matchLabels"] == {"app": "s"}
    assert spec["template"]["metadata"]["labels"] == {"app": "s", "bench": "statefulset"}
    assert "readinessGates" not in spec["template"]["spec"]
    assert "updateStrategy" not in spec


def test_the_inplace_set_has_the_strategy_and_the_readiness_gate() -> None:
    spec = manifests.statefulset("s", "ns", 5, policy="Parallel", inplace=True)["spec"]
    assert spec["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible", "maxUnavailable": "50%"},
    }
    assert spec["template"]["spec"]["readinessGates"] == [{"conditionType": "InPlaceUpdateReady"}]
    with pytest.raises(ValueError, match="native"):
        manifests.statefulset("s", "ns", 5, policy="Parallel", inplace=True, native=True)


# ---- the OrderedReady order ----------------------------------------------------------


def pod(name: str, *, ready: bool = False) -> dict[str, Any]:
    status = {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    return {"metadata": {"name": name, "uid": name}, "status": status}


def test_an_ordered_scale_out_creates_each_pod_once_the_one_below_is_ready() -> None:
    check = order.OrderCheck()
    for event, name, ready in [
        ("ADDED", "s-0", False),
        ("MODIFIED", "s-0", True),
        ("ADDED", "s-1", False),
        ("MODIFIED", "s-1", True),
        ("ADDED", "s-2", False),
        ("MODIFIED", "s-2", True),
    ]:
        check.observe(event, pod(name, ready=ready))
    assert check.out_of_order() == []


def test_pods_created_before_the_one_below_is_ready_are_named() -> None:
    check = order.OrderCheck()
    for event, name, ready in [
        ("ADDED", "s-0", False),
        ("ADDED", "s-1", False),  # s-0 not Ready yet
        ("MODIFIED", "s-0", True),
        ("MODIFIED", "s-1", True),
        ("ADDED", "s-3", False),  # s-2 never appeared
        ("DELETED", "s-2", False),
    ]:
        check.observe(event, pod(name, ready=ready))
    assert check.out_of_order() == [1, 3]


# ---- the process meter ---------------------------------------------------------------


def test_the_meter_measures_a_process_from_start() -> None:
    meter = observer.ProcessMeter(os.getpid())
    meter.start()
    sum(i * i for i in range(200_000))  # some CPU
    figures = meter.figures()
    assert figures["cpu_seconds"] >= 0.0
    assert figures["peak_rss_mb"] > 0.0
    assert observer.ProcessMeter(None).figures() == {}


# ---- records -------------------------------------------------------------------------


def sizes() -> Any:
    return plan.Sizes(
        runs=1, parallel_pods=50, ordered_pods=10, inplace_pods=40, qps=100.0, burst=200
    )


def run(**phases: dict[str, float]) -> dict[str, Any]:
    return {"phases": phases, "errors": {}, "nodes": 2}


def test_records_ours_against_every_peer_with_goals() -> None:
    runs = {
        plan.OURS: outcomes.Outcome(
            plan.OURS,
            [
                run(
                    ordered={"seconds_all_ready": 3.0, "cpu_seconds": 1.0, "peak_rss_mb": 90.0},
                    parallel={"seconds_all_ready": 4.0, "cpu_seconds": 2.0, "peak_rss_mb": 100.0},
                    inplace={
                        "seconds_all_updated_ready": 6.0,
                        "cpu_seconds": 3.0,
                        "peak_rss_mb": 110.0,
                    },
                )
            ],
        ),
        plan.OPENKRUISE: outcomes.Outcome(
            plan.OPENKRUISE,
            [
                run(
                    ordered={"seconds_all_ready": 6.0, "cpu_seconds": 0.5, "peak_rss_mb": 60.0},
                    parallel={"seconds_all_ready": 8.0, "cpu_seconds": 1.0, "peak_rss_mb": 50.0},
                    inplace={
                        "seconds_all_updated_ready": 3.0,
                        "cpu_seconds": 1.5,
                        "peak_rss_mb": 55.0,
                        "recreated_pods": 2,
                    },
                )
            ],
        ),
        plan.KCM: outcomes.Outcome(
            plan.KCM,
            [
                run(
                    ordered={"seconds_all_ready": 1.5, "cpu_seconds": 0.2, "peak_rss_mb": 95.0},
                    parallel={"seconds_all_ready": 2.0, "cpu_seconds": 0.4, "peak_rss_mb": 99.0},
                )
            ],
        ),
    }
    records = outcomes.make_records(ALL, sizes(), runs)
    keys = [(r["scenario"], r["metric"], r["peer"]) for r in records]
    assert keys == [
        (plan.PARALLEL, "seconds_all_ready", plan.OPENKRUISE),
        (plan.PARALLEL, "seconds_all_ready", plan.KCM),
        (plan.PARALLEL, "cpu_seconds", plan.OPENKRUISE),
        (plan.PARALLEL, "peak_rss_mb", plan.OPENKRUISE),
        (plan.ORDERED, "seconds_all_ready", plan.OPENKRUISE),
        (plan.ORDERED, "seconds_all_ready", plan.KCM),
        (plan.ORDERED, "cpu_seconds", plan.OPENKRUISE),
        (plan.ORDERED, "peak_rss_mb", plan.OPENKRUISE),
        (plan.INPLACE, "seconds_all_updated_ready", plan.OPENKRUISE),
        (plan.INPLACE, "cpu_seconds", plan.OPENKRUISE),
        (plan.INPLACE, "peak_rss_mb", plan.OPENKRUISE),
    ]
    by_key = dict(zip(keys, records, strict=True))
    # The same metric of two scenarios comes from each scenario's own phase.
    parallel = by_key[(plan.PARALLEL, "seconds_all_ready", plan.OPENKRUISE)]
    ordered = by_key[(plan.ORDERED, "seconds_all_ready", plan.OPENKRUISE)]
    assert (parallel["ours"], parallel["peer_value"], parallel["ratio"]) == (4, 8, 0.5)
    assert (ordered["ours"], ordered["peer_value"], ordered["ratio"]) == (3, 6, 0.5)
    assert by_key[(plan.ORDERED, "seconds_all_ready", plan.KCM)]["ratio"] == 2.0
    assert all(by_key[(s, m, p)]["goal"] == 1.0 for s, m, p in keys if m.startswith("seconds"))
    assert all(by_key[(s, m, p)]["goal"] is None for s, m, p in keys if "seconds_" not in m)
    assert by_key[(plan.INPLACE, "cpu_seconds", plan.OPENKRUISE)]["ratio"] == 2.0
    assert by_key[(plan.PARALLEL, "peak_rss_mb", plan.OPENKRUISE)]["ratio"] == 2.0
    assert "50 pods, podManagementPolicy Parallel" in parallel["note"]
    assert "10 pods, podManagementPolicy OrderedReady" in ordered["note"]
    kcm_note = by_key[(plan.PARALLEL, "seconds_all_ready", plan.KCM)]["note"]
    assert "kube-controller-manager (all its controllers)" in kcm_note
    assert "0.40 CPU seconds, peak RSS 99 MiB" in kcm_note
    inplace = by_key[(plan.INPLACE, "seconds_all_updated_ready", plan.OPENKRUISE)]
    assert (
        "openkruise-go recreated pods instead of updating in place (pods per run): [2]"
        in (inplace["note"])
    )
    assert "40 pods" in inplace["note"]
    assert "not an OrderedReady" not in ordered["note"]
    json.dumps(records)  # the results file is JSON


def test_a_failed_phase_is_in_the_note_and_the_others_count() -> None:
    ours = {
        "phases": {"ordered": {"seconds_all_ready": 3.0}},
        "errors": {"parallel": "RunError: not done after 145s"},
        "logs": "/tmp/x",
    }
    runs = {
        plan.OURS: outcomes.Outcome(plan.OURS, [ours]),
        plan.OPENKRUISE: outcomes.Outcome(plan.OPENKRUISE, error="hack/build-openkruise.sh failed"),
    }
    records = outcomes.make_records([plan.PARALLEL, plan.ORDERED], sizes(), runs)
    by_key = {(r["scenario"], r["metric"], r["peer"]): r for r in records}
    parallel = by_key[(plan.PARALLEL, "seconds_all_ready", plan.KCM)]
    assert parallel["ours"] is None
    assert "ours: RunError: not done after 145s (logs: /tmp/x)" in parallel["note"]
    assert "kcm-statefulset: kcm-statefulset did not run" in parallel["note"]
    ordered = by_key[(plan.ORDERED, "seconds_all_ready", plan.OPENKRUISE)]
    assert ordered["ours"] == 3.0
    assert ordered["peer_value"] is None
    assert "openkruise-go: hack/build-openkruise.sh failed" in ordered["note"]


def test_a_contender_that_broke_the_order_is_named_in_the_note() -> None:
    broke = run(ordered={"seconds_all_ready": 1.0, "out_of_order_pods": 4})
    kept = run(ordered={"seconds_all_ready": 2.0, "out_of_order_pods": 0})
    runs = {
        plan.OURS: outcomes.Outcome(plan.OURS, [broke]),
        plan.KCM: outcomes.Outcome(plan.KCM, [kept]),
    }
    records = outcomes.make_records([plan.ORDERED], sizes(), runs)
    (kcm,) = [r for r in records if r["peer"] == plan.KCM]
    assert "kruise-py created pods before the one below was Ready" in kcm["note"]
    assert "kcm-statefulset created" not in kcm["note"]


def test_a_setup_failure_explains_every_phase() -> None:
    outcome = outcomes.Outcome(plan.OURS, [{"errors": {"setup": "EnvtestError: no kwok"}}])
    assert outcome.why_not("parallel", "seconds_all_ready") == "EnvtestError: no kwok"
    assert outcome.why_not("inplace", "cpu_seconds") == "EnvtestError: no kwok"


# ---- the driver ----------------------------------------------------------------------


@dataclass
class FakeBuild:
    got: Path | str

    def wait(self) -> Path | str:
        return self.got


def test_the_driver_runs_contenders_in_turn_with_the_same_limits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[list[str], str]] = []

    def run_child(command: list[str], timeout: float, progress: Any, tag: str) -> Any:
        calls.append((command, tag))
        if command[command.index("--contender") + 1] == plan.KCM:
            return "exited 1: boom"
        return run(parallel={"seconds_all_ready": 2.0})

    monkeypatch.setattr(driver, "run_child", run_child)
    built = FakeBuild(tmp_path / "openkruise")
    monkeypatch.setattr(driver.ScriptBuild, "start", classmethod(lambda cls: built))
    monkeypatch.setattr(driver, "manager_command", lambda: tmp_path / "kruise-manager")
    (tmp_path / "kruise-manager").touch()
    args = argparse.Namespace(quick=True, runs=2, client_qps=1e5, client_burst=1e5)
    lines: list[str] = []

    records = driver.records(args, [plan.PARALLEL, "webhook-admission"], lines.append)

    ran = [c[c.index("--contender") + 1] for c, _ in calls]
    # Run 2 starts one contender later; kcm failed in run 1 and runs no more.
    assert ran == [plan.OURS, plan.OPENKRUISE, plan.KCM, plan.OPENKRUISE, plan.OURS]
    assert {tag for _, tag in calls} == {"statefulset"}
    for command, _ in calls:
        assert command[1] == str(BENCH / "scenarios" / "statefulset")
        assert command[command.index("--phases") + 1] == "parallel"
        assert command[command.index("--parallel-pods") + 1] == "50"
        assert command[command.index("--qps") + 1] == "100000.0"
    go = calls[1][0]
    assert go[go.index("--openkruise-dir") + 1] == str(tmp_path / "openkruise")
    assert "kcm-statefulset failed: exited 1: boom" in lines
    by_peer = {(r["metric"], r["peer"]): r for r in records}
    assert len(records) == 4
    assert by_peer[("seconds_all_ready", plan.OPENKRUISE)]["runs"] == 2
    assert "kcm-statefulset: exited 1: boom" in by_peer[("seconds_all_ready", plan.KCM)]["note"]


def test_a_child_run_starts_from_the_package_folder() -> None:
    done = child_help("statefulset")
    assert done.returncode == 0, done.stderr
    assert "--contender" in done.stdout
    assert "kcm-statefulset" in done.stdout


# ---- registration in bench/run.py ----------------------------------------------------


@pytest.fixture
def run_py(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    with bench_run_py(monkeypatch, "kruise_bench_run_asts") as module:
        yield module


def test_run_py_runs_the_statefulset_scenarios(
    run_py: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_records(args: argparse.Namespace, chosen: Any, progress: Any, go_build: Any) -> Any:
        seen.update(chosen=list(chosen), ordered=args.asts_ordered_pods, quick=args.quick)
        return outcomes.make_records(
            chosen,
            plan.Sizes.for_args(args),
            {"kruise-py": outcomes.Outcome("kruise-py", error="not here")},
        )

    def no_cloneset(*_: Any) -> Any:
        raise AssertionError("the CloneSet scenarios were not chosen")

    monkeypatch.setattr(run_py.statefulset, "records", fake_records)
    monkeypatch.setattr(run_py.cloneset, "records", no_cloneset)
    out = tmp_path / "latest.json"
    argv = ["--scenario", "asts-ordered-50", "--quick", "--asts-ordered-pods", "3"]
    assert run_py.main([*argv, "--out", str(out)]) == 0
    assert seen == {"chosen": ["asts-ordered-50"], "ordered": 3, "quick": True}
    data = json.loads(out.read_text())
    assert [(r["scenario"], r["metric"], r["peer"]) for r in data["records"]] == [
        ("asts-ordered-50", "seconds_all_ready", "openkruise-go"),
        ("asts-ordered-50", "seconds_all_ready", "kcm-statefulset"),
        ("asts-ordered-50", "cpu_seconds", "openkruise-go"),
        ("asts-ordered-50", "peak_rss_mb", "openkruise-go"),
    ]
    assert set(run_py.statefulset.SCENARIOS) <= set(run_py.SCENARIOS)
