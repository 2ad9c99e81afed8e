"""The job benchmarks' pure parts: which contender runs which phase, the manifests, the
trackers of succeeded pods and late children, the records, and the driver with its child
runs faked."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.bench import BENCH, bench_run_py, child_help, load_scenarios

plan = load_scenarios("jobs.plan")
manifests = load_scenarios("jobs.manifests")
observer = load_scenarios("jobs.observer")
outcomes = load_scenarios("jobs.outcomes")
driver = load_scenarios("jobs.driver")
phases = load_scenarios("jobs.phases")
cluster = load_scenarios("common.cluster")

ALL = plan.SCENARIOS


# ---- which contender runs what -------------------------------------------------------


def test_each_native_contender_runs_only_its_own_phase() -> None:
    assert plan.phases_for(plan.OURS, ALL) == ("broadcast", "cron")
    assert plan.phases_for(plan.OPENKRUISE, ALL) == ("broadcast", "cron")
    assert plan.phases_for(plan.KCM_DAEMONSET, ALL) == ("broadcast",)
    assert plan.phases_for(plan.KCM_CRONJOB, ALL) == ("cron",)
    assert plan.phases_for(plan.KCM_DAEMONSET, [plan.CRON]) == ()
    assert plan.phases_for(plan.OURS, ["asts-ordered-50"]) == ()


def test_sizes_default_quick_and_explicit() -> None:
    def args(**kw: Any) -> argparse.Namespace:
        base = {"quick": False, "runs": None, "client_qps": None, "client_burst": None}
        sizes = {"bcj_nodes": None, "acj_jobs": None, "acj_minutes": None}
        return argparse.Namespace(**{**base, **sizes, **kw})

    full = plan.Sizes.for_args(args())
    assert (full.nodes, full.cronjobs, full.minutes, full.runs) == (300, 100, 3, 1)
    assert (full.qps, full.burst) == (100.0, 200)
    quick = plan.Sizes.for_args(args(quick=True))
    assert (quick.nodes, quick.cronjobs, quick.minutes) == (30, 10, 1)
    mine = plan.Sizes.for_args(args(quick=True, runs=3, acj_minutes=2, client_qps=1e5))
    assert (mine.runs, mine.minutes, mine.cronjobs, mine.qps) == (3, 2, 10, 1e5)


def test_run_options_reach_the_parser() -> None:
    parser = argparse.ArgumentParser()
    plan.add_arguments(parser)
    args = parser.parse_args(["--bcj-nodes", "9", "--acj-jobs", "4", "--acj-minutes", "2"])
    sizes = plan.Sizes.for_args(args)
    assert (sizes.nodes, sizes.cronjobs, sizes.minutes) == (9, 4, 2)


def test_the_daemonset_stands_beside_our_succeeded_time_with_its_ready_time() -> None:
    assert plan.peer_metric("seconds_all_succeeded", plan.KCM_DAEMONSET) == "seconds_all_ready"
    assert plan.peer_metric("seconds_all_succeeded", plan.OPENKRUISE) == "seconds_all_succeeded"
    assert plan.peer_metric("p99_seconds_late", plan.KCM_CRONJOB) == "p99_seconds_late"


# ---- manifests -----------------------------------------------------------------------


def test_the_broadcast_job_and_the_daemonset_run_the_same_pod() -> None:
    bcj = manifests.broadcast_job("b", "ns", "apps.kruise.io/v1beta1")
    ds = manifests.daemonset("b", "ns")
    assert (bcj["apiVersion"], bcj["kind"]) == ("apps.kruise.io/v1beta1", "BroadcastJob")
    assert bcj["spec"]["completionPolicy"] == {"type": "Always"}
    assert "parallelism" not in bcj["spec"]
    job_pod, ds_pod = bcj["spec"]["template"], ds["spec"]["template"]
    assert job_pod["spec"].pop("restartPolicy") == "Never"  # kwok completes such pods
    assert job_pod == ds_pod
    assert ds["spec"]["selector"]["matchLabels"] == {"app": "b"}


def test_the_advanced_and_native_cron_jobs_make_the_same_job() -> None:
    acj = manifests.advanced_cron_job("c", "ns", "apps.kruise.io/v1alpha1")
    cj = manifests.cron_job("c", "ns")
    assert (acj["apiVersion"], cj["apiVersion"]) == ("apps.kruise.io/v1alpha1", "batch/v1")
    assert acj["spec"]["template"]["jobTemplate"] == cj["spec"]["jobTemplate"]
    for spec in (acj["spec"], cj["spec"]):
        assert spec["schedule"] == "* * * * *"
        assert spec["concurrencyPolicy"] == "Allow"
        assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    pod = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"


# ---- trackers ------------------------------------------------------------------------


def pod(uid: str, phase: str, node: str = "n") -> dict[str, Any]:
    return {"metadata": {"uid": uid}, "spec": {"nodeName": node}, "status": {"phase": phase}}


def test_the_succeeded_tracker_counts_finished_pods_even_once_deleted() -> None:
    tracker = observer.SucceededTracker(2, t0=10.0)
    tracker.observe("ADDED", pod("a", "Pending", ""), 10.5)
    tracker.observe("ADDED", pod("b", "Pending", ""), 11.0)
    tracker.observe("MODIFIED", pod("a", "Succeeded", "n1"), 12.0)
    tracker.observe("DELETED", pod("a", "Succeeded", "n1"), 12.5)
    assert not tracker.done
    tracker.observe("MODIFIED", pod("b", "Succeeded", "n2"), 13.0)
    assert tracker.done
    figures = tracker.figures()
    assert figures["seconds_all_created"] == 1.0
    assert figures["seconds_all_succeeded"] == 3.0
    assert (figures["nodes_succeeded"], figures["pods_failed"]) == (2.0, 0.0)


def job(name: str, *, annotations: dict[str, str] | None = None, created: str = "") -> Any:
    meta: dict[str, Any] = {"name": name, "annotations": annotations or {}}
    if created:
        meta["creationTimestamp"] = created
    return {"metadata": meta}


def test_a_child_belongs_to_the_run_its_annotation_or_name_says() -> None:
    at = "apps.kruise.io/scheduled-at"
    native = "batch.kubernetes.io/cronjob-scheduled-timestamp"
    minute = 1_700_000_040.0
    assert observer.scheduled_time(job("x-1", annotations={at: "2023-11-14T22:14:00Z"})) == minute
    shanghai = {at: "2023-11-15T06:14:00+08:00"}
    assert observer.scheduled_time(job("x-1", annotations=shanghai)) == minute
    assert observer.scheduled_time(job("x", annotations={native: "2023-11-14T22:14:00Z"})) == minute
    assert observer.scheduled_time(job("acj-1700000040")) == minute  # Unix seconds
    assert observer.scheduled_time(job("cj-28333334")) == minute  # minutes
    assert observer.scheduled_time(job("manual")) is None


def test_lateness_counts_the_measured_runs_only_and_each_child_once() -> None:
    slot = 1_700_000_040.0
    tracker = observer.LatenessTracker(frozenset({slot, slot + 60}), want=3)
    tracker.observe("ADDED", job("a-1699999980"), slot - 59)  # an earlier run
    tracker.observe("ADDED", job("a-1700000040", created="2023-11-14T22:14:01Z"), slot + 1.25)
    tracker.observe("MODIFIED", job("a-1700000040"), slot + 9)  # not a new child
    tracker.observe("ADDED", job("b-1700000040"), slot + 0.25)
    assert not tracker.done
    tracker.observe("ADDED", job("a-1700000100"), slot + 60.5)
    assert tracker.done
    figures = tracker.figures(missing_late=60.0)
    assert figures["p50_seconds_late"] == 0.5
    assert figures["p99_seconds_late"] == 1.25
    assert figures["max_seconds_late"] == 1.25
    assert figures["p99_seconds_late_by_creation_timestamp"] == 1.0
    assert (figures["children"], figures["missing_children"]) == (3.0, 0.0)
    assert tracker.others == 1


def test_a_child_that_never_came_counts_as_late_as_the_wait() -> None:
    tracker = observer.LatenessTracker(frozenset({60.0}), want=2)
    tracker.observe("ADDED", job("a-1"), 60.5)  # a CronJob child of minute 1
    figures = tracker.figures(missing_late=60.0)
    assert figures["p99_seconds_late"] == 60.0
    assert figures["missing_children"] == 1.0


def test_nearest_rank_percentiles() -> None:
    values = [float(i) for i in range(1, 301)]
    assert observer.percentile(values, 0.99) == 297.0
    assert observer.percentile(values, 0.50) == 150.0
    assert observer.percentile([4.0], 0.99) == 4.0
    assert math.isnan(observer.percentile([], 0.99))


def test_the_first_measured_run_leaves_time_after_the_cron_jobs_were_made() -> None:
    assert phases.first_slot(600.0) == 660.0
    assert phases.first_slot(640.0) == 660.0
    assert phases.first_slot(646.0) == 720.0


# ---- records -------------------------------------------------------------------------


def sizes() -> Any:
    return plan.Sizes(runs=1, nodes=30, cronjobs=10, minutes=1, qps=100.0, burst=200)


def run(**phase_figures: dict[str, float]) -> dict[str, Any]:
    return {"phases": phase_figures, "errors": {}, "nodes": 30}


def test_records_ours_against_every_peer_with_goals() -> None:
    runs = {
        plan.OURS: outcomes.Outcome(
            plan.OURS,
            [
                run(
                    broadcast={
                        "seconds_all_succeeded": 3.0,
                        "seconds_all_created": 1.0,
                        "seconds_job_complete": 3.5,
                        "cpu_seconds": 2.0,
                        "peak_rss_mb": 100.0,
                    }
                ),
                run(
                    cron={
                        "p99_seconds_late": 0.5,
                        "p50_seconds_late": 0.2,
                        "max_seconds_late": 0.6,
                        "p99_seconds_late_by_creation_timestamp": 1.0,
                        "cpu_seconds": 1.0,
                        "peak_rss_mb": 90.0,
                    }
                ),
            ],
        ),
        plan.OPENKRUISE: outcomes.Outcome(
            plan.OPENKRUISE,
            [
                run(
                    broadcast={
                        "seconds_all_succeeded": 6.0,
                        "cpu_seconds": 1.0,
                        "peak_rss_mb": 50.0,
                    }
                ),
                run(cron={"p99_seconds_late": 1.0, "cpu_seconds": 0.5, "peak_rss_mb": 45.0}),
            ],
        ),
        plan.KCM_DAEMONSET: outcomes.Outcome(
            plan.KCM_DAEMONSET,
            [run(broadcast={"seconds_all_ready": 1.5, "cpu_seconds": 0.3, "peak_rss_mb": 99.0})],
        ),
        plan.KCM_CRONJOB: outcomes.Outcome(
            plan.KCM_CRONJOB,
            [run(cron={"p99_seconds_late": 0.25, "missing_children": 2})],
        ),
    }
    records = outcomes.make_records(ALL, sizes(), runs)
    keys = [(r["scenario"], r["metric"], r["peer"]) for r in records]
    assert keys == [
        (plan.BROADCAST, "seconds_all_succeeded", plan.OPENKRUISE),
        (plan.BROADCAST, "seconds_all_succeeded", plan.KCM_DAEMONSET),
        (plan.BROADCAST, "cpu_seconds", plan.OPENKRUISE),
        (plan.BROADCAST, "peak_rss_mb", plan.OPENKRUISE),
        (plan.CRON, "p99_seconds_late", plan.OPENKRUISE),
        (plan.CRON, "p99_seconds_late", plan.KCM_CRONJOB),
        (plan.CRON, "cpu_seconds", plan.OPENKRUISE),
        (plan.CRON, "peak_rss_mb", plan.OPENKRUISE),
    ]
    by_key = dict(zip(keys, records, strict=True))
    bcj = by_key[(plan.BROADCAST, "seconds_all_succeeded", plan.OPENKRUISE)]
    assert (bcj["ours"], bcj["peer_value"], bcj["ratio"], bcj["goal"]) == (3, 6, 0.5, 1.0)
    assert "all pods created in 1.0 s, job Complete in 3.5 s" in bcj["note"]
    assert "over 30 kwok nodes" in bcj["note"]
    ds = by_key[(plan.BROADCAST, "seconds_all_succeeded", plan.KCM_DAEMONSET)]
    assert (ds["peer_value"], ds["ratio"], ds["goal"]) == (1.5, 2.0, None)
    assert "0.30 CPU seconds, peak RSS 99 MiB" in ds["note"]
    cron = by_key[(plan.CRON, "p99_seconds_late", plan.KCM_CRONJOB)]
    assert (cron["ours"], cron["peer_value"], cron["ratio"], cron["goal"]) == (0.5, 0.25, 2.0, 1.0)
    assert "kcm-cronjob did not create every child" in cron["note"]
    assert (
        "p50 0.20 s, max 0.60 s late, p99 by creationTimestamp (whole seconds) 1 s"
        in (cron["note"])
    )
    assert "10 cron jobs" in cron["note"]
    assert by_key[(plan.CRON, "p99_seconds_late", plan.OPENKRUISE)]["goal"] == 1.0
    assert by_key[(plan.BROADCAST, "cpu_seconds", plan.OPENKRUISE)]["ratio"] == 2.0
    assert by_key[(plan.CRON, "peak_rss_mb", plan.OPENKRUISE)]["goal"] is None
    json.dumps(records)  # the results file is JSON


def test_a_failed_phase_is_in_the_note() -> None:
    ours = {"phases": {}, "errors": {"cron": "RunError: the job watch ended"}, "logs": "/tmp/x"}
    runs = {
        plan.OURS: outcomes.Outcome(plan.OURS, [ours]),
        plan.OPENKRUISE: outcomes.Outcome(plan.OPENKRUISE, error="hack/build-openkruise.sh failed"),
    }
    records = outcomes.make_records([plan.CRON], sizes(), runs)
    by_peer = {(r["metric"], r["peer"]): r for r in records}
    late = by_peer[("p99_seconds_late", plan.KCM_CRONJOB)]
    assert late["ours"] is None
    assert "ours: RunError: the job watch ended (logs: /tmp/x)" in late["note"]
    assert "kcm-cronjob: kcm-cronjob did not run" in late["note"]
    go = by_peer[("p99_seconds_late", plan.OPENKRUISE)]
    assert "openkruise-go: hack/build-openkruise.sh failed" in go["note"]


# ---- the driver ----------------------------------------------------------------------


@dataclass
class FakeBuild:
    got: Path | str

    def wait(self) -> Path | str:
        return self.got


def test_the_driver_runs_each_phase_s_contenders_in_turn_with_the_same_limits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[list[str], str]] = []

    def run_child(command: list[str], timeout: float, progress: Any, tag: str) -> Any:
        calls.append((command, tag))
        name = command[command.index("--contender") + 1]
        phase = command[command.index("--phase") + 1]
        if name == plan.KCM_DAEMONSET:
            return "exited 1: boom"
        if phase == "broadcast":
            return run(broadcast={"seconds_all_succeeded": 2.0})
        return run(cron={"p99_seconds_late": 0.5})

    monkeypatch.setattr(driver, "run_child", run_child)
    built = FakeBuild(tmp_path / "openkruise")
    monkeypatch.setattr(driver.ScriptBuild, "start", classmethod(lambda cls: built))
    monkeypatch.setattr(driver, "manager_command", lambda: tmp_path / "kruise-manager")
    (tmp_path / "kruise-manager").touch()
    args = argparse.Namespace(quick=True, runs=2, client_qps=1e5, client_burst=1e5)
    lines: list[str] = []

    records = driver.records(args, [*ALL, "webhook-admission"], lines.append)

    ran = [(c[c.index("--contender") + 1], c[c.index("--phase") + 1]) for c, _ in calls]
    # Run 2 starts one contender later; kcm-daemonset failed in run 1 and runs no more.
    assert ran == [
        (plan.OURS, "broadcast"),
        (plan.OPENKRUISE, "broadcast"),
        (plan.KCM_DAEMONSET, "broadcast"),
        (plan.OURS, "cron"),
        (plan.OPENKRUISE, "cron"),
        (plan.KCM_CRONJOB, "cron"),
        (plan.OPENKRUISE, "broadcast"),
        (plan.OURS, "broadcast"),
        (plan.OPENKRUISE, "cron"),
        (plan.KCM_CRONJOB, "cron"),
        (plan.OURS, "cron"),
    ]
    assert {tag for _, tag in calls} == {"jobs"}
    for command, _ in calls:
        assert command[1] == str(BENCH / "scenarios" / "jobs")
        assert command[command.index("--nodes") + 1] == "30"
        assert command[command.index("--cronjobs") + 1] == "10"
        assert command[command.index("--minutes") + 1] == "1"
        assert command[command.index("--qps") + 1] == "100000.0"
    go = calls[1][0]
    assert go[go.index("--openkruise-dir") + 1] == str(tmp_path / "openkruise")
    assert "kcm-daemonset failed: exited 1: boom" in lines
    by_key = {(r["scenario"], r["metric"], r["peer"]): r for r in records}
    assert len(records) == 8
    assert by_key[(plan.CRON, "p99_seconds_late", plan.KCM_CRONJOB)]["runs"] == 2
    ds = by_key[(plan.BROADCAST, "seconds_all_succeeded", plan.KCM_DAEMONSET)]
    assert "kcm-daemonset: exited 1: boom" in ds["note"]


def test_a_cron_run_has_time_for_its_minutes() -> None:
    quick = plan.Sizes(runs=1, nodes=30, cronjobs=10, minutes=1, qps=100.0, burst=200)
    full = plan.Sizes(runs=1, nodes=300, cronjobs=100, minutes=3, qps=100.0, burst=200)
    # the wait for the first run (up to 75 s), the minutes and the grace
    assert driver.child_timeout("cron", full) > 75 + 3 * 60 + plan.CRON_GRACE + 120
    assert driver.child_timeout("broadcast", full) > driver.child_timeout("broadcast", quick)


def test_a_child_run_starts_from_the_package_folder() -> None:
    done = child_help("jobs")
    assert done.returncode == 0, done.stderr
    assert "--phase" in done.stdout
    assert "kcm-cronjob" in done.stdout


# ---- registration in bench/run.py ----------------------------------------------------


@pytest.fixture
def run_py(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    with bench_run_py(monkeypatch, "kruise_bench_run_jobs") as module:
        yield module


def test_run_py_runs_the_job_scenarios(
    run_py: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_records(args: argparse.Namespace, chosen: Any, progress: Any, go_build: Any) -> Any:
        seen.update(chosen=list(chosen), jobs=args.acj_jobs, quick=args.quick)
        return outcomes.make_records(
            chosen,
            plan.Sizes.for_args(args),
            {"kruise-py": outcomes.Outcome("kruise-py", error="not here")},
        )

    def not_chosen(*_: Any) -> Any:
        raise AssertionError("only the job scenarios were chosen")

    monkeypatch.setattr(run_py.jobs, "records", fake_records)
    monkeypatch.setattr(run_py.cloneset, "records", not_chosen)
    monkeypatch.setattr(run_py.statefulset, "records", not_chosen)
    out = tmp_path / "latest.json"
    argv = ["--scenario", "advancedcronjob-100", "--quick", "--acj-jobs", "3"]
    assert run_py.main([*argv, "--out", str(out)]) == 0
    assert seen == {"chosen": ["advancedcronjob-100"], "jobs": 3, "quick": True}
    data = json.loads(out.read_text())
    assert [(r["scenario"], r["metric"], r["peer"]) for r in data["records"]] == [
        ("advancedcronjob-100", "p99_seconds_late", "openkruise-go"),
        ("advancedcronjob-100", "p99_seconds_late", "kcm-cronjob"),
        ("advancedcronjob-100", "cpu_seconds", "openkruise-go"),
        ("advancedcronjob-100", "peak_rss_mb", "openkruise-go"),
    ]
    assert set(run_py.jobs.SCENARIOS) <= set(run_py.SCENARIOS)


def test_the_cron_cluster_has_room_for_every_child_that_may_still_exist() -> None:
    child = load_scenarios("jobs.child")
    broadcast = argparse.Namespace(phase="broadcast", nodes=300, cronjobs=100, minutes=3)
    assert child.nodes_for(broadcast) == 300
    cron = argparse.Namespace(phase="cron", nodes=300, cronjobs=100, minutes=3)
    # up to 3 finished children each, the running one and the measured minutes' pods
    assert child.nodes_for(cron) * cluster.NODE_PODS >= 100 * 4
