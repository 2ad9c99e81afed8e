"""A BroadcastJob's pods (ownership, node, classification, the pod it creates) and the
sorting of nodes into desired, still to run and to clear."""

from __future__ import annotations

from typing import Any

from kruise.controller.broadcastjob.nodes import select_nodes
from kruise.controller.broadcastjob.pods import (
    assigned_node,
    by_node,
    classify,
    new_pod,
    node_name_affinity,
    owned_by,
)
from kruise.controller.broadcastjob.reconcile import is_complete
from kruise.util.nodefit import NodeUsage

Obj = dict[str, Any]
JOB: Obj = {
    "apiVersion": "apps.kruise.io/v1alpha1",
    "kind": "BroadcastJob",
    "metadata": {"name": "j", "namespace": "ns", "uid": "u1"},
    "spec": {
        "template": {
            "metadata": {"labels": {"app": "x"}, "annotations": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "i"}], "restartPolicy": "Never"},
        }
    },
}


def pod(name: str, node: str = "", phase: str = "Running", **extra: Any) -> Obj:
    meta: Obj = {
        "name": name,
        "ownerReferences": [{"kind": "BroadcastJob", "uid": "u1", "controller": True, "name": "j"}],
    }
    meta.update(extra.pop("meta", {}))
    spec: Obj = {"nodeName": node} if node else {}
    spec.update(extra.pop("spec", {}))
    return {"metadata": meta, "spec": spec, "status": {"phase": phase, **extra}}


def node(name: str, **spec: Any) -> Obj:
    return {
        "metadata": {"name": name, "labels": {}},
        "spec": spec,
        "status": {"allocatable": {"cpu": "1", "memory": "1Gi", "pods": "10"}},
    }


def test_new_pod_through_the_scheduler() -> None:
    created = new_pod(JOB, "n1", by_scheduler=True)
    assert created["metadata"]["generateName"] == "j-"
    assert created["metadata"]["labels"] == {
        "app": "x",
        "broadcastjob-name": "j",
        "broadcastjob-controller-uid": "u1",
    }
    assert created["metadata"]["annotations"] == {"a": "b"}
    ref = created["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["uid"], ref["controller"], ref["blockOwnerDeletion"]) == (
        "BroadcastJob",
        "u1",
        True,
        True,
    )
    assert "nodeName" not in created["spec"]
    assert assigned_node(created) == "n1"
    # The job's template is left alone.
    assert "broadcastjob-name" not in JOB["spec"]["template"]["metadata"]["labels"]


def test_new_pod_bound_at_once() -> None:
    created = new_pod(JOB, "n1", by_scheduler=False)
    assert created["spec"]["nodeName"] == "n1"
    assert "affinity" not in created["spec"]


def test_node_name_affinity_replaces_required_terms_only() -> None:
    preferred = [{"weight": 1, "preference": {"matchExpressions": []}}]
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": []}]
            },
            "preferredDuringSchedulingIgnoredDuringExecution": preferred,
        },
        "podAntiAffinity": {"x": 1},
    }
    out = node_name_affinity(affinity, "n2")
    assert out["podAntiAffinity"] == {"x": 1}
    assert out["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"] == preferred
    terms = out["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ]
    assert terms == [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n2"]}]}
    ]


def test_owned_by_needs_the_controller_reference() -> None:
    mine = pod("a")
    other = pod(
        "b", meta={"ownerReferences": [{"kind": "BroadcastJob", "uid": "u2", "controller": True}]}
    )
    orphan = pod("c", meta={"ownerReferences": []})
    assert owned_by([mine, other, orphan], JOB) == [mine]


def test_classify() -> None:
    on_failure = {"restartPolicy": "OnFailure"}
    pods = [
        pod("ok", phase="Succeeded"),
        pod("bad", phase="Failed"),
        pod("run"),
        pod("gone", meta={"deletionTimestamp": "2024-01-01T00:00:00Z"}),
        pod("flaky", spec=on_failure, containerStatuses=[{"restartCount": 2}]),
        pod(
            "crashy",
            spec=on_failure,
            containerStatuses=[{"restartCount": 2}],
            initContainerStatuses=[{"restartCount": 1}],
        ),
        pod("never", containerStatuses=[{"restartCount": 9}]),
    ]
    out = classify(pods, restart_limit=2)
    assert [p["metadata"]["name"] for p in out.succeeded] == ["ok"]
    assert [p["metadata"]["name"] for p in out.failed] == ["bad", "crashy"]
    assert [p["metadata"]["name"] for p in out.active] == ["run", "flaky", "never"]


def test_by_node_reports_duplicates() -> None:
    a, b, c = pod("a", "n1"), pod("b", "n2"), pod("c", "n1")
    found, duplicates = by_node([a, b, c])
    assert found == {"n1": c, "n2": b}
    assert duplicates == [(c, "n1")]


def test_select_nodes() -> None:
    nodes = [
        node("n3"),
        node("n1"),
        node("tainted", taints=[{"key": "k", "effect": "NoSchedule"}]),
        node("busy"),
        node("n2", unschedulable=True),
        node("done-here", unschedulable=True),
    ]
    running = pod("p1", "n1")
    cordoned = pod("p2", "n2")
    finished = pod("p3", "done-here", phase="Succeeded")
    usage = {"busy": NodeUsage(pods=10)}
    selection = select_nodes(
        JOB,
        nodes,
        {"n1": running, "n2": cordoned, "done-here": finished},
        lambda name: usage.get(name, NodeUsage()),
    )
    assert selection.desired == {"n1": running, "n3": None}
    assert selection.rest == ["n3"]
    assert selection.to_delete == [cordoned]
    assert set(selection.unfit) == {"tainted", "busy", "n2", "done-here"}


def test_a_node_with_the_job_pod_is_not_judged_by_room() -> None:
    full = node("n1")
    selection = select_nodes(JOB, [full], {"n1": pod("p", "n1")}, lambda _: NodeUsage(pods=10))
    assert list(selection.desired) == ["n1"]


def test_is_complete() -> None:
    always = {"completionPolicy": {"type": "Always"}}
    done = {"n1": pod("a", phase="Succeeded"), "n2": pod("b", phase="Failed")}
    assert is_complete(always, done, 0)
    assert not is_complete(always, {**done, "n3": None}, 0)
    assert not is_complete(always, {**done, "n3": pod("c")}, 0)
    assert not is_complete(always, {}, 0)
    assert not is_complete({"completionPolicy": {"type": "Never"}}, done, 0)
    over = pod("d", spec={"restartPolicy": "OnFailure"}, containerStatuses=[{"restartCount": 5}])
    assert is_complete(always, {**done, "n4": over}, 1)
