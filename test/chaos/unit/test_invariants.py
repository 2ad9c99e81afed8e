"""The chaos checker's invariants on hand-made pods and claims."""

from __future__ import annotations

from typing import Any

from chaos.invariants import (
    INSTANCE_ID,
    BoundTracker,
    claim_problems,
    duplicate_instance_ids,
    duplicate_nodes,
    duplicate_ordinals,
    surge_bound,
    too_few_ready,
)

OWNER = "uid-web"


def pod(
    name: str,
    *,
    owner: str = OWNER,
    instance: str | None = None,
    ready: bool = True,
    deleting: bool = False,
    phase: str = "Running",
    claim: str | None = None,
    node: str | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "uid": f"uid-{name}",
        "labels": {INSTANCE_ID: instance} if instance else {},
        "ownerReferences": [{"uid": owner, "controller": True, "name": "web"}],
    }
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    spec: dict[str, Any] = {"volumes": []}
    if claim:
        spec["volumes"].append({"name": "data", "persistentVolumeClaim": {"claimName": claim}})
    if node:
        spec["nodeName"] = node
    status = {"phase": phase, "conditions": [{"type": "Ready", "status": str(ready)}]}
    return {"metadata": meta, "spec": spec, "status": status}


def claim(name: str, owners: list[str], instance: str | None = None) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "labels": {INSTANCE_ID: instance} if instance else {},
            "ownerReferences": [{"uid": o, "name": o} for o in owners],
        }
    }


def test_surge_bound_rounds_a_percent_up() -> None:
    assert surge_bound({"replicas": 4, "updateStrategy": {"maxSurge": 1}}) == 5
    assert surge_bound({"replicas": 5, "updateStrategy": {"maxSurge": "30%"}}) == 7
    assert surge_bound({"replicas": 3}) == 3


def test_a_lower_bound_waits_for_the_controller_and_the_pods() -> None:
    tracker = BoundTracker()
    tracker.written(tracker.declare(6), generation=1)
    token = tracker.declare(3)
    assert tracker.bound() == 6  # the write may not have landed yet
    tracker.written(token, generation=2)
    tracker.settle(observed_generation=1, live_pods=3)
    assert tracker.bound() == 6  # not observed yet
    tracker.settle(observed_generation=2, live_pods=5)
    assert tracker.bound() == 6  # observed, pods not down yet
    tracker.settle(observed_generation=2, live_pods=3)
    assert tracker.bound() == 3


def test_a_higher_bound_holds_at_once() -> None:
    tracker = BoundTracker()
    tracker.written(tracker.declare(3), generation=1)
    tracker.declare(8)
    assert tracker.bound() == 8


def test_instance_ids_of_terminating_or_finished_pods_may_repeat() -> None:
    pods = [pod("a", instance="x"), pod("b", instance="x", deleting=True)]
    pods.append(pod("c", instance="x", phase="Succeeded"))
    assert duplicate_instance_ids(pods) == []
    assert duplicate_instance_ids([*pods, pod("d", instance="x")]) == ["x"]


def test_ordinals_come_from_the_name_or_the_pod_index_label() -> None:
    first, second = pod("db-0"), pod("db-x")
    second["metadata"]["labels"]["apps.kubernetes.io/pod-index"] = "0"
    assert duplicate_ordinals([first, pod("db-1")]) == []
    assert duplicate_ordinals([first, second]) == ["0"]


def test_two_broadcastjob_pods_on_one_node() -> None:
    assert duplicate_nodes([pod("a", node="n1"), pod("b", node="n2")]) == []
    assert duplicate_nodes([pod("a", node="n1"), pod("b", node="n1", phase="Succeeded")]) == ["n1"]
    affinity = pod("c")
    affinity["spec"]["affinity"] = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}
                ]
            }
        }
    }
    assert duplicate_nodes([pod("a", node="n1"), affinity]) == ["n1"]


def test_too_few_ready_during_an_update() -> None:
    pods = [pod("a"), pod("b"), pod("c", ready=False), pod("d", ready=False)]
    assert too_few_ready(pods, replicas=4, max_unavailable=2) is None
    assert too_few_ready(pods, replicas=4, max_unavailable=1) == (
        "2 ready < 4 replicas - 1 maxUnavailable"
    )


def test_claims_kept_by_their_workload_are_fine() -> None:
    pods = [pod("a", instance="i1", claim="data-i1")]
    claims = {"data-i1": claim("data-i1", [OWNER], instance="i1")}
    assert claim_problems(pods, claims, {OWNER}) == []


def test_an_orphaned_claim_of_a_ready_pod() -> None:
    pods = [pod("a", claim="data-a")]
    problems = claim_problems(pods, {"data-a": claim("data-a", [])}, {OWNER})
    assert problems == ["claim data-a of pod a: orphaned: no owner reference"]
    not_ready = [pod("a", claim="data-a", ready=False)]
    assert claim_problems(not_ready, {"data-a": claim("data-a", [])}, {OWNER}) == []


def test_a_claim_owned_by_another_workload_or_instance_is_stolen() -> None:
    pods = [pod("a", instance="i1", claim="data-x")]
    assert (
        "stolen: owned by"
        in claim_problems(pods, {"data-x": claim("data-x", ["uid-other"])}, {OWNER})[0]
    )
    assert (
        "stolen: instance i2"
        in claim_problems(pods, {"data-x": claim("data-x", [OWNER], instance="i2")}, {OWNER})[0]
    )


def test_a_claim_mounted_by_pods_of_two_workloads() -> None:
    pods = [pod("a", claim="shared"), pod("b", owner="uid-db", claim="shared")]
    problems = claim_problems(pods, {}, {OWNER, "uid-db"})
    assert problems == ["claim shared is mounted by pods of ['uid-db', 'uid-web']"]
