"""CloneSet end to end: kruise-manager as its own process (under its ServiceAccount),
webhooks reached over TLS, pods on kwok nodes."""

from __future__ import annotations

import asyncio
import signal

import pytest
from support.e2e_cloneset import (
    E2E_INTERVAL,
    E2E_TIMEOUT,
    PodCounter,
    pods_of,
    rolled_out,
    set_image,
)
from support.kruise_env import KruiseEnv
from support.pods import image_of, is_ready, live, status_image
from support.polling import eventually
from support.workloads import cloneset

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.runtime.client import PERSISTENT_VOLUME_CLAIMS, Client


async def test_scale_up_to_ten_then_down_to_three_with_pods_to_delete(
    kube: Client, e2e_namespace: str
) -> None:
    ns = e2e_namespace
    await kube.create(CLONESETS, cloneset("web", 0), ns)
    await kube.patch(CLONESETS, "web", {"spec": {"replicas": 10}}, ns)

    async def ten_ready() -> list | None:
        pods = live(await pods_of(kube, ns, "web"))
        return pods if len(pods) == 10 and all(is_ready(p) for p in pods) else None

    pods = await eventually(
        ten_ready, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what="10 ready pods"
    )
    doomed = [p["metadata"]["name"] for p in pods[:7]]
    keep = {p["metadata"]["name"] for p in pods[7:]}
    body = {"spec": {"replicas": 3, "scaleStrategy": {"podsToDelete": doomed}}}
    await kube.patch(CLONESETS, "web", body, ns)

    async def three_left() -> set | None:
        names = {p["metadata"]["name"] for p in await pods_of(kube, ns, "web")}
        return names if names == keep else None

    await eventually(
        three_left,
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="exactly the 3 pods not named for deletion",
    )

    async def trimmed() -> bool:
        cs = await kube.get(CLONESETS, "web", ns)
        return not cs["spec"].get("scaleStrategy", {}).get("podsToDelete")

    await eventually(
        trimmed,
        timeout=30,
        interval=E2E_INTERVAL,
        what="podsToDelete emptied once the pods are gone",
    )


async def test_recreate_rolling_update_with_max_surge(kube: Client, e2e_namespace: str) -> None:
    ns = e2e_namespace
    obj = cloneset(
        "web", 4, updateStrategy={"type": "ReCreate", "maxSurge": 1, "maxUnavailable": 0}
    )
    await kube.create(CLONESETS, obj, ns)
    await eventually(
        lambda: rolled_out(kube, ns, "web", 4, "nginx:1.25"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="4 ready pods",
    )
    before = {p["metadata"]["uid"] for p in await pods_of(kube, ns, "web")}
    with PodCounter(kube, ns, "web") as counter:
        await set_image(kube, ns, "web", "nginx:1.26")
        await eventually(
            lambda: rolled_out(kube, ns, "web", 4, "nginx:1.26"),
            timeout=E2E_TIMEOUT,
            interval=E2E_INTERVAL,
            what="the rollout",
        )
    after = {p["metadata"]["uid"] for p in live(await pods_of(kube, ns, "web"))}
    assert not before & after
    assert counter.most == 5  # the surge pod was used, never more


async def test_in_place_update_keeps_pods_and_their_claims(
    kube: Client, e2e_namespace: str
) -> None:
    ns = e2e_namespace
    obj = cloneset("db", 3, updateStrategy={"type": "InPlaceIfPossible", "maxUnavailable": 1})
    obj["spec"]["volumeClaimTemplates"] = [
        {
            "metadata": {"name": "data"},
            "spec": {
                # The cluster's default StorageClass provisions them, as kind's does.
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    ]
    await kube.create(CLONESETS, obj, ns)
    await eventually(
        lambda: rolled_out(kube, ns, "db", 3, "nginx:1.25"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="3 ready pods",
    )
    pods = await pods_of(kube, ns, "db")
    claims = (await kube.list(PERSISTENT_VOLUME_CLAIMS, ns)).items
    assert len(claims) == 3
    await set_image(kube, ns, "db", "nginx:1.26")
    await eventually(
        lambda: rolled_out(kube, ns, "db", 3, "nginx:1.26"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="the in-place rollout",
    )
    after = await pods_of(kube, ns, "db")
    assert [(p["metadata"]["name"], p["metadata"]["uid"]) for p in after] == [
        (p["metadata"]["name"], p["metadata"]["uid"]) for p in pods
    ]
    assert all(status_image(p) == "nginx:1.26" for p in after)
    claims_after = (await kube.list(PERSISTENT_VOLUME_CLAIMS, ns)).items
    assert {c["metadata"]["uid"] for c in claims_after} == {c["metadata"]["uid"] for c in claims}
    assert all(c["status"].get("phase") == "Bound" for c in claims_after)

    # Scale-in takes a pod's claim with it.
    await kube.patch(CLONESETS, "db", {"spec": {"replicas": 2}}, ns)

    async def one_claim_gone() -> bool:
        claims = (await kube.list(PERSISTENT_VOLUME_CLAIMS, ns)).items
        kept = [c for c in claims if not c["metadata"].get("deletionTimestamp")]
        return len(kept) == 2

    await eventually(
        one_claim_gone,
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="the removed pod's claim deleted",
    )


async def test_partition_of_80_percent_keeps_8_of_10_then_zero_finishes(
    kube: Client, e2e_namespace: str
) -> None:
    ns = e2e_namespace
    obj = cloneset(
        "web",
        10,
        updateStrategy={"type": "InPlaceIfPossible", "partition": "80%", "maxUnavailable": "50%"},
    )
    await kube.create(CLONESETS, obj, ns)
    await eventually(
        lambda: rolled_out(kube, ns, "web", 10, "nginx:1.25"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="10 ready pods",
    )
    await set_image(kube, ns, "web", "nginx:1.26")

    async def two_updated() -> dict | None:
        cs = await kube.get(CLONESETS, "web", ns)
        return cs if cs.get("status", {}).get("updatedReadyReplicas") == 2 else None

    await eventually(two_updated, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what="2 updated pods")
    await asyncio.sleep(3)  # a controller that ignored the partition would go on
    images = sorted(image_of(p) for p in await pods_of(kube, ns, "web"))
    assert images == ["nginx:1.25"] * 8 + ["nginx:1.26"] * 2
    await kube.patch(CLONESETS, "web", {"spec": {"updateStrategy": {"partition": 0}}}, ns)
    await eventually(
        lambda: rolled_out(kube, ns, "web", 10, "nginx:1.26"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="the full rollout",
    )


async def test_pause_and_resume(kube: Client, e2e_namespace: str) -> None:
    ns = e2e_namespace
    obj = cloneset(
        "web", 3, updateStrategy={"type": "InPlaceIfPossible", "maxUnavailable": 1, "paused": True}
    )
    await kube.create(CLONESETS, obj, ns)
    await eventually(
        lambda: rolled_out(kube, ns, "web", 3, "nginx:1.25"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="3 ready pods",
    )
    await set_image(kube, ns, "web", "nginx:1.26")
    await asyncio.sleep(3)
    assert all(image_of(p) == "nginx:1.25" for p in await pods_of(kube, ns, "web"))
    cs = await kube.get(CLONESETS, "web", ns)
    assert cs["status"]["updatedReplicas"] == 0
    await kube.patch(CLONESETS, "web", {"spec": {"updateStrategy": {"paused": False}}}, ns)
    await eventually(
        lambda: rolled_out(kube, ns, "web", 3, "nginx:1.26"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="the resumed rollout",
    )


@pytest.mark.timeout(600)
async def test_manager_killed_mid_rollout_and_restarted_finishes_it(
    kruise_env: KruiseEnv, kube: Client, e2e_namespace: str
) -> None:
    ns = e2e_namespace
    obj = cloneset(
        "web", 6, updateStrategy={"type": "ReCreate", "maxSurge": 2, "maxUnavailable": 0}
    )
    await kube.create(CLONESETS, obj, ns)
    await eventually(
        lambda: rolled_out(kube, ns, "web", 6, "nginx:1.25"),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="6 ready pods",
    )
    with PodCounter(kube, ns, "web") as counter:
        await set_image(kube, ns, "web", "nginx:1.26")

        async def midway() -> bool:
            pods = live(await pods_of(kube, ns, "web"))
            return any(image_of(p) == "nginx:1.26" for p in pods)

        await eventually(
            midway, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what="the rollout to start"
        )
        kruise_env.kill(kruise_env.leader(), signal.SIGKILL)
        kruise_env.ensure_replicas(1)
        await eventually(
            lambda: rolled_out(kube, ns, "web", 6, "nginx:1.26"),
            timeout=240,
            interval=E2E_INTERVAL,
            what="the rollout",
        )
    assert counter.most <= 8
