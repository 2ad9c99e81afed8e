"""``maxUnavailable`` of a Parallel Advanced StatefulSet against a real API server: every
change of every pod is watched while the update runs, and the unavailable pods never
exceed the limit (and reach it: the update does use its room)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from support.pods import is_ready, live
from support.statefulset import Harness, defaulted_statefulset, kubelet, play_kubelet, set_image

from kruise.runtime.client import PODS

Obj = dict[str, Any]


class Sampler:
    """Watches the pods of a set and keeps the most ordinals seen unavailable at once: no
    pod, a pod being deleted, or a pod not Ready."""

    def __init__(self, harness: Harness, name: str, replicas: int) -> None:
        self.harness = harness
        self.name = name
        self.expected = {f"{name}-{i}" for i in range(replicas)}
        self.pods: dict[str, Obj] = {}
        self.most = 0

    def unavailable(self) -> int:
        return sum(
            1
            for pod_name in self.expected
            if (pod := self.pods.get(pod_name)) is None
            or pod["metadata"].get("deletionTimestamp")
            or not is_ready(pod)
        )

    async def run(self) -> None:
        client, namespace = self.harness.client, self.harness.namespace
        selector = f"app={self.name}"
        listed = await client.list(PODS, namespace, label_selector=selector)
        self.pods = {p["metadata"]["name"]: p for p in listed.items}
        version = listed.resource_version
        while True:
            stream = client.watch(
                PODS, namespace, label_selector=selector, resource_version=version
            )
            async with stream as events:
                async for event_type, pod in events:
                    version = pod["metadata"]["resourceVersion"]
                    if event_type == "BOOKMARK":
                        continue
                    if event_type == "DELETED":
                        self.pods.pop(pod["metadata"]["name"], None)
                    else:
                        self.pods[pod["metadata"]["name"]] = pod
                    self.most = max(self.most, self.unavailable())


@contextlib.asynccontextmanager
async def sampling(harness: Harness, name: str, replicas: int) -> AsyncIterator[Sampler]:
    sampler = Sampler(harness, name, replicas)
    task = asyncio.create_task(sampler.run())
    try:
        await asyncio.sleep(0.5)  # listed and watching
        yield sampler
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.mark.parametrize("policy", ["ReCreate", "InPlaceIfPossible"])
async def test_max_unavailable_50_percent_in_parallel_is_never_exceeded(
    harness: Harness, policy: str
) -> None:
    sts = defaulted_statefulset(
        "web",
        7,
        pod_management="Parallel",
        rolling={"maxUnavailable": "50%", "podUpdatePolicy": policy},
    )
    sts["spec"]["template"]["spec"]["readinessGates"] = [{"conditionType": "InPlaceUpdateReady"}]
    await harness.create(sts)
    stop = asyncio.Event()
    task = asyncio.create_task(play_kubelet(harness, "web", stop))
    try:
        created = await harness.status("web", lambda s: s.get("readyReplicas") == 7, within=60)
    finally:
        stop.set()
        await task
    old = created["status"]["updateRevision"]
    async with sampling(harness, "web", 7) as sampler:
        assert sampler.unavailable() == 0
        await set_image(harness, "web", "nginx:2.0")
        async with kubelet(harness, "web"):
            await harness.status(
                "web",
                lambda s: (
                    s.get("updatedReplicas") == 7
                    and s.get("readyReplicas") == 7
                    and s.get("currentRevision") == s.get("updateRevision")
                    and s.get("updateRevision") != old
                ),
                within=90,
            )
    # 50 % of 7 rounds down to 3.
    assert sampler.most == 3
    pods = live(await harness.pods("web"))
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:2.0"}
