"""The local cluster behaves like a real one for the workloads Kruise manages."""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Callable, Iterator
from typing import Any

from support.polling import eventually_blocking

from kruise.runtime.envtest import LocalCluster
from kruise.runtime.envtest.rest import RestError

Obj = dict[str, Any]


def condition(obj: Obj, kind: str) -> str | None:
    for cond in obj.get("status", {}).get("conditions", []):
        if cond["type"] == kind:
            return str(cond["status"])
    return None


def pods(cluster: LocalCluster, namespace: str, selector: str = "") -> list[Obj]:
    query = f"?labelSelector={selector}" if selector else ""
    items: list[Obj] = cluster.rest.get(f"/api/v1/namespaces/{namespace}/pods{query}")["items"]
    return items


def container(name: str = "main", image: str = "nginx:1.25") -> Obj:
    return {"name": name, "image": image}


def test_nodes_are_ready_and_carry_their_labels(local_cluster: LocalCluster) -> None:
    nodes = local_cluster.rest.get("/api/v1/nodes")["items"]
    assert len(nodes) == 3
    for node in nodes:
        assert condition(node, "Ready") == "True"
        assert node["metadata"]["labels"]["type"] == "kwok"
        assert node["status"]["allocatable"]["pods"] == "250"


def test_deployment_pods_become_ready_and_are_garbage_collected(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    ns = cluster_namespace
    labels = {"app": "web"}
    deployment = {
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container()]}},
        },
    }
    local_cluster.rest.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment)

    def three_ready() -> bool:
        ready = [p for p in pods(local_cluster, ns, "app=web") if condition(p, "Ready") == "True"]
        return len(ready) == 3

    eventually_blocking(three_ready, timeout=60, interval=0.2, what="3 Ready pods")
    nodes = {p["spec"]["nodeName"] for p in pods(local_cluster, ns, "app=web")}
    assert nodes <= {f"kwok-node-{i}" for i in range(3)}
    for pod in pods(local_cluster, ns, "app=web"):
        assert pod["status"]["phase"] == "Running"
        assert pod["status"]["podIP"]

    local_cluster.rest.request("DELETE", f"/apis/apps/v1/namespaces/{ns}/deployments/web")
    eventually_blocking(
        lambda: not pods(local_cluster, ns, "app=web"),
        timeout=60,
        interval=0.2,
        what="pods garbage-collected",
    )


def test_job_with_two_completions_completes(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    ns = cluster_namespace
    job = {
        "metadata": {"name": "batch"},
        "spec": {
            "completions": 2,
            "parallelism": 1,
            "template": {
                "spec": {"restartPolicy": "Never", "containers": [container(image="busybox:1.36")]}
            },
        },
    }
    local_cluster.rest.request("POST", f"/apis/batch/v1/namespaces/{ns}/jobs", job)

    def complete() -> Obj | None:
        current: Obj = local_cluster.rest.get(f"/apis/batch/v1/namespaces/{ns}/jobs/batch")
        return current if condition(current, "Complete") == "True" else None

    done = eventually_blocking(complete, timeout=90, interval=0.2, what="the Job to complete")
    assert done["status"]["succeeded"] == 2


def _running_pod(cluster: LocalCluster, ns: str, pod: Obj) -> Obj:
    cluster.rest.request("POST", f"/api/v1/namespaces/{ns}/pods", pod)
    name = pod["metadata"]["name"]

    def running() -> Obj | None:
        current: Obj = cluster.rest.get(f"/api/v1/namespaces/{ns}/pods/{name}")
        return current if current["status"].get("phase") == "Running" else None

    result: Obj = eventually_blocking(running, timeout=60, interval=0.2, what=f"pod {name} Running")
    return result


def test_in_place_image_change_is_reflected_in_container_status(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    ns = cluster_namespace
    pod = {
        "metadata": {"name": "inplace"},
        "spec": {"containers": [container("app", "nginx:1.25"), container("side", "redis:7")]},
    }
    before = _running_pod(local_cluster, ns, pod)
    statuses = {s["name"]: s for s in before["status"]["containerStatuses"]}
    assert statuses["app"]["image"] == "nginx:1.25"
    assert statuses["app"]["imageID"]

    local_cluster.rest.request(
        "PATCH",
        f"/api/v1/namespaces/{ns}/pods/inplace",
        {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}},
        content_type="application/strategic-merge-patch+json",
    )

    def updated() -> dict[str, Obj] | None:
        current = local_cluster.rest.get(f"/api/v1/namespaces/{ns}/pods/inplace")
        now = {s["name"]: s for s in current["status"]["containerStatuses"]}
        return now if now["app"]["image"] == "nginx:1.26" else None

    after = eventually_blocking(
        updated, timeout=60, interval=0.2, what="the new image in containerStatuses"
    )
    assert after["app"]["imageID"] != statuses["app"]["imageID"]
    assert after["app"]["containerID"] != statuses["app"]["containerID"]
    assert after["app"]["restartCount"] == 1
    # The untouched container keeps its identity.
    assert after["side"]["imageID"] == statuses["side"]["imageID"]
    assert after["side"]["restartCount"] == 0


def test_readiness_gates_hold_ready_until_their_condition_is_true(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    ns = cluster_namespace
    gate = "apps.kruise.io/test-gate"
    pod = {
        "metadata": {"name": "gated"},
        "spec": {"readinessGates": [{"conditionType": gate}], "containers": [container()]},
    }
    running = _running_pod(local_cluster, ns, pod)
    assert condition(running, "ContainersReady") == "True"
    assert condition(running, "Ready") == "False"

    def set_gate(status: str) -> None:
        current = local_cluster.rest.get(f"/api/v1/namespaces/{ns}/pods/gated")
        conditions = [c for c in current["status"]["conditions"] if c["type"] != gate]
        conditions.append({"type": gate, "status": status})
        current["status"]["conditions"] = conditions
        local_cluster.rest.request("PUT", f"/api/v1/namespaces/{ns}/pods/gated/status", current)

    def ready_is(expected: str) -> Callable[[], bool]:
        def check() -> bool:
            current = local_cluster.rest.get(f"/api/v1/namespaces/{ns}/pods/gated")
            return condition(current, "Ready") == expected

        return check

    set_gate("True")
    eventually_blocking(
        ready_is("True"), timeout=60, interval=0.2, what="Ready once the gate is True"
    )
    set_gate("False")
    eventually_blocking(
        ready_is("False"), timeout=60, interval=0.2, what="not Ready once the gate is False again"
    )


def _watch_pod(cluster: LocalCluster, ns: str, name: str, since: str) -> Iterator[Obj]:
    """The pod as each watch event after resourceVersion ``since`` shows it. The watch is
    open when this returns, so what happens next is seen."""
    config = cluster.rest.config
    context = ssl.create_default_context(cafile=str(config.ca_file))
    context.load_cert_chain(str(config.cert_file), str(config.key_file))
    conn = http.client.HTTPSConnection(config.host, config.port, context=context, timeout=60)
    query = f"watch=1&fieldSelector=metadata.name%3D{name}&resourceVersion={since}"
    conn.request("GET", f"/api/v1/namespaces/{ns}/pods?{query}&timeoutSeconds=60")
    response = conn.getresponse()

    def events() -> Iterator[Obj]:
        try:
            for line in response:
                yield json.loads(line)["object"]
        finally:
            conn.close()

    return events()


def test_a_pod_whose_gates_are_already_true_starts_ready(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    """As a kubelet does, the first status of a running pod counts its readiness gates:
    a gate set True before the pod started makes it Ready at once, not one write later."""
    ns = cluster_namespace
    gate = "apps.kruise.io/test-gate"
    pod = {
        "metadata": {"name": "pre-gated"},
        # No scheduler binds it: the test sets the gate first, then binds it itself.
        "spec": {
            "schedulerName": "held-for-the-test",
            "readinessGates": [{"conditionType": gate}],
            "containers": [container()],
        },
    }
    created = local_cluster.rest.request("POST", f"/api/v1/namespaces/{ns}/pods", pod)
    created["status"]["conditions"] = [{"type": gate, "status": "True"}]
    gated = local_cluster.rest.request(
        "PUT", f"/api/v1/namespaces/{ns}/pods/pre-gated/status", created
    )
    events = _watch_pod(local_cluster, ns, "pre-gated", gated["metadata"]["resourceVersion"])
    node = local_cluster.rest.get("/api/v1/nodes")["items"][0]["metadata"]["name"]
    binding = {
        "apiVersion": "v1",
        "kind": "Binding",
        "metadata": {"name": "pre-gated"},
        "target": {"apiVersion": "v1", "kind": "Node", "name": node},
    }
    local_cluster.rest.request("POST", f"/api/v1/namespaces/{ns}/pods/pre-gated/binding", binding)
    started = next(p for p in events if p["status"].get("phase") == "Running")
    assert condition(started, "Ready") == "True"


def test_a_replayed_start_of_a_running_pod_keeps_one_pod_ip(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    """A start played again on a pod that already has an address (as a stale event makes
    the simulated node do) replaces the address instead of adding a second one, which the
    API server would refuse, leaving the pod Pending."""
    ns = cluster_namespace
    running = _running_pod(
        local_cluster, ns, {"metadata": {"name": "replayed"}, "spec": {"containers": [container()]}}
    )
    assert len(running["status"]["podIPs"]) == 1
    running["status"]["phase"] = "Pending"
    local_cluster.rest.request("PUT", f"/api/v1/namespaces/{ns}/pods/replayed/status", running)

    def running_again() -> Obj | None:
        current: Obj = local_cluster.rest.get(f"/api/v1/namespaces/{ns}/pods/replayed")
        return current if current["status"].get("phase") == "Running" else None

    again = eventually_blocking(running_again, timeout=60, interval=0.2, what="Running again")
    assert [ip["ip"] for ip in again["status"]["podIPs"]] == [again["status"]["podIP"]]


BROADCAST_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "broadcastjobs.envtest.kruise.io"},
    "spec": {
        "group": "envtest.kruise.io",
        "names": {"kind": "BroadcastJob", "plural": "broadcastjobs", "singular": "broadcastjob"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1alpha1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
            }
        ],
    },
}


def test_broadcastjob_pods_succeed_and_others_keep_running(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    ns = cluster_namespace
    local_cluster.install_crds([BROADCAST_CRD])
    owner = local_cluster.rest.request(
        "POST",
        f"/apis/envtest.kruise.io/v1alpha1/namespaces/{ns}/broadcastjobs",
        {
            "apiVersion": "envtest.kruise.io/v1alpha1",
            "kind": "BroadcastJob",
            "metadata": {"name": "bcj"},
        },
    )
    owner_ref = {
        "apiVersion": "envtest.kruise.io/v1alpha1",
        "kind": "BroadcastJob",
        "name": "bcj",
        "uid": owner["metadata"]["uid"],
        "controller": True,
    }
    for name, policy in (("once", "Never"), ("retry", "OnFailure"), ("always", "Always")):
        pod = {
            "metadata": {"name": name, "ownerReferences": [owner_ref]},
            "spec": {
                "nodeName": "kwok-node-0",
                "restartPolicy": policy,
                "containers": [container()],
            },
        }
        local_cluster.rest.request("POST", f"/api/v1/namespaces/{ns}/pods", pod)

    def phase(name: str) -> str:
        try:
            current = local_cluster.rest.get(f"/api/v1/namespaces/{ns}/pods/{name}")
        except RestError:
            return ""
        return str(current["status"].get("phase", ""))

    eventually_blocking(
        lambda: phase("once") == "Succeeded",
        timeout=60,
        interval=0.2,
        what="the Never pod to succeed",
    )
    eventually_blocking(
        lambda: phase("retry") == "Succeeded",
        timeout=60,
        interval=0.2,
        what="the OnFailure pod to succeed",
    )
    assert phase("always") == "Running"
