"""A BroadcastJob controller in this process, on the shared control plane, with nodes
created through the API, and what its integration tests do with them.

No kubelet and no scheduler run here: tests play both, setting pod phases with
``set_phase`` and binding pods with ``bind`` (the pods/binding subresource). Each test's
nodes carry a label naming its namespace, and the manager caches only those nodes, so
tests do not see each other's nodes; ``running_harness`` deletes them at the end. No
webhook runs either, so jobs are written with what the defaulting webhook would fill
(``defaulted_job``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from kruise.apis.apps.v1alpha1 import BROADCASTJOBS
from kruise.controller import broadcastjob
from kruise.runtime.cache import Cache, ResourceOptions
from kruise.runtime.client import NODES, PODS, Client, Conflict, NotFound, Resource
from kruise.runtime.controller import Controller
from kruise.runtime.manager import Manager, ManagerOptions
from support import workloads
from support.events import events_about, wait_for_event
from support.polling import eventually

Obj = dict[str, Any]
NODE_LABEL = "kruise-py.test/namespace"
DEFAULT_ALLOCATABLE = {"cpu": "4", "memory": "8Gi", "pods": "110"}


def defaulted_job(name: str, **spec: Any) -> Obj:
    """A BroadcastJob of pods that must be told to finish, with the defaults the webhook
    would give it; ``spec`` overrides fields of the spec."""
    fields: Obj = {
        "parallelism": 2**31 - 1,
        "completionPolicy": {"type": "Always"},
        "failurePolicy": {"type": "FailFast", "restartLimit": 0},
    }
    fields.update(spec)
    return workloads.broadcastjob(name, **fields)


class Harness:
    """A running BroadcastJob controller and helpers for nodes, jobs and pods."""

    def __init__(self, client: Client, namespace: str, manager: Manager) -> None:
        self.client = client
        self.namespace = namespace
        self.manager = manager
        self.controller: Controller | None = None

    # ---- nodes ----------------------------------------------------------------------

    def node_name(self, short: str) -> str:
        return f"{self.namespace}-{short}"

    async def create_node(
        self,
        short: str,
        *,
        labels: Mapping[str, str] | None = None,
        taints: list[Obj] | None = None,
        unschedulable: bool = False,
        allocatable: Mapping[str, str] | None = None,
    ) -> Obj:
        """A Ready node named ``<namespace>-<short>``, with the test's label and exactly
        ``taints`` (the API server adds ``node.kubernetes.io/not-ready`` to every new node,
        and no node lifecycle controller runs here to lift it)."""
        spec: Obj = {}
        if unschedulable:
            spec["unschedulable"] = True
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": self.node_name(short),
                "labels": {NODE_LABEL: self.namespace, **(labels or {})},
            },
            "spec": spec,
            "status": {
                "allocatable": dict(allocatable or DEFAULT_ALLOCATABLE),
                "capacity": dict(allocatable or DEFAULT_ALLOCATABLE),
                "conditions": [ready_condition("2024-01-01T00:00:00Z")],
            },
        }
        await self.client.create(NODES, node)
        return await self.patch_node(short, {"spec": {"taints": taints or None}})

    async def patch_node(self, short: str, body: Obj) -> Obj:
        return await self.client.patch(NODES, self.node_name(short), body)

    async def heartbeat(self, short: str, when: str) -> Obj:
        """Renew the node's Ready heartbeat, as a kubelet does, and nothing else."""
        node = await self.client.get(NODES, self.node_name(short))
        body = copy.deepcopy(node)
        body["status"]["conditions"] = [ready_condition(when)]
        return await self.client.update_status(NODES, body)

    async def delete_nodes(self) -> None:
        listed = await self.client.list(NODES, label_selector=f"{NODE_LABEL}={self.namespace}")
        for node in listed.items:
            with contextlib.suppress(NotFound):
                await self.client.delete(NODES, node["metadata"]["name"])

    # ---- jobs -----------------------------------------------------------------------

    async def create(self, job: Obj) -> Obj:
        return await self.client.create(BROADCASTJOBS, job, self.namespace)

    async def get(self, name: str) -> Obj:
        return await self.client.get(BROADCASTJOBS, name, self.namespace)

    async def patch(self, name: str, body: Obj) -> Obj:
        return await self.client.patch(BROADCASTJOBS, name, body, self.namespace)

    async def status_is(self, name: str, within: float = 30.0, **expected: Any) -> Obj:
        """The job once every ``expected`` status field has that value."""

        async def check() -> Obj | None:
            job = await self.get(name)
            status = job.get("status") or {}
            return job if all(status.get(k) == v for k, v in expected.items()) else None

        return await eventually(check, timeout=within, what=f"{name} status {expected}")

    # ---- pods -----------------------------------------------------------------------

    async def pods(self, job: str) -> list[Obj]:
        listed = await self.client.list(
            PODS, self.namespace, label_selector=f"broadcastjob-name={job}"
        )
        return sorted(listed.items, key=lambda p: p["metadata"]["name"])

    async def live_pods(self, job: str, count: int, within: float = 30.0) -> list[Obj]:
        """The job's pods not being deleted, once there are ``count`` of them."""

        async def check() -> tuple[list[Obj]] | None:
            pods = [p for p in await self.pods(job) if not p["metadata"].get("deletionTimestamp")]
            return (pods,) if len(pods) == count else None  # truthy also with no pods

        found = await eventually(check, timeout=within, what=f"{count} live pods of {job}")
        return found[0]

    async def by_node(self, job: str, count: int, within: float = 30.0) -> dict[str, Obj]:
        """Short node name -> the job's live pod there, once there are ``count`` pods."""
        pods = await self.live_pods(job, count, within)
        prefix = f"{self.namespace}-"
        return {assigned_node(p).removeprefix(prefix): p for p in pods}

    async def set_phase(self, pod: Obj, phase: str, *, restarts: int = 0) -> Obj:
        """Play the kubelet: report ``phase`` (and ``restarts`` container restarts)."""
        name = pod["metadata"]["name"]
        for _ in range(50):
            current = await self.client.get(PODS, name, self.namespace)
            body = copy.deepcopy(current)
            body["status"] = {
                **body.get("status", {}),
                "phase": phase,
                "containerStatuses": [
                    {
                        "name": c["name"],
                        "image": c["image"],
                        "imageID": "",
                        "ready": phase == "Running",
                        "restartCount": restarts,
                        "state": {"running": {}}
                        if phase == "Running"
                        else {"terminated": {"exitCode": 0 if phase == "Succeeded" else 1}},
                    }
                    for c in body["spec"]["containers"]
                ],
            }
            try:
                return await self.client.update_status(PODS, body)
            except Conflict:
                await asyncio.sleep(0.05)
        pytest.fail(f"pod {name} kept conflicting")

    async def bind(self, pod: Obj, node: str) -> None:
        """Play the scheduler: bind ``pod`` to the node ``<namespace>-<node>``."""
        binding = {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": pod["metadata"]["name"]},
            "target": {"apiVersion": "v1", "kind": "Node", "name": self.node_name(node)},
        }
        await self.client.create_subresource(
            PODS, pod["metadata"]["name"], "binding", binding, self.namespace
        )

    async def bound_pod(self, short: str, node: str, *, cpu: str = "100m") -> Obj:
        """A pod of no job, bound to node ``<namespace>-<node>``, asking ``cpu``."""
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": short},
            "spec": {
                "nodeName": self.node_name(node),
                "containers": [
                    {"name": "main", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}
                ],
            },
        }
        return await self.client.create(PODS, pod, self.namespace)

    async def cached(self, resource: Resource, obj: Obj) -> None:
        """Wait until the manager's cache shows ``obj`` at its resourceVersion (or later)."""
        informer = self.manager.cache.informer(resource)
        meta = obj["metadata"]
        wanted = int(meta["resourceVersion"])

        def check() -> bool:
            seen = informer.get(meta["name"], meta.get("namespace"))
            return seen is not None and int(seen["metadata"]["resourceVersion"]) >= wanted

        await eventually(check, what=f"{meta['name']} in the cache")

    def queue_adds(self) -> float:
        """Requests the controller's queue took so far (``workqueue_adds_total``)."""
        value = self.manager.registry.get_sample_value(
            "workqueue_adds_total",
            {"name": broadcastjob.CONTROLLER_NAME, "controller": broadcastjob.CONTROLLER_NAME},
        )
        return value or 0.0

    async def reasons(self, name: str) -> set[str]:
        """The reasons of the events about object ``name``."""
        return {e["reason"] for e in await events_about(self.client, self.namespace, name)}

    async def has_event(self, name: str, reason: str, within: float = 30.0) -> None:
        await wait_for_event(self.client, self.namespace, name, reason, within)


def ready_condition(heartbeat: str) -> Obj:
    return {
        "type": "Ready",
        "status": "True",
        "reason": "KubeletReady",
        "lastHeartbeatTime": heartbeat,
        "lastTransitionTime": "2024-01-01T00:00:00Z",
    }


def assigned_node(pod: Obj) -> str:
    """The node a pod is bound to, or named in its required node affinity."""
    if pod["spec"].get("nodeName"):
        return str(pod["spec"]["nodeName"])
    terms = pod["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]
    return str(terms["nodeSelectorTerms"][0]["matchFields"][0]["values"][0])


@contextlib.asynccontextmanager
async def running_harness(
    client: Client, namespace: str, *, assign_by_scheduler: bool = True
) -> AsyncIterator[Harness]:
    """A BroadcastJob controller seeing the test's namespace and nodes, running until the
    block ends; the nodes go with it."""
    options = ManagerOptions(metrics_addr="0", health_probe_addr="0", namespace=namespace)
    cache = Cache(
        client,
        namespace=namespace,
        by_resource={NODES: ResourceOptions(label_selector=f"{NODE_LABEL}={namespace}")},
    )
    manager = Manager(client, options, registry=CollectorRegistry(), cache=cache)
    harness = Harness(client, namespace, manager)
    harness.controller = await broadcastjob.setup(manager, assign_by_scheduler=assign_by_scheduler)
    assert harness.controller is not None
    stop = asyncio.Event()
    task = asyncio.create_task(manager.run(stop))
    try:
        yield harness
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)
        await harness.delete_nodes()
