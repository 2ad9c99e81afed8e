"""The checker turns watch events into verdicts (fed by hand here; chaos runs feed it from
real watches)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import chaos.checker as module
from chaos.checker import Checker, Window, audit_reader
from chaos.invariants import INSTANCE_ID

from kruise.runtime.envtest import ControlPlane

from .test_leadership import NS, A, B, lease_write, pod_write

WEB_UID = "uid-web"


def web(generation: int = 1) -> dict[str, Any]:
    return {
        "metadata": {"name": "web", "uid": WEB_UID, "generation": generation},
        "status": {"observedGeneration": generation},
    }


def pod(name: str, instance: str, *, ready: bool = True) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "uid": f"uid-{name}",
            "labels": {INSTANCE_ID: instance},
            "ownerReferences": [{"uid": WEB_UID, "controller": True}],
        },
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": str(ready)}]},
    }


def checker(tmp_path: Path) -> Checker:
    reader = audit_reader(tmp_path / "audit.log", NS, [A, B], f"{NS}/kruise-manager")
    made = Checker(cast(ControlPlane, None), "chaos", reader)
    for kind in ("pods", "claims", "clonesets", "statefulsets", "broadcastjobs", "leases"):
        made._reset(kind)([])
    made._reset("clonesets")([web()])
    return made


def add(made: Checker, *pods: dict[str, Any]) -> None:
    for p in pods:
        made._event("pods")("ADDED", p)


def test_two_live_pods_with_one_instance_id_fail_the_run(tmp_path: Path) -> None:
    made = checker(tmp_path)
    add(made, pod("a", "x"), pod("b", "y"))
    assert made.failed() is None
    add(made, pod("c", "x"))
    assert "two live pods with instance id ['x']" in str(made.failed())


def test_more_pods_than_replicas_plus_max_surge(tmp_path: Path) -> None:
    made = checker(tmp_path)
    made.bound_written("web", made.declare_bound("web", 2), 1)
    add(made, pod("a", "1"), pod("b", "2"))
    assert made.failed() is None
    add(made, pod("c", "3"))
    assert "3 live pods > replicas + maxSurge = 2" in str(made.failed())


def test_an_update_window_holds_ready_pods_to_max_unavailable(tmp_path: Path) -> None:
    made = checker(tmp_path)
    add(made, pod("a", "1"), pod("b", "2"), pod("c", "3"))
    made.open_window("clonesets", "web", Window(replicas=3, max_unavailable=1))
    made._event("pods")("MODIFIED", pod("a", "1", ready=False))
    assert made.failed() is None
    made._event("pods")("MODIFIED", pod("b", "2", ready=False))
    assert "during an update: 1 ready < 3 replicas - 1 maxUnavailable" in str(made.failed())


def test_no_window_no_unavailability_check(tmp_path: Path) -> None:
    made = checker(tmp_path)
    add(made, pod("a", "1", ready=False), pod("b", "2", ready=False))
    assert made.failed() is None


def test_a_write_by_the_manager_not_holding_the_lease(tmp_path: Path) -> None:
    made = checker(tmp_path)
    events = [lease_write(A, 1, f"{A}-1"), pod_write(A, 2), lease_write(B, 5, f"{B}-1")]
    (tmp_path / "audit.log").write_text("".join(json.dumps(e) + "\n" for e in events))
    made._judge_writes(final=True)
    assert made.failed() is None
    with (tmp_path / "audit.log").open("a") as log:
        log.write(json.dumps(pod_write(A, 6)) + "\n")
    made._judge_writes(final=True)
    assert "two leaders: chaos-manager-a wrote create pods chaos/web-x" in str(made.failed())
    assert made.writes_checked == 2


def claimed(name: str, claim: str) -> dict[str, Any]:
    made = pod(name, name)
    made["spec"] = {"volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": claim}}]}
    return made


def test_an_orphaned_claim_counts_after_its_grace(tmp_path: Path, monkeypatch: Any) -> None:
    made = checker(tmp_path)
    add(made, claimed("a", "data-a"))
    made._event("claims")("ADDED", {"metadata": {"name": "data-a"}})
    clock = [100.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: clock[0])
    made._sweep_claims()
    clock[0] += module.ORPHAN_GRACE - 1
    made._sweep_claims()
    assert made.failed() is None
    clock[0] += 1
    made._sweep_claims()
    assert "claim data-a of pod a: orphaned: no owner reference (for 60s)" in str(made.failed())


def test_a_stolen_claim_counts_on_the_second_sweep(tmp_path: Path) -> None:
    made = checker(tmp_path)
    add(made, claimed("a", "data-a"))
    owner = {"uid": "uid-other", "name": "other"}
    made._event("claims")("ADDED", {"metadata": {"name": "data-a", "ownerReferences": [owner]}})
    made._sweep_claims()
    assert made.failed() is None
    made._sweep_claims()
    assert "stolen: owned by ['other']" in str(made.failed())
