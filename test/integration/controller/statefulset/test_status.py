"""Status: every field, written only when it changed, ``FailedCreatePod`` kept while pod
creation fails and gone once it succeeds; the scale subresource."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import CollectorRegistry
from support.pods import condition
from support.statefulset import Harness, defaulted_statefulset, kubelet

from kruise.apis.apps.v1beta1 import STATEFULSETS
from kruise.runtime.client import PODS


def _failed_create(status: dict[str, Any]) -> dict[str, Any] | None:
    return condition({"status": status}, "FailedCreatePod")


async def test_status_counts_revisions_and_selector(harness: Harness) -> None:
    async with kubelet(harness, "st"):
        await harness.create(defaulted_statefulset("st", 3, pod_management="Parallel"))
        sts = await harness.status("st", lambda s: s.get("availableReplicas") == 3)
    status = sts["status"]
    assert status["observedGeneration"] == sts["metadata"]["generation"]
    for field in (
        "replicas",
        "readyReplicas",
        "currentReplicas",
        "updatedReplicas",
        "updatedReadyReplicas",
    ):
        assert status[field] == 3, field
    assert status["currentRevision"] == status["updateRevision"]
    assert status["updateRevision"].startswith("st-")
    assert status["labelSelector"] == "app=st"
    assert status["collisionCount"] == 0
    [revision] = await harness.revisions("st")
    assert revision["metadata"]["name"] == status["updateRevision"]


def _puts(registry: CollectorRegistry) -> float:
    """PUT requests the client sent so far (status writes are PUTs)."""
    return sum(
        sample.value
        for metric in registry.collect()
        if metric.name == "rest_client_requests"
        for sample in metric.samples
        if sample.name == "rest_client_requests_total" and sample.labels.get("method") == "PUT"
    )


async def test_status_is_written_only_when_it_changes(
    harness: Harness, registry: CollectorRegistry
) -> None:
    async with kubelet(harness, "quiet"):
        await harness.create(defaulted_statefulset("quiet", 2, pod_management="Parallel"))
        await harness.status("quiet", lambda s: s.get("readyReplicas") == 2)
    await asyncio.sleep(1)
    before = (await harness.get("quiet"))["metadata"]["resourceVersion"]
    puts = _puts(registry)
    assert puts > 0
    # Pod changes wake the controller; nothing in the status changes.
    for i in range(3):
        await harness.client.patch(
            PODS, "quiet-0", {"metadata": {"annotations": {"poke": str(i)}}}, harness.namespace
        )
        await asyncio.sleep(0.3)
    await asyncio.sleep(1)
    assert (await harness.get("quiet"))["metadata"]["resourceVersion"] == before
    assert _puts(registry) == puts


async def test_failed_create_pod_stays_until_creation_succeeds(harness: Harness) -> None:
    sts = defaulted_statefulset("bad", 1)
    sts["spec"]["template"]["spec"]["containers"][0]["name"] = "Not_A_DNS_Label"
    await harness.create(sts)
    stored = await harness.status("bad", lambda s: _failed_create(s) is not None)
    first = _failed_create(stored["status"])
    assert first is not None
    assert first["status"] == "True"
    assert "Not_A_DNS_Label" in first["message"]
    await harness.wait_reason("bad", "FailedCreate")
    await asyncio.sleep(1.5)
    again = _failed_create((await harness.get("bad"))["status"])
    assert again is not None
    assert again["lastTransitionTime"] == first["lastTransitionTime"]
    containers = stored["spec"]["template"]["spec"]["containers"]
    containers[0]["name"] = "main"
    await harness.patch("bad", {"spec": {"template": {"spec": {"containers": containers}}}})
    await harness.wait_ordinals("bad", [0])
    await harness.status("bad", lambda s: _failed_create(s) is None)


async def test_the_scale_subresource_scales_the_pods(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("sc", 1, pod_management="Parallel"))
    await harness.wait_ordinals("sc", [0])
    await harness.status("sc", lambda s: s.get("replicas") == 1)
    await harness.scale("sc", 3)
    await harness.wait_ordinals("sc", [0, 1, 2])
    await harness.status("sc", lambda s: s.get("replicas") == 3)
    scale = await harness.client.get_scale(STATEFULSETS, "sc", harness.namespace)
    assert scale["spec"]["replicas"] == 3
    assert scale["status"]["replicas"] == 3
    assert scale["status"]["selector"] == "app=sc"
    await harness.scale("sc", 1)
    await harness.wait_ordinals("sc", [0])
