"""BroadcastJob end to end: kruise-manager as its own process (under its ServiceAccount),
kwok nodes made for each test (labelled, tainted, cordoned), pods placed by
kube-scheduler and completed by kwok."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.e2e_cloneset import E2E_INTERVAL, E2E_TIMEOUT
from support.e2e_jobs import NODE_LABEL, JobNodes, node_of
from support.kruise_env import KruiseEnv
from support.pods import condition
from support.polling import eventually
from support.workloads import pod_template

from kruise.apis.apps import v1alpha1, v1beta1
from kruise.runtime.client import EVENTS, PODS, Client, NotFound
from kruise.util.pods import parse_time

Obj = dict[str, Any]


@pytest.fixture
def nodes(kruise_env: KruiseEnv, e2e_namespace: str) -> Iterator[JobNodes]:
    if kruise_env.local is None:
        pytest.skip("makes kwok nodes, which only the local cluster has")
    made = JobNodes(kruise_env, e2e_namespace)
    try:
        yield made
    finally:
        made.delete()


def job(name: str, namespace: str, version: str = "v1alpha1", **spec: Any) -> Obj:
    """A BroadcastJob whose pods select only this test's nodes (``NODE_LABEL``)."""
    template = pod_template({"app": name}, "busybox:1.36", restart_policy="Never")
    template["spec"]["nodeSelector"] = {NODE_LABEL: namespace}
    return {
        "apiVersion": f"apps.kruise.io/{version}",
        "kind": "BroadcastJob",
        "metadata": {"name": name},
        "spec": {"template": template, **spec},
    }


async def pods_of(kube: Client, ns: str, name: str) -> list[Obj]:
    listed = await kube.list(PODS, ns, label_selector=f"broadcastjob-name={name}")
    return sorted(listed.items, key=node_of)


def created_at(pod: Obj) -> float:
    when = parse_time(pod["metadata"]["creationTimestamp"])
    assert when is not None
    return when


def finished_at(pod: Obj) -> float:
    [container] = pod["status"]["containerStatuses"]
    when = parse_time(container["state"]["terminated"]["finishedAt"])
    assert when is not None
    return when


async def status_is(kube: Client, ns: str, name: str, **expected: Any) -> Obj:
    async def check() -> Obj | None:
        current = await kube.get(v1alpha1.BROADCASTJOBS, name, ns)
        status = current.get("status") or {}
        return current if all(status.get(k) == v for k, v in expected.items()) else None

    return await eventually(
        check, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what=f"{name} status {expected}"
    )


async def test_completes_on_exactly_the_fitting_nodes_through_the_scheduler(
    kube: Client, e2e_namespace: str, nodes: JobNodes
) -> None:
    """Six nodes of the test and the cluster's own three: the job's pods go to the three
    that match its selector and affinity and whose taints it tolerates, each pod handed
    to kube-scheduler with a required affinity to its node; the job then completes."""
    ns = e2e_namespace
    fits = [
        nodes.add("batch", {"pool": "batch"}),
        nodes.add("general", {"pool": "general"}),
        nodes.add(
            "dedicated",
            {"pool": "batch"},
            taints=[{"key": "dedicated", "value": "jobs", "effect": "NoExecute"}],
        ),
    ]
    nodes.add(
        "infra", {"pool": "batch"}, [{"key": "dedicated", "value": "infra", "effect": "NoSchedule"}]
    )
    nodes.add("gpu", {"pool": "gpu"})
    nodes.add("cordoned", {"pool": "batch"})
    nodes.patch("cordoned", {"spec": {"unschedulable": True}})

    body = job("pi", ns, version="v1beta1", parallelism=2)
    spec = body["spec"]["template"]["spec"]
    spec["affinity"] = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "pool", "operator": "In", "values": ["batch", "general"]}
                        ]
                    }
                ]
            }
        }
    }
    spec["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": "jobs"}]
    await kube.create(v1beta1.BROADCASTJOBS, body, ns)

    done = await status_is(kube, ns, "pi", phase="completed")
    status = done["status"]
    counts = {k: status[k] for k in ("desired", "succeeded", "failed", "active")}
    assert counts == {"desired": 3, "succeeded": 3, "failed": 0, "active": 0}
    complete = condition(done, "Complete")
    assert complete is not None
    assert complete["status"] == "True"
    assert status["completionTime"] >= status["startTime"]

    pods = await pods_of(kube, ns, "pi")
    assert sorted(node_of(p) for p in pods) == sorted(fits)
    for pod in pods:
        # Created for the scheduler (an affinity to one node), bound by it to that node.
        assert pod["spec"]["nodeName"] == node_of(pod)
        assert pod["status"]["phase"] == "Succeeded"
        assert pod["metadata"]["labels"]["broadcastjob-name"] == "pi"
    events = (await kube.list(EVENTS, ns)).items
    scheduled = {
        e["involvedObject"]["name"]
        for e in events
        if e["reason"] == "Scheduled"
        and "default-scheduler"
        in (e.get("reportingComponent") or (e.get("source") or {}).get("component", ""))
    }
    assert scheduled == {p["metadata"]["name"] for p in pods}
    created = [
        e
        for e in events
        if e["reason"] == "SuccessfulCreate" and e["involvedObject"]["kind"] == "BroadcastJob"
    ]
    assert sum(int(e.get("count") or 1) for e in created) == 3
    # parallelism 2: the third pod was created only once one of the first two had finished.
    first, second, third = sorted(pods, key=created_at)
    assert created_at(third) >= min(finished_at(first), finished_at(second))


async def test_a_node_that_starts_to_fit_gets_its_pod_without_touching_the_job(
    kube: Client, e2e_namespace: str, nodes: JobNodes
) -> None:
    """OpenKruise #1199: a job that never completes, then a taint lifted, a label added and
    a node created; each node gets its pod, and the job's spec is never written."""
    ns = e2e_namespace
    first = nodes.add("first", {"pool": "batch"})
    nodes.add(
        "tainted",
        {"pool": "batch"},
        [{"key": "maintenance", "value": "yes", "effect": "NoSchedule"}],
    )
    nodes.add("unlabelled")
    body = job("watcher", ns, completionPolicy={"type": "Never"})
    body["spec"]["template"]["spec"]["nodeSelector"]["pool"] = "batch"
    created = await kube.create(v1alpha1.BROADCASTJOBS, body, ns)

    async def on(expected: list[str]) -> list[Obj] | None:
        pods = await pods_of(kube, ns, "watcher")
        done = [p for p in pods if p["status"].get("phase") == "Succeeded"]
        return (
            pods
            if sorted(node_of(p) for p in done) == sorted(expected) and len(pods) == len(expected)
            else None
        )

    async def until_on(expected: list[str], what: str) -> list[Obj]:
        return await eventually(
            lambda: on(expected), timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what=what
        )

    [pod] = await until_on([first], "the pod on the one fitting node")
    await status_is(kube, ns, "watcher", desired=1, succeeded=1, phase="running")

    nodes.patch("tainted", {"spec": {"taints": None}})
    await until_on([first, nodes.name("tainted")], "a pod on the node whose taint was lifted")
    nodes.patch("unlabelled", {"metadata": {"labels": {"pool": "batch"}}})
    await until_on(
        [first, nodes.name("tainted"), nodes.name("unlabelled")], "a pod on the newly labelled node"
    )
    late = nodes.add("late", {"pool": "batch"})
    pods = await until_on(
        [first, nodes.name("tainted"), nodes.name("unlabelled"), late], "a pod on the new node"
    )
    await status_is(kube, ns, "watcher", desired=4, succeeded=4, active=0, phase="running")

    assert pod["metadata"]["uid"] in {p["metadata"]["uid"] for p in pods}  # never re-run
    current = await kube.get(v1alpha1.BROADCASTJOBS, "watcher", ns)
    assert current["metadata"]["generation"] == created["metadata"]["generation"]


async def test_a_finished_job_deletes_itself_and_its_pods_after_its_ttl(
    kube: Client, e2e_namespace: str, nodes: JobNodes
) -> None:
    ns = e2e_namespace
    nodes.add("only")
    body = job("short-lived", ns, completionPolicy={"type": "Always", "ttlSecondsAfterFinished": 3})
    await kube.create(v1alpha1.BROADCASTJOBS, body, ns)
    seen: list[str] = []

    async def gone() -> bool:
        try:
            current = await kube.get(v1alpha1.BROADCASTJOBS, "short-lived", ns)
        except NotFound:
            return not await pods_of(kube, ns, "short-lived")
        phase = (current.get("status") or {}).get("phase")
        if phase and phase not in seen:
            seen.append(phase)
        return False

    await eventually(gone, timeout=E2E_TIMEOUT, interval=0.2, what="the job and its pod deleted")
    assert seen[-1:] == ["completed"], seen
