"""Pod and node events: which BroadcastJobs they wake, and heartbeats that wake none."""

from __future__ import annotations

import copy
from typing import Any

from kruise.controller.broadcastjob.handlers import (
    NodeEventHandler,
    PodEventHandler,
    only_heartbeat,
)
from kruise.runtime.clock import FakeClock
from kruise.runtime.expectations import ScaleAction, ScaleExpectations
from kruise.runtime.reconcile import Request
from kruise.util.nodefit import NodeUsage

Obj = dict[str, Any]


def job(name: str, **spec: Any) -> Obj:
    return {
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"template": {"spec": {"containers": [{"name": "c"}], **spec}}},
        "status": {},
    }


def node(name: str = "n1", heartbeat: str = "t0", ready: str = "True", **spec: Any) -> Obj:
    return {
        "metadata": {"name": name, "resourceVersion": heartbeat, "labels": {}},
        "spec": spec,
        "status": {
            "allocatable": {"cpu": "1", "memory": "1Gi", "pods": "10"},
            "conditions": [{"type": "Ready", "status": ready, "lastHeartbeatTime": heartbeat}],
        },
    }


class Queue(list[Request]):
    def add(self, item: Request) -> None:
        self.append(item)


class CountingJobs:
    def __init__(self, jobs: list[Obj]) -> None:
        self.jobs = jobs
        self.calls = 0

    def __call__(self) -> list[Obj]:
        self.calls += 1
        return self.jobs


def test_heartbeats_are_recognised() -> None:
    old = node(heartbeat="t0")
    assert only_heartbeat(old, node(heartbeat="t1"))
    assert not only_heartbeat(old, node(heartbeat="t1", ready="False"))
    assert not only_heartbeat(old, node(heartbeat="t1", unschedulable=True))
    labelled = node(heartbeat="t1")
    labelled["metadata"]["labels"] = {"x": "y"}
    assert not only_heartbeat(old, labelled)


def test_a_heartbeat_does_not_even_look_at_the_jobs() -> None:
    jobs = CountingJobs([job("a")])
    handler = NodeEventHandler(jobs, lambda _: NodeUsage())
    queue = Queue()
    handler.update(node(heartbeat="t0"), node(heartbeat="t1"), queue)
    assert queue == []
    assert jobs.calls == 0


def test_a_node_update_wakes_the_jobs_whose_fit_changed() -> None:
    tolerant = job("tolerant", tolerations=[{"operator": "Exists"}])
    jobs = CountingJobs([job("plain"), tolerant])
    handler = NodeEventHandler(jobs, lambda _: NodeUsage())
    queue = Queue()
    tainted = node(heartbeat="t1", taints=[{"key": "k", "effect": "NoSchedule"}])
    handler.update(tainted, node(heartbeat="t2"), queue)
    assert queue == [Request("ns", "plain")]


def test_a_new_node_wakes_the_jobs_it_fits() -> None:
    selective = job("selective", nodeSelector={"role": "x"})
    finished = job("finished")
    finished["status"] = {"conditions": [{"type": "Complete", "status": "True"}]}
    handler = NodeEventHandler(
        CountingJobs([job("plain"), selective, finished]), lambda _: NodeUsage()
    )
    queue = Queue()
    handler.create(node(), queue)
    assert queue == [Request("ns", "plain")]


def test_room_freed_on_a_node_wakes_the_jobs_that_want_it() -> None:
    scale = ScaleExpectations(clock=FakeClock())
    nodes = {"n1": node()}
    handler = PodEventHandler(scale, CountingJobs([job("waiting")]), nodes.get)
    other: Obj = {
        "metadata": {"name": "p", "namespace": "ns", "resourceVersion": "1"},
        "spec": {"nodeName": "n1"},
        "status": {"phase": "Running"},
    }
    done = copy.deepcopy(other)
    done["metadata"]["resourceVersion"] = "2"
    done["status"]["phase"] = "Succeeded"
    queue = Queue()
    handler.update(other, done, queue)
    assert queue == [Request("ns", "waiting")]


def test_pod_events_settle_expectations_by_node() -> None:
    scale = ScaleExpectations(clock=FakeClock())
    handler = PodEventHandler(scale, CountingJobs([]), {}.get)
    owned: Obj = {
        "metadata": {
            "name": "j-abc",
            "namespace": "ns",
            "resourceVersion": "1",
            "ownerReferences": [
                {
                    "apiVersion": "apps.kruise.io/v1alpha1",
                    "kind": "BroadcastJob",
                    "name": "j",
                    "uid": "u",
                    "controller": True,
                }
            ],
        },
        "spec": {"nodeName": "n1"},
        "status": {},
    }
    scale.expect_scale("ns/j", ScaleAction.CREATE, "n1")
    queue = Queue()
    handler.create(owned, queue)
    assert queue == [Request("ns", "j")]
    assert scale.satisfied_scale("ns/j")[0]

    scale.expect_scale("ns/j", ScaleAction.DELETE, "n1")
    terminating = copy.deepcopy(owned)
    terminating["metadata"]["resourceVersion"] = "2"
    terminating["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    handler.update(owned, terminating, queue)
    assert scale.satisfied_scale("ns/j")[0]
