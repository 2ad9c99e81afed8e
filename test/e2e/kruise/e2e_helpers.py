"""Helpers for the CloneSet e2e tests: objects, polling, and a watcher of pod counts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.runtime.client import PODS, Client, Resource

Obj = dict[str, Any]
T = TypeVar("T")
PERSISTENT_VOLUMES = Resource("", "v1", "persistentvolumes", "PersistentVolume", namespaced=False)


async def eventually(
    check: Callable[[], Awaitable[T | None]], what: str, within: float = 120.0
) -> T:
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.0f}s waiting for {what}")
        await asyncio.sleep(0.3)


def cloneset(name: str, replicas: int, image: str = "nginx:1.25", **strategy: Any) -> Obj:
    """A CloneSet as a user writes it; the defaulting webhook fills the rest."""
    spec: Obj = {
        "replicas": replicas,
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "main", "image": image}]},
        },
    }
    if strategy:
        spec["updateStrategy"] = strategy
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "CloneSet",
        "metadata": {"name": name},
        "spec": spec,
    }


def image_of(pod: Obj) -> str:
    return str(pod["spec"]["containers"][0]["image"])


def status_image(pod: Obj) -> str | None:
    statuses = pod.get("status", {}).get("containerStatuses") or []
    return str(statuses[0].get("image")) if statuses else None


def is_ready(pod: Obj) -> bool:
    return any(
        c["type"] == "Ready" and c["status"] == "True"
        for c in pod.get("status", {}).get("conditions", [])
    )


def live(pods: list[Obj]) -> list[Obj]:
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")]


async def pods_of(client: Client, namespace: str, name: str) -> list[Obj]:
    listed = await client.list(PODS, namespace, label_selector=f"app={name}")
    return sorted(listed.items, key=lambda p: p["metadata"]["name"])


async def set_image(client: Client, namespace: str, name: str, image: str) -> None:
    cs = await client.get(CLONESETS, name, namespace)
    containers = cs["spec"]["template"]["spec"]["containers"]
    containers[0]["image"] = image
    body = {"spec": {"template": {"spec": {"containers": containers}}}}
    await client.patch(CLONESETS, name, body, namespace)


async def rolled_out(
    client: Client, namespace: str, name: str, replicas: int, image: str
) -> Obj | None:
    """The CloneSet once every pod runs ``image``, reported by its container status, and
    is ready; None before."""
    cs = await client.get(CLONESETS, name, namespace)
    status = cs.get("status", {})
    if status.get("observedGeneration") != cs["metadata"]["generation"]:
        return None
    if status.get("updatedReadyReplicas") != replicas or status.get("replicas") != replicas:
        return None
    pods = live(await pods_of(client, namespace, name))
    if len(pods) != replicas:
        return None
    if all(image_of(p) == image and status_image(p) == image and is_ready(p) for p in pods):
        return cs
    return None


class PodCounter:
    """Watches the live pods of a CloneSet in the background and keeps the maximum."""

    def __init__(self, client: Client, namespace: str, name: str) -> None:
        self.client, self.namespace, self.name = client, namespace, name
        self.most = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            pods = live(await pods_of(self.client, self.namespace, self.name))
            self.most = max(self.most, len(pods))
            await asyncio.sleep(0.1)

    def __enter__(self) -> PodCounter:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
