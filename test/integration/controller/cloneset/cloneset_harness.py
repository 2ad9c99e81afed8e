"""Helpers for CloneSet tests: a CloneSet controller in this process, on the shared
control plane (etcd + kube-apiserver).

No kubelet runs here: tests play it, setting pod status with ``set_pod_status``. No
webhook runs either, so CloneSets are written with every field the defaulting webhook
would fill. The manager caches only the test's namespace, so tests do not see each other.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.runtime.client import EVENTS, PODS, Client, Conflict
from kruise.runtime.controller import Controller
from kruise.runtime.manager import Manager

ROOT = Path(__file__).resolve().parents[4]
Obj = dict[str, Any]
T = TypeVar("T")


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

    async def eventually(
        self, check: Callable[[], Awaitable[T | None]], what: str, within: float = 30.0
    ) -> T:
        deadline = time.monotonic() + within
        while True:
            result = await check()
            if result:
                return result
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {within:.0f}s waiting for {what}")
            await asyncio.sleep(0.1)

    async def pod_count(self, name: str, count: int, within: float = 30.0) -> list[Obj]:
        async def check() -> list[Obj] | None:
            pods = [p for p in await self.pods(name) if not p["metadata"].get("deletionTimestamp")]
            return pods if len(pods) == count else None

        return await self.eventually(check, f"{count} pods of {name}", within)

    async def set_pod_status(
        self, pod_name: str, *, ready: bool = True, image: str | None = None
    ) -> Obj:
        """Play the kubelet: Running, containers reporting their spec images, Ready as
        ``ready`` and the readiness gates allow."""
        for _ in range(50):
            pod = await self.client.get(PODS, pod_name, self.namespace)
            body = copy.deepcopy(pod)
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            containers = body["spec"]["containers"]
            statuses = [
                {
                    "name": c["name"],
                    "image": image or c["image"],
                    "imageID": f"docker-pullable://{image or c['image']}@sha256:1",
                    "ready": ready,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": now}},
                }
                for c in containers
            ]
            conditions = [
                c
                for c in body.get("status", {}).get("conditions", [])
                if c["type"] not in ("Ready", "ContainersReady")
            ]
            gates_ok = all(
                any(c["type"] == g["conditionType"] and c["status"] == "True" for c in conditions)
                for g in body["spec"].get("readinessGates", [])
            )
            flag = "True" if ready else "False"
            ready_flag = "True" if ready and gates_ok else "False"
            conditions += [
                {"type": "ContainersReady", "status": flag, "lastTransitionTime": now},
                {"type": "Ready", "status": ready_flag, "lastTransitionTime": now},
            ]
            body["status"] = {
                **body.get("status", {}),
                "phase": "Running",
                "conditions": conditions,
                "containerStatuses": statuses,
            }
            try:
                return await self.client.update_status(PODS, body)
            except Conflict:
                await asyncio.sleep(0.05)
        pytest.fail(f"pod {pod_name} kept conflicting")

    async def all_ready(self, name: str, count: int, within: float = 30.0) -> list[Obj]:
        """Wait for ``count`` pods and mark each Running and Ready."""
        pods = await self.pod_count(name, count, within)
        for pod in pods:
            await self.set_pod_status(pod["metadata"]["name"])
        return pods


def cloneset_obj(name: str, replicas: int, image: str = "nginx:1.0", **strategy: Any) -> Obj:
    """A CloneSet as the defaulting webhook would leave it."""
    update: Obj = {"type": "ReCreate", "partition": 0, "maxUnavailable": "20%", "maxSurge": 0}
    update.update(strategy)
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "CloneSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": image}]},
            },
            "updateStrategy": update,
            "revisionHistoryLimit": 10,
        },
    }


async def events_of(client: Client, namespace: str, name: str) -> list[Obj]:
    listed = await client.list(EVENTS, namespace)
    return [e for e in listed.items if e["involvedObject"].get("name") == name]


async def reasons_of(client: Client, namespace: str, name: str) -> set[str]:
    return {e["reason"] for e in await events_of(client, namespace, name)}


def condition(obj: Obj, cond_type: str) -> Obj | None:
    for cond in obj.get("status", {}).get("conditions", []):
        if cond["type"] == cond_type:
            return dict(cond)
    return None


def names(pods: list[Obj]) -> set[str]:
    return {p["metadata"]["name"] for p in pods}
