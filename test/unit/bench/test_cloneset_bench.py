"""The CloneSet benchmarks' pure parts: manifests, trackers, /proc parsing, records, and
the driver with its child runs faked."""

from __future__ import annotations

import argparse
import importlib.util
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


def load(name: str, path: Path) -> ModuleType:
    # bench/ is a folder of scripts, not a package: load the module from its file.
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def load_cloneset(name: str) -> ModuleType:
    """One module of the package; bench/run.py imports it with bench/ on the path."""
    before_path, before_modules = list(sys.path), set(sys.modules)
    sys.path.insert(0, str(BENCH))
    module = importlib.import_module(f"scenarios.cloneset.{name}")
    sys.path[:] = before_path  # the package puts bench/ on the path to import report
    if "report" not in before_modules:
        sys.modules.pop("report", None)
    return module


plan = load_cloneset("plan")
manifests = load_cloneset("manifests")
observer = load_cloneset("observer")
outcomes = load_cloneset("outcomes")
driver = load_cloneset("driver")


def pod(
    uid: str, *, ready: bool = False, image: str = "", deleting: bool = False
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"uid": uid, "name": f"p-{uid}"}
    if deleting:
        metadata["deletionTimestamp"] = "2025-01-01T00:00:00Z"
    status: dict[str, Any] = {
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]
    }
    if image:
        status["containerStatuses"] = [{"name": "app", "image": image}]
    return {
        "metadata": metadata,
        "spec": {"containers": [{"name": "app", "image": image or plan.IMAGE}]},
        "status": status,
    }


# ---- which contender runs what -------------------------------------------------------


def test_phases_follow_the_chosen_scenarios() -> None:
    everything = plan.SCENARIOS
    assert plan.phases_for(plan.OURS, everything) == ("scale", "inplace")
    assert plan.phases_for(plan.OPENKRUISE, everything) == ("scale", "inplace")
    assert plan.phases_for(plan.KCM, everything) == ("scale",)
    assert plan.phases_for(plan.RAW, everything) == ("scale",)
    assert plan.phases_for(plan.RAW_GATED, everything) == ("scale",)
    assert plan.phases_for(plan.RAW_GATED, [plan.INPLACE, plan.RESOURCES]) == ()
    assert plan.phases_for(plan.OURS, [plan.INPLACE]) == ("inplace",)
    assert plan.phases_for(plan.KCM, [plan.INPLACE]) == ()
    # The resources cover both CloneSet scenarios, so they need both phases.
    assert plan.phases_for(plan.OPENKRUISE, [plan.RESOURCES]) == ("scale", "inplace")
    assert plan.phases_for(plan.RAW, [plan.RESOURCES]) == ()
    assert plan.phases_for(plan.OURS, ["webhook-admission"]) == ()


def test_sizes_default_quick_and_explicit() -> None:
    def args(**kw: Any) -> argparse.Namespace:
        base = {"quick": False, "runs": None, "cloneset_pods": None, "inplace_pods": None}
        return argparse.Namespace(**{**base, "client_qps": None, "client_burst": None, **kw})

    full = plan.Sizes.for_args(args())
    assert (full.runs, full.scale_pods, full.inplace_pods) == (3, 1000, 500)
    assert (full.qps, full.burst) == (100.0, 200)
    assert full.limits(False) == (100.0, 200)
    assert full.limits(True) == (2000.0, 4000)
    quick = plan.Sizes.for_args(args(quick=True))
    assert (quick.runs, quick.scale_pods, quick.inplace_pods) == (1, 100, 50)
    mine = plan.Sizes.for_args(args(runs=3, cloneset_pods=300, client_qps=50.0, client_burst=80))
    assert (mine.runs, mine.scale_pods, mine.qps, mine.burst) == (3, 300, 50.0, 80)


def test_nodes_hold_the_pods_with_room_to_spare() -> None:
    assert plan.node_count(1000) * plan.NODE_PODS >= 1000 * 1.25
    assert plan.node_count(10) == 2


def test_run_options_reach_the_parser() -> None:
    parser = argparse.ArgumentParser()
    plan.add_arguments(parser)
    args = parser.parse_args(["--cloneset-pods", "10", "--inplace-pods", "5", "--client-qps", "7"])
    sizes = plan.Sizes.for_args(args)
    assert (sizes.scale_pods, sizes.inplace_pods, sizes.qps) == (10, 5, 7.0)


# ---- manifests -----------------------------------------------------------------------


def test_inplace_strategy_in_both_api_versions() -> None:
    alpha = manifests.cloneset("a", "ns", 5, inplace=True)
    assert alpha["apiVersion"] == "apps.kruise.io/v1alpha1"
    assert alpha["spec"]["updateStrategy"] == {"type": "InPlaceIfPossible", "maxUnavailable": "50%"}
    beta = manifests.cloneset("a", "ns", 5, inplace=True, api_version="apps.kruise.io/v1beta1")
    assert beta["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible", "maxUnavailable": "50%"},
    }
    plain = manifests.cloneset("a", "ns", 0)
    assert "updateStrategy" not in plain["spec"]
    assert plain["spec"]["selector"]["matchLabels"] == {"app": "a"}
    assert plain["spec"]["template"]["metadata"]["labels"]["app"] == "a"


def test_every_contender_gets_the_same_pod_template() -> None:
    deployment = manifests.deployment("d", "ns", 3)
    clone = manifests.cloneset("d", "ns", 3)
    assert (
        deployment["spec"]["template"] == clone["spec"]["template"] == manifests.pod_template("d")
    )
    assert deployment["spec"]["selector"] == clone["spec"]["selector"]


# ---- trackers ------------------------------------------------------------------------


def test_scale_tracker_times_the_last_pod_created_and_ready() -> None:
    tracker = observer.ScaleTracker(want=2, t0=100.0)
    tracker.observe("ADDED", pod("a"), 101.0)
    tracker.observe("ADDED", pod("b"), 102.0)
    tracker.observe("MODIFIED", pod("a", ready=True), 103.0)
    assert not tracker.done
    tracker.observe("MODIFIED", pod("b", ready=True), 105.0)
    assert tracker.done
    assert tracker.figures() == {"seconds_all_created": 2.0, "seconds_all_ready": 5.0}
    tracker.observe("DELETED", pod("b", ready=True), 106.0)  # later events change nothing
    assert tracker.figures()["seconds_all_ready"] == 5.0


def test_scale_tracker_does_not_count_pods_that_go_away() -> None:
    tracker = observer.ScaleTracker(want=2)
    tracker.observe("ADDED", pod("a", ready=True), 1.0)
    tracker.observe("MODIFIED", pod("a", ready=True, deleting=True), 2.0)
    tracker.observe("ADDED", pod("b", ready=True), 3.0)
    assert not tracker.done
    assert "1/2 pods seen, 1 Ready" in tracker.progress()
    with pytest.raises(ValueError, match="not done"):
        tracker.figures()


def test_inplace_tracker_needs_the_status_and_every_pod() -> None:
    new = plan.NEW_IMAGE
    tracker = observer.InPlaceTracker(want=2, image=new, generation=2, t0=10.0)
    tracker.observe_pod("ADDED", pod("a", ready=True, image=plan.IMAGE), 10.0)
    tracker.observe_pod("ADDED", pod("b", ready=True, image=plan.IMAGE), 10.0)
    tracker.observe_pod("MODIFIED", pod("a", ready=True, image=new), 11.0)
    # The status of the old generation does not count.
    tracker.observe_cloneset({"status": {"observedGeneration": 1, "updatedReadyReplicas": 2}}, 12)
    tracker.observe_pod("MODIFIED", pod("b", ready=False, image=new), 13.0)  # not Ready yet
    tracker.observe_pod("MODIFIED", pod("b", ready=True, image=new), 14.0)
    assert not tracker.done
    tracker.observe_cloneset({"status": {"observedGeneration": 2, "updatedReadyReplicas": 2}}, 15)
    assert tracker.figures() == {"seconds_all_updated_ready": 5.0}


def test_a_pod_reports_the_image_only_when_spec_and_every_status_do() -> None:
    new = plan.NEW_IMAGE
    assert observer.reports_image(pod("a", image=new), new)
    stale = pod("a", image=new)
    stale["spec"]["containers"].append({"name": "side", "image": new})
    assert not observer.reports_image(stale, new)  # one container has no status yet
    assert not observer.reports_image(pod("a", image=plan.IMAGE), new)
    assert not observer.reports_image(pod("a"), new)


# ---- /proc ---------------------------------------------------------------------------


def test_parse_proc_peak_rss_and_cpu() -> None:
    status = "Name:\tkruise-manager\nVmPeak:\t 900000 kB\nVmHWM:\t  102400 kB\nVmRSS:\t 51200 kB\n"
    # A command name with spaces and a parenthesis; utime and stime are fields 14 and 15.
    fields = ["S", "1", "1", "1", "0", "-1", "4194560", "10", "0", "0", "0", "250", "50"]
    stat = "4242 (python3 (x) y) " + " ".join([*fields, "0", "0", "20", "0", "7"])
    peak, cpu = observer.parse_proc(status, stat, 100)
    assert peak == 100.0
    assert cpu == 3.0


# ---- records -------------------------------------------------------------------------


def sizes() -> Any:
    return plan.Sizes(runs=1, scale_pods=100, inplace_pods=50, qps=100.0, burst=200)


def test_records_ours_against_every_peer_with_goals() -> None:
    scale = {"seconds_all_created": 2.0, "seconds_all_ready": 4.0, "nodes": 2}
    runs = {
        plan.OURS: outcomes.Outcome(
            plan.OURS,
            [{**scale, "seconds_all_updated_ready": 3.0, "peak_rss_mb": 120.0, "cpu_seconds": 6.0}],
        ),
        plan.OPENKRUISE: outcomes.Outcome(
            plan.OPENKRUISE,
            [
                {
                    "seconds_all_created": 4.0,
                    "seconds_all_ready": 8.0,
                    "seconds_all_updated_ready": 6.0,
                    "peak_rss_mb": 100.0,
                    "cpu_seconds": 3.0,
                }
            ],
        ),
        plan.KCM: outcomes.Outcome(
            plan.KCM, [{"seconds_all_created": 1.0, "seconds_all_ready": 2.0}]
        ),
        plan.RAW: outcomes.Outcome(
            plan.RAW, [{"seconds_all_created": 1.0, "seconds_all_ready": 2.0}]
        ),
        plan.RAW_GATED: outcomes.Outcome(
            plan.RAW_GATED, [{"seconds_all_created": 1.0, "seconds_all_ready": 5.0}]
        ),
    }
    records = outcomes.make_records(plan.SCENARIOS, sizes(), runs)
    keys = [(r["scenario"], r["metric"], r["peer"]) for r in records]
    assert keys == [
        (plan.SCALE, "seconds_all_created", plan.OPENKRUISE),
        (plan.SCALE, "seconds_all_created", plan.KCM),
        (plan.SCALE, "seconds_all_created", plan.RAW),
        (plan.SCALE, "seconds_all_created", plan.RAW_GATED),
        (plan.SCALE, "seconds_all_ready", plan.OPENKRUISE),
        (plan.SCALE, "seconds_all_ready", plan.KCM),
        (plan.SCALE, "seconds_all_ready", plan.RAW),
        (plan.SCALE, "seconds_all_ready", plan.RAW_GATED),
        (plan.INPLACE, "seconds_all_updated_ready", plan.OPENKRUISE),
        (plan.RESOURCES, "peak_rss_mb", plan.OPENKRUISE),
        (plan.RESOURCES, "cpu_seconds", plan.OPENKRUISE),
    ]
    by_key = dict(zip(keys, records, strict=True))
    ready_vs_go = by_key[(plan.SCALE, "seconds_all_ready", plan.OPENKRUISE)]
    assert (ready_vs_go["ours"], ready_vs_go["peer_value"], ready_vs_go["ratio"]) == (4, 8, 0.5)
    assert ready_vs_go["goal"] == 1.0
    # Ready is measured against the gated creator (1.1); creation against the plain one.
    gated = by_key[(plan.SCALE, "seconds_all_ready", plan.RAW_GATED)]
    assert (gated["ratio"], gated["goal"]) == (0.8, 1.1)
    assert by_key[(plan.SCALE, "seconds_all_ready", plan.RAW)]["goal"] is None
    assert by_key[(plan.SCALE, "seconds_all_created", plan.RAW)]["goal"] == 1.2
    assert by_key[(plan.SCALE, "seconds_all_created", plan.RAW_GATED)]["goal"] is None
    assert by_key[(plan.SCALE, "seconds_all_ready", plan.KCM)]["goal"] is None
    assert by_key[(plan.RESOURCES, "peak_rss_mb", plan.OPENKRUISE)]["goal"] == 1.0
    assert by_key[(plan.RESOURCES, "cpu_seconds", plan.OPENKRUISE)]["goal"] is None
    assert "client QPS 100, burst 200" in ready_vs_go["note"]
    assert "raw-creator-gated's pods have it" in ready_vs_go["note"]
    assert by_key[(plan.INPLACE, "seconds_all_updated_ready", plan.OPENKRUISE)]["ratio"] == 0.5
    assert by_key[(plan.RESOURCES, "cpu_seconds", plan.OPENKRUISE)]["ratio"] == 2.0
    assert "100 pods on 2 kwok nodes" in ready_vs_go["note"]
    assert "50 pods" in by_key[(plan.INPLACE, "seconds_all_updated_ready", plan.OPENKRUISE)]["note"]
    json.dumps(records)  # the results file is JSON


def test_a_peer_that_could_not_run_keeps_a_null_value_and_says_why() -> None:
    runs = {
        plan.OURS: outcomes.Outcome(
            plan.OURS, [{"seconds_all_created": 2.0, "seconds_all_ready": 4.0}]
        ),
        plan.OPENKRUISE: outcomes.Outcome(
            plan.OPENKRUISE, error="hack/build-openkruise.sh failed (x)"
        ),
    }
    records = outcomes.make_records([plan.SCALE], sizes(), runs)
    go = [r for r in records if r["peer"] == plan.OPENKRUISE]
    assert all(r["peer_value"] is None and r["ratio"] is None for r in go)
    assert all("openkruise-go: hack/build-openkruise.sh failed (x)" in r["note"] for r in go)
    kcm = [r for r in records if r["peer"] == plan.KCM]
    assert all("kcm-replicaset did not run" in r["note"] for r in kcm)


def test_a_failed_phase_of_ours_is_in_the_note() -> None:
    result = {
        "seconds_all_created": 2.0,
        "seconds_all_ready": 4.0,
        "errors": {"inplace": "RunError: not done after 170s"},
    }
    peer = {"seconds_all_updated_ready": 6.0, "recreated_pods": 3}
    runs = {
        plan.OURS: outcomes.Outcome(plan.OURS, [result]),
        plan.OPENKRUISE: outcomes.Outcome(plan.OPENKRUISE, [peer]),
    }
    (record,) = outcomes.make_records([plan.INPLACE], sizes(), runs)
    assert record["ours"] is None
    assert record["peer_value"] == 6.0
    assert "ours: RunError: not done after 170s" in record["note"]
    assert "openkruise-go recreated pods instead of updating in place: [3]" in record["note"]


def test_a_setup_failure_explains_every_metric() -> None:
    outcome = outcomes.Outcome(plan.OURS, [{"errors": {"setup": "EnvtestError: no kwok"}}])
    assert outcome.why_not("seconds_all_ready") == "EnvtestError: no kwok"
    assert outcome.why_not("cpu_seconds") == "EnvtestError: no kwok"


# ---- the driver ----------------------------------------------------------------------


@dataclass
class FakeBuild:
    got: Path | str

    def wait(self) -> Path | str:
        return self.got


def test_the_driver_runs_contenders_in_turn_and_drops_those_that_fail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    commands: list[list[str]] = []

    def run_child(command: list[str], timeout: float, progress: Any) -> dict[str, Any] | str:
        commands.append(command)
        if command[command.index("--contender") + 1] == plan.KCM:
            return "exited 1: boom"
        return {"seconds_all_created": 1.0, "seconds_all_ready": 2.0, "errors": {}}

    failed_build = FakeBuild("hack/build-openkruise.sh failed (x)")
    monkeypatch.setattr(driver, "run_child", run_child)
    monkeypatch.setattr(driver.ScriptBuild, "start", classmethod(lambda cls: failed_build))
    monkeypatch.setattr(driver, "manager_command", lambda: tmp_path / "kruise-manager")
    (tmp_path / "kruise-manager").touch()
    args = argparse.Namespace(
        quick=True,
        runs=2,
        cloneset_pods=None,
        inplace_pods=None,
        client_qps=None,
        client_burst=None,
    )
    lines: list[str] = []
    go_build = lambda name: FakeBuild(tmp_path / name)  # noqa: E731

    records = driver.records(args, [plan.SCALE, "webhook-admission"], lines.append, go_build)

    ran = [c[c.index("--contender") + 1] for c in commands]
    # Run 2 starts one contender later; openkruise-go never built, kcm failed in run 1.
    assert ran == [
        *(plan.OURS, plan.KCM, plan.RAW, plan.RAW_GATED),
        *(plan.RAW, plan.RAW_GATED, plan.OURS),
    ]
    raw, gated = commands[2], commands[3]
    assert raw[1] == str(BENCH / "scenarios" / "cloneset")
    assert raw[raw.index("--phases") + 1] == "scale"
    assert raw[raw.index("--pods") + 1] == "100"
    assert raw[raw.index("--rawcreator") + 1] == str(tmp_path / "rawcreator")
    assert gated[gated.index("--rawcreator") + 1] == str(tmp_path / "rawcreator")
    assert all(c[c.index("--qps") + 1] == "100.0" for c in commands)
    assert "kcm-replicaset failed: exited 1: boom" in lines
    assert "openkruise-go cannot run: hack/build-openkruise.sh failed (x)" in lines
    by_peer = {(r["metric"], r["peer"]): r for r in records}
    assert len(records) == 8
    assert by_peer[("seconds_all_ready", plan.RAW)]["ours"] == 2.0
    assert "kcm-replicaset: exited 1: boom" in by_peer[("seconds_all_ready", plan.KCM)]["note"]
    go = by_peer[("seconds_all_created", plan.OPENKRUISE)]
    assert "hack/build-openkruise.sh failed (x)" in go["note"]


def test_the_qps2000_scenarios_run_every_contender_unthrottled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    commands: list[list[str]] = []
    fast_figures = {
        plan.OURS: 3.0,
        plan.OPENKRUISE: 4.0,
        plan.KCM: 2.0,
        plan.RAW: 1.0,
        plan.RAW_GATED: 2.5,
    }

    def run_child(command: list[str], timeout: float, progress: Any) -> dict[str, Any] | str:
        commands.append(command)
        name = command[command.index("--contender") + 1]
        fast = command[command.index("--qps") + 1] == "2000.0"
        ready = fast_figures[name] if fast else 10 * fast_figures[name]
        result: dict[str, Any] = {"seconds_all_created": 1.0, "seconds_all_ready": ready}
        if name in plan.MANAGERS:
            result |= {"seconds_all_updated_ready": ready, "peak_rss_mb": 100.0}
            result |= {"cpu_seconds": ready}
        return result

    monkeypatch.setattr(driver, "run_child", run_child)
    monkeypatch.setattr(
        driver.ScriptBuild, "start", classmethod(lambda cls: FakeBuild(tmp_path / "ok"))
    )
    monkeypatch.setattr(driver, "manager_command", lambda: tmp_path / "kruise-manager")
    (tmp_path / "kruise-manager").touch()
    args = argparse.Namespace(quick=True, runs=1, cloneset_pods=None, inplace_pods=None)
    args.client_qps = args.client_burst = None
    chosen = [plan.SCALE, *plan.FAST_SCENARIOS]
    go_build = lambda name: FakeBuild(tmp_path / name)  # noqa: E731

    records = driver.records(args, chosen, lambda _line: None, go_build)

    limits = [
        (c[c.index("--contender") + 1], c[c.index("--qps") + 1], c[c.index("--burst") + 1])
        for c in commands
    ]
    # Each contender once at the default limits, once at QPS 2000 / burst 4000.
    assert sorted(limits) == sorted(
        [(name, "100.0", "200") for name in plan.CONTENDERS]
        + [(name, "2000.0", "4000") for name in plan.CONTENDERS]
    )
    phases = {(c[c.index("--contender") + 1], c[c.index("--qps") + 1]): c for c in commands}
    ours_fast = phases[(plan.OURS, "2000.0")]
    assert ours_fast[ours_fast.index("--phases") + 1] == "scale,inplace"
    ours_slow = phases[(plan.OURS, "100.0")]
    assert ours_slow[ours_slow.index("--phases") + 1] == "scale"
    by_key = {(r["scenario"], r["metric"], r["peer"]): r for r in records}
    fast_ready = by_key[(plan.SCALE_FAST, "seconds_all_ready", plan.OPENKRUISE)]
    assert (fast_ready["ours"], fast_ready["ratio"], fast_ready["goal"]) == (3.0, 0.75, 1.0)
    assert "client QPS 2000, burst 4000" in fast_ready["note"]
    assert by_key[(plan.SCALE, "seconds_all_ready", plan.OPENKRUISE)]["ours"] == 30.0
    gated = by_key[(plan.SCALE_FAST, "seconds_all_ready", plan.RAW_GATED)]
    assert (gated["ratio"], gated["goal"]) == (1.2, 1.1)
    for metric in ("peak_rss_mb", "cpu_seconds"):
        assert by_key[(plan.RESOURCES_FAST, metric, plan.OPENKRUISE)]["goal"] == 1.0
    assert by_key[(plan.RESOURCES_FAST, "cpu_seconds", plan.OPENKRUISE)]["ratio"] == 0.75
    assert (plan.INPLACE, "seconds_all_updated_ready", plan.OPENKRUISE) not in by_key
    assert by_key[(plan.INPLACE_FAST, "seconds_all_updated_ready", plan.OPENKRUISE)]["goal"] == 1.0


def test_only_the_gated_creator_asks_for_the_readiness_gate(tmp_path: Path) -> None:
    phases = load_cloneset("phases")
    args = argparse.Namespace(rawcreator="/bin/rc", kubeconfig="k", qps=2000.0, burst=4000)
    template = tmp_path / "t.json"
    plain = phases.rawcreator_command(args, template, "ns", "app", 10, gated=False)
    gated = phases.rawcreator_command(args, template, "ns", "app", 10, gated=True)
    assert "-gate" not in plain
    assert gated == [*plain, "-gate"]
    assert "-qps=2000" in plain
    assert "-burst=4000" in plain


def test_a_child_run_starts_from_the_package_folder() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "scenarios" / "cloneset"), "run", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--contender" in done.stdout


# ---- registration in bench/run.py ----------------------------------------------------


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(BENCH))
    before = set(sys.modules)
    module = load("kruise_bench_run_cloneset", BENCH / "run.py")
    monkeypatch.setattr(module, "machine", lambda: "test box")
    monkeypatch.setattr(module, "versions", lambda: {"python": "3"})
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    yield module
    for name in set(sys.modules) - before:
        if name in ("kruise_bench_run_cloneset", "report") or name.startswith("scenarios"):
            sys.modules.pop(name, None)


def test_run_py_runs_the_cloneset_scenarios(
    run: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_records(args: argparse.Namespace, chosen: Any, progress: Any, go_build: Any) -> Any:
        seen.update(chosen=list(chosen), pods=args.cloneset_pods, quick=args.quick)
        return outcomes.make_records(
            chosen,
            plan.Sizes.for_args(args),
            {"kruise-py": outcomes.Outcome("kruise-py", error="not here")},
        )

    monkeypatch.setattr(run.cloneset, "records", fake_records)
    out = tmp_path / "latest.json"
    argv = ["--scenario", "cloneset-inplace-500", "--quick", "--cloneset-pods", "7"]
    assert run.main([*argv, "--out", str(out)]) == 0
    assert seen == {"chosen": ["cloneset-inplace-500"], "pods": 7, "quick": True}
    data = json.loads(out.read_text())
    assert [(r["scenario"], r["peer"]) for r in data["records"]] == [
        ("cloneset-inplace-500", "openkruise-go")
    ]
    assert set(run.cloneset.SCENARIOS) <= set(run.SCENARIOS)
