"""A CloneSet controller in this process, on the shared control plane (etcd and
kube-apiserver), and what its integration tests do with it.

No kubelet runs here: tests play it, setting pod status with ``set_pod_status`` or
``play_kubelet`` (which also reports the pod scheduled, as a kubelet does). No webhook runs
either, so CloneSets are written with the fields the defaulting webhook would fill
(``defaulted_cloneset``). The manager caches only the test's namespace, so tests do not
see each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.controller import cloneset
from kruise.controller.cloneset import CloneSetOptions
from kruise.runtime.client import PODS, Client, Conflict
from kruise.runtime.controller import Controller
from kruise.runtime.manager import Manager, ManagerOptions
from support import workloads
from support.pods import image_of, is_ready, kubelet_status, live, names, ready_lags_gates
from support.polling import eventually

Obj = dict[str, Any]


def defaulted_cloneset(name: str, replicas: int, image: str = "nginx:1.0", **strategy: Any) -> Obj:
    """A CloneSet of ``replicas`` pods running ``image``, with the update strategy and
    history limit the defaulting webhook would give it; ``strategy`` overrides fields of
    the update strategy."""
    update: Obj = {"type": "ReCreate", "partition": 0, "maxUnavailable": "20%", "maxSurge": 0}
    update.update(strategy)
    return workloads.cloneset(
        name, replicas, image=image, updateStrategy=update, revisionHistoryLimit=10
    )


class Harness:
    """A running CloneSet controller and helpers to drive pods through their lives."""

    def __init__(self, client: Client, namespace: str, manager: Manager) -> None:
        self.client = client
        self.namespace = namespace
        self.manager = manager
        self.controller: Controller | None = None

    async def create(self, obj: Obj) -> Obj:
        return await self.client.create(CLONESETS, obj, self.namespace)

    async def get(self, name: str) -> Obj:
        return await self.client.get(CLONESETS, name, self.namespace)

    async def patch(self, name: str, body: Obj) -> Obj:
        return await self.client.patch(CLONESETS, name, body, self.namespace)

    async def pods(self, name: str | None = None) -> list[Obj]:
        selector = None if name is None else f"app={name}"
        listed = await self.client.list(PODS, self.namespace, label_selector=selector)
        return sorted(listed.items, key=lambda p: p["metadata"]["name"])

    async def pod_count(self, name: str, count: int, within: float = 30.0) -> list[Obj]:
        """The live pods of CloneSet ``name`` once there are ``count`` of them."""

        async def check() -> list[Obj] | None:
            pods = live(await self.pods(name))
            return pods if len(pods) == count else None

        return await eventually(check, timeout=within, what=f"{count} pods of {name}")

    async def set_pod_status(
        self, pod_name: str, *, ready: bool = True, image: str | None = None
    ) -> Obj:
        """Play the kubelet: PodScheduled, Running, containers reporting their spec images,
        Ready as ``ready`` and the readiness gates allow."""
        for _ in range(50):
            pod = await self.client.get(PODS, pod_name, self.namespace)
            body = copy.deepcopy(pod)
            body["status"] = kubelet_status(body, ready=ready, image=image, keep_ready_time=False)
            try:
                return await self.client.update_status(PODS, body)
            except Conflict:
                await asyncio.sleep(0.05)
        pytest.fail(f"pod {pod_name} kept conflicting")

    async def all_ready(self, name: str, count: int, within: float = 30.0) -> list[Obj]:
        """Wait for ``count`` pods, mark each Running, and return once each is Ready: a pod
        whose readiness gate the controller sets after that report is reported again, as a
        kubelet does."""
        pods = await self.pod_count(name, count, within)
        for pod in pods:
            await self.set_pod_status(pod["metadata"]["name"])

        async def ready() -> bool:
            current = [await self.client.get(PODS, n, self.namespace) for n in names(pods)]
            for pod in current:
                if ready_lags_gates(pod):
                    await self.set_pod_status(pod["metadata"]["name"])
            return all(is_ready(p) for p in current)

        await eventually(ready, timeout=within, what=f"{count} pods of {name} ready")
        return pods


@contextlib.asynccontextmanager
async def running_harness(
    client: Client, namespace: str, options: CloneSetOptions | None = None
) -> AsyncIterator[Harness]:
    """A CloneSet controller with the manager flags ``options`` stand for, running until the
    block ends (the ``harness`` fixture is this with the defaults)."""
    manager = Manager(
        client,
        ManagerOptions(metrics_addr="0", health_probe_addr="0", namespace=namespace),
        registry=CollectorRegistry(),
    )
    harness = Harness(client, namespace, manager)
    harness.controller = await cloneset.setup(manager, options=options)
    assert harness.controller is not None
    stop = asyncio.Event()
    task = asyncio.create_task(manager.run(stop))
    try:
        yield harness
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)


async def set_image(harness: Harness, name: str, image: str) -> None:
    """Change the image of the first container of CloneSet ``name``'s template."""
    cs = await harness.get(name)
    containers = cs["spec"]["template"]["spec"]["containers"]
    containers[0]["image"] = image
    await harness.patch(name, {"spec": {"template": {"spec": {"containers": containers}}}})


async def play_kubelet(harness: Harness, name: str, stop: asyncio.Event) -> None:
    """Until ``stop``: bring every new pod to Running and Ready, and report images changed
    in place."""
    while not stop.is_set():
        for pod in live(await harness.pods(name)):
            statuses = pod["status"].get("containerStatuses") or []
            running = pod["status"].get("phase") == "Running"
            stale = statuses and statuses[0]["image"] != image_of(pod)
            if not running or stale or ready_lags_gates(pod):
                await harness.set_pod_status(pod["metadata"]["name"])
        await asyncio.sleep(0.1)
