"""Pods and identity: names, hostname and subdomain, labels, claims before pods, Failed pods
recreated, drifted identity repaired, OrderedReady and Parallel pod management."""

from __future__ import annotations

import asyncio
from typing import Any

from support.pods import condition, live
from support.polling import eventually
from support.statefulset import Harness, defaulted_statefulset

from kruise.runtime.client import PERSISTENT_VOLUME_CLAIMS, PODS


async def test_parallel_creates_every_pod_with_its_identity(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("web", 3, pod_management="Parallel"))
    pods = await harness.wait_ordinals("web", [0, 1, 2])
    sts = await harness.get("web")
    owner_uid = sts["metadata"]["uid"]
    for pod in pods:
        name = pod["metadata"]["name"]
        ordinal = name.rsplit("-", 1)[1]
        labels = pod["metadata"]["labels"]
        assert labels["statefulset.kubernetes.io/pod-name"] == name
        assert labels["apps.kubernetes.io/pod-index"] == ordinal
        assert labels["controller-revision-hash"].startswith("web-")
        assert pod["spec"]["hostname"] == name
        assert pod["spec"]["subdomain"] == "web"
        [ref] = pod["metadata"]["ownerReferences"]
        assert ref["uid"] == owner_uid
        assert ref["controller"] is True
        assert (ref["apiVersion"], ref["kind"]) == ("apps.kruise.io/v1beta1", "StatefulSet")


async def test_ordered_ready_creates_one_pod_at_a_time(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("ord", 3))
    await harness.wait_ordinals("ord", [0])
    await asyncio.sleep(1)
    assert await harness.live_ordinals("ord") == [0]
    await harness.ready("ord", 0)
    await harness.wait_ordinals("ord", [0, 1])
    await harness.ready("ord", 1)
    await harness.wait_ordinals("ord", [0, 1, 2])


async def test_each_claim_template_gets_a_claim_before_the_pod(harness: Harness) -> None:
    sts = defaulted_statefulset("vol", 2, pod_management="Parallel", claims=["data", "logs"])
    await harness.create(sts)
    pods = await harness.wait_ordinals("vol", [0, 1])
    claims = {c["metadata"]["name"]: c for c in await harness.claims("vol")}
    assert sorted(claims) == ["data-vol-0", "data-vol-1", "logs-vol-0", "logs-vol-1"]
    for pod in pods:
        ordinal = pod["metadata"]["name"].rsplit("-", 1)[1]
        volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
        for template in ("data", "logs"):
            claim = claims[f"{template}-vol-{ordinal}"]
            assert (
                volumes[template]["persistentVolumeClaim"]["claimName"]
                == f"{template}-vol-{ordinal}"
            )
            assert int(claim["metadata"]["resourceVersion"]) < int(
                pod["metadata"]["resourceVersion"]
            )
            assert claim["metadata"]["labels"] == {"app": "vol"}
            # Retain (the default) leaves claims without owners.
            assert not claim["metadata"].get("ownerReferences")


async def test_a_claim_another_controller_owns_is_not_taken(harness: Harness) -> None:
    other = await harness.create(defaulted_statefulset("thief", 0, labels={"app": "thief"}))
    claim = {
        "metadata": {
            "name": "data-own-0",
            "ownerReferences": [
                {
                    "apiVersion": "apps.kruise.io/v1beta1",
                    "kind": "StatefulSet",
                    "name": "thief",
                    "uid": other["metadata"]["uid"],
                    "controller": True,
                }
            ],
        },
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    await harness.client.create(PERSISTENT_VOLUME_CLAIMS, claim, harness.namespace)
    await harness.create(defaulted_statefulset("own", 1, claims=["data"]))
    sts = await harness.status("own", lambda s: _failed_create(s) is not None)
    message = _failed_create(sts["status"])["message"]
    assert "data-own-0" in message
    assert "thief" in message
    assert await harness.live_ordinals("own") == []
    await harness.wait_reason("own", "FailedCreate")
    stored = await harness.client.get(PERSISTENT_VOLUME_CLAIMS, "data-own-0", harness.namespace)
    assert [r["name"] for r in stored["metadata"]["ownerReferences"]] == ["thief"]
    # Once the other owner lets it go, the pod is created and the condition clears.
    await harness.client.patch(
        PERSISTENT_VOLUME_CLAIMS,
        "data-own-0",
        {"metadata": {"ownerReferences": None}},
        harness.namespace,
    )
    await harness.wait_ordinals("own", [0])
    await harness.status("own", lambda s: _failed_create(s) is None)


async def test_a_failed_pod_is_recreated(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("fail", 2, pod_management="Parallel"))
    [_, old] = await harness.wait_ordinals("fail", [0, 1])
    await harness.set_pod_status("fail-1", ready=False, phase="Failed")

    async def recreated() -> bool:
        pods = live(await harness.pods("fail"))
        uids = {p["metadata"]["name"]: p["metadata"]["uid"] for p in pods}
        return "fail-1" in uids and uids["fail-1"] != old["metadata"]["uid"]

    await eventually(recreated, timeout=30, what="fail-1 recreated")
    event = await harness.wait_reason("fail", "RecreatingFailedPod")
    assert event["type"] == "Warning"
    assert "fail-1" in event["message"]
    await harness.wait_reason("fail", "SuccessfulDelete")


async def test_drifted_identity_is_repaired(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("drift", 1, pod_management="Parallel"))
    await harness.wait_ordinals("drift", [0])
    await harness.client.patch(
        PODS,
        "drift-0",
        {"metadata": {"labels": {"statefulset.kubernetes.io/pod-name": "someone-else"}}},
        harness.namespace,
    )

    async def repaired() -> bool:
        pod = await harness.pod("drift-0")
        return pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "drift-0"

    await eventually(repaired, timeout=30, what="drift-0 repaired")
    await harness.wait_reason("drift", "SuccessfulUpdate")


def _failed_create(status: dict[str, Any]) -> dict[str, Any] | None:
    return condition({"status": status}, "FailedCreatePod")
