"""What later OpenKruise and native StatefulSets added: ``ordinals.start``,
``scaleStrategy.maxUnavailable``, ``persistentVolumeClaimRetentionPolicy`` and the
``preDelete`` lifecycle hook."""

from __future__ import annotations

import asyncio

from support.pods import is_ready, live
from support.polling import eventually
from support.statefulset import Harness, defaulted_statefulset

from kruise.runtime.client import PERSISTENT_VOLUME_CLAIMS, PODS


async def test_ordinals_start_moves_the_range(harness: Harness) -> None:
    await harness.create(
        defaulted_statefulset("first", 3, pod_management="Parallel", ordinals={"start": 5})
    )
    await harness.wait_ordinals("first", [5, 6, 7])
    await harness.patch("first", {"spec": {"reserveOrdinals": [6]}})
    await harness.wait_ordinals("first", [5, 7, 8])
    await harness.patch("first", {"spec": {"ordinals": {"start": 0}, "reserveOrdinals": None}})
    await harness.wait_ordinals("first", [0, 1, 2])


async def test_scale_max_unavailable_bounds_unready_pods_in_a_parallel_scale_up(
    harness: Harness,
) -> None:
    await harness.create(
        defaulted_statefulset(
            "burst", 6, pod_management="Parallel", scaleStrategy={"maxUnavailable": 2}
        )
    )
    most_unready = 0
    while True:
        pods = live(await harness.pods("burst"))
        unready = [p for p in pods if not is_ready(p)]
        most_unready = max(most_unready, len(unready))
        if len(pods) == 6 and not unready:
            break
        if unready:
            # Let one pod become ready, then look again.
            await asyncio.sleep(0.5)
            pods = live(await harness.pods("burst"))
            most_unready = max(most_unready, sum(1 for p in pods if not is_ready(p)))
            await harness.set_pod_status(unready[0]["metadata"]["name"])
        await asyncio.sleep(0.2)
    assert most_unready == 2


async def _claim(harness: Harness, name: str) -> dict[str, object]:
    return await harness.client.get(PERSISTENT_VOLUME_CLAIMS, name, harness.namespace)


def _owners(claim: dict[str, object]) -> list[tuple[str, str, bool]]:
    meta = claim["metadata"]
    assert isinstance(meta, dict)
    return [
        (r["kind"], r["uid"], bool(r.get("controller"))) for r in meta.get("ownerReferences") or []
    ]


async def test_when_scaled_delete_hands_scaled_in_claims_to_their_pods(harness: Harness) -> None:
    policy = {"whenScaled": "Delete", "whenDeleted": "Retain"}
    await harness.create(
        defaulted_statefulset(
            "shrink",
            3,
            pod_management="Parallel",
            claims=["data"],
            persistentVolumeClaimRetentionPolicy=policy,
        )
    )
    pods = {p["metadata"]["name"]: p for p in await harness.wait_ordinals("shrink", [0, 1, 2])}
    for ordinal in (0, 1, 2):
        assert _owners(await _claim(harness, f"data-shrink-{ordinal}")) == []
    await harness.scale("shrink", 1)
    await harness.wait_ordinals("shrink", [0])
    # The garbage collector deletes a claim once the pod it belongs to is gone.
    for ordinal in (1, 2):
        claim = await _claim(harness, f"data-shrink-{ordinal}")
        uid = pods[f"shrink-{ordinal}"]["metadata"]["uid"]
        assert _owners(claim) == [("Pod", uid, True)]
    assert _owners(await _claim(harness, "data-shrink-0")) == []


async def test_when_deleted_delete_makes_the_set_own_its_claims(harness: Harness) -> None:
    policy = {"whenScaled": "Retain", "whenDeleted": "Delete"}
    sts = await harness.create(
        defaulted_statefulset(
            "gone",
            2,
            pod_management="Parallel",
            claims=["data"],
            persistentVolumeClaimRetentionPolicy=policy,
        )
    )
    await harness.wait_ordinals("gone", [0, 1])
    uid = sts["metadata"]["uid"]

    async def owned() -> bool:
        claims = [await _claim(harness, f"data-gone-{o}") for o in (0, 1)]
        return all(_owners(c) == [("StatefulSet", uid, True)] for c in claims)

    await eventually(owned, timeout=30, what="claims owned by the set")
    # Scaling in keeps the claim (whenScaled: Retain), still owned by the set.
    await harness.scale("gone", 1)
    await harness.wait_ordinals("gone", [0])
    assert _owners(await _claim(harness, "data-gone-1")) == [("StatefulSet", uid, True)]


async def test_retain_leaves_claims_alone(harness: Harness) -> None:
    await harness.create(
        defaulted_statefulset("keep", 2, pod_management="Parallel", claims=["data"])
    )
    await harness.wait_ordinals("keep", [0, 1])
    await harness.scale("keep", 0)
    await harness.wait_ordinals("keep", [])
    await harness.delete("keep")
    for ordinal in (0, 1):
        assert _owners(await _claim(harness, f"data-keep-{ordinal}")) == []


async def test_pre_delete_hook_holds_a_condemned_pod(harness: Harness) -> None:
    sts = defaulted_statefulset(
        "hook",
        2,
        pod_management="Parallel",
        lifecycle={"preDelete": {"labelsHandler": {"example.com/hold": "true"}}},
    )
    sts["spec"]["template"]["metadata"]["labels"]["example.com/hold"] = "true"
    await harness.create(sts)
    await harness.wait_ordinals("hook", [0, 1])
    await harness.scale("hook", 1)

    async def preparing() -> bool:
        pod = await harness.pod("hook-1")
        return pod["metadata"]["labels"].get("lifecycle.apps.kruise.io/state") == "PreparingDelete"

    await eventually(preparing, timeout=30, what="hook-1 PreparingDelete")
    await asyncio.sleep(1)
    assert await harness.live_ordinals("hook") == [0, 1]
    await harness.client.patch(
        PODS,
        "hook-1",
        {"metadata": {"labels": {"example.com/hold": None}}},
        harness.namespace,
    )
    await harness.wait_ordinals("hook", [0])
