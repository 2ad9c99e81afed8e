"""CloneSets on a real cluster, through a Client: their pods, an image change, a finished
rollout, and a watcher of pod counts; and how long the e2e tests wait for them."""

from __future__ import annotations

import asyncio
from typing import Any

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.runtime.client import PODS, Client
from support.pods import image_of, is_ready, live, status_image

Obj = dict[str, Any]
# Generous for a shared two-core machine: deadlines, not measurements.
E2E_TIMEOUT = 120.0
E2E_INTERVAL = 0.3


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
