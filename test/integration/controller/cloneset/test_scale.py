"""Scaling a CloneSet against a real API server: ids and names, claims, named deletions,
slow start, scale-in order, and partition between revisions."""

from __future__ import annotations

from support.cloneset import Harness, defaulted_cloneset
from support.events import wait_for_event
from support.pods import condition, is_ready, live, names
from support.polling import eventually

from kruise.apis.apps.v1alpha1 import (
    CLONESET_INSTANCE_ID_LABEL,
    CONTROLLER_REVISION_HASH_LABEL,
    SPECIFIED_DELETE_LABEL,
)
from kruise.runtime.client import PERSISTENT_VOLUME_CLAIMS, PODS, Resource

RESOURCE_QUOTAS = Resource("", "v1", "resourcequotas", "ResourceQuota")


def with_claim(obj: dict, name: str = "data") -> dict:
    obj["spec"]["volumeClaimTemplates"] = [
        {
            "metadata": {"name": name, "labels": {"disk": "fast"}},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    ]
    return obj


async def test_pods_are_named_by_instance_id_and_owned(harness: Harness) -> None:
    cs = await harness.create(defaulted_cloneset("web", 3))
    pods = await harness.pod_count("web", 3)
    ids = set()
    for pod in pods:
        meta = pod["metadata"]
        id_ = meta["labels"][CLONESET_INSTANCE_ID_LABEL]
        ids.add(id_)
        assert meta["name"] == f"web-{id_}"
        assert meta["generateName"] == "web-"
        # Not Normal until scheduled (no kubelet or scheduler here: never).
        assert meta["labels"]["lifecycle.apps.kruise.io/state"] == "PreparingNormal"
        assert meta["labels"][CONTROLLER_REVISION_HASH_LABEL].startswith("web-")
        [ref] = meta["ownerReferences"]
        assert ref["uid"] == cs["metadata"]["uid"]
        assert ref["controller"] is True
        gates = [g["conditionType"] for g in pod["spec"]["readinessGates"]]
        assert gates == ["InPlaceUpdateReady"]
    assert len(ids) == 3


async def test_scale_in_removes_not_ready_pods_first(harness: Harness) -> None:
    await harness.create(defaulted_cloneset("web", 4))
    pods = await harness.pod_count("web", 4)
    ready = [p["metadata"]["name"] for p in pods[:2]]
    for name in ready:
        await harness.set_pod_status(name)
    await harness.patch("web", {"spec": {"replicas": 2}})
    left = await harness.pod_count("web", 2)
    assert names(left) == set(ready)


async def test_one_claim_per_pod_reused_when_someone_else_deletes_the_pod(
    harness: Harness,
) -> None:
    cs = await harness.create(with_claim(defaulted_cloneset("db", 2)))
    pods = await harness.pod_count("db", 2)
    claims = (await harness.client.list(PERSISTENT_VOLUME_CLAIMS, harness.namespace)).items
    assert len(claims) == 2
    for claim in claims:
        id_ = claim["metadata"]["labels"][CLONESET_INSTANCE_ID_LABEL]
        assert claim["metadata"]["name"] == f"data-db-{id_}"
        assert claim["metadata"]["labels"]["disk"] == "fast"
        assert claim["metadata"]["labels"]["app"] == "db"
        assert claim["metadata"]["ownerReferences"][0]["uid"] == cs["metadata"]["uid"]
    for pod in pods:
        id_ = pod["metadata"]["labels"][CLONESET_INSTANCE_ID_LABEL]
        [volume] = pod["spec"]["volumes"]
        assert volume == {"name": "data", "persistentVolumeClaim": {"claimName": f"data-db-{id_}"}}

    # Someone else deletes a pod: its replacement gets the same id and the same claim.
    victim = pods[0]["metadata"]
    await harness.client.delete(PODS, victim["name"], harness.namespace)

    async def replaced() -> list[dict] | None:
        now = await harness.pods("db")
        fresh = [p for p in now if p["metadata"]["uid"] != victim["uid"]]
        return now if len(now) == 2 and len(fresh) == 2 else None

    after = await eventually(replaced, what="the replacement pod")
    assert names(after) == names(pods)
    claims_after = (await harness.client.list(PERSISTENT_VOLUME_CLAIMS, harness.namespace)).items
    assert {c["metadata"]["uid"] for c in claims_after} == {c["metadata"]["uid"] for c in claims}


async def test_pods_to_delete_and_the_label_replace_pods_and_drop_their_claims(
    harness: Harness,
) -> None:
    await harness.create(with_claim(defaulted_cloneset("web", 3)))
    pods = await harness.all_ready("web", 3)
    first, second = pods[0]["metadata"]["name"], pods[1]["metadata"]["name"]
    await harness.patch("web", {"spec": {"scaleStrategy": {"podsToDelete": [first]}}})
    await harness.client.patch(
        PODS, second, {"metadata": {"labels": {SPECIFIED_DELETE_LABEL: "true"}}}, harness.namespace
    )

    async def replaced() -> list[dict] | None:
        now = await harness.pods("web")
        for pod in now:
            fresh = pod["metadata"]["name"] not in names(pods)
            if fresh and pod["status"].get("phase") != "Running":
                await harness.set_pod_status(pod["metadata"]["name"])
        current = names(now)
        return None if first in current or second in current or len(now) != 3 else now

    await eventually(replaced, what="both named pods replaced", timeout=60)
    # (Without a controller manager, deleted claims stay behind their protection finalizer.)
    claims = (await harness.client.list(PERSISTENT_VOLUME_CLAIMS, harness.namespace)).items
    live = [c for c in claims if not c["metadata"].get("deletionTimestamp")]
    ids = {c["metadata"]["labels"][CLONESET_INSTANCE_ID_LABEL] for c in live}
    assert len(live) == 3
    assert pods[0]["metadata"]["labels"][CLONESET_INSTANCE_ID_LABEL] not in ids
    assert pods[1]["metadata"]["labels"][CLONESET_INSTANCE_ID_LABEL] not in ids

    async def trimmed() -> bool:
        cs = await harness.get("web")
        return not cs["spec"].get("scaleStrategy", {}).get("podsToDelete")

    await eventually(trimmed, what="podsToDelete trimmed to live pods")
    for reason in ("SuccessfulCreate", "SuccessfulDelete"):
        await wait_for_event(harness.client, harness.namespace, "web", reason)


async def test_named_deletions_respect_max_unavailable(harness: Harness) -> None:
    """v0.7.0 deleted every named pod at once; we keep replicas - maxUnavailable ready."""
    await harness.create(defaulted_cloneset("web", 5, maxUnavailable=1))
    pods = await harness.all_ready("web", 5)
    doomed = [p["metadata"]["name"] for p in pods[:3]]
    await harness.patch("web", {"spec": {"scaleStrategy": {"podsToDelete": doomed}}})
    seen_min_ready = 5

    async def replaced() -> bool:
        """Play the kubelet for new pods, and count the fewest ready pods meanwhile."""
        nonlocal seen_min_ready
        now = live(await harness.pods("web"))
        ready = [p for p in now if is_ready(p)]
        seen_min_ready = min(seen_min_ready, len(ready))
        fresh = [p for p in now if p["metadata"]["name"] not in names(pods)]
        for pod in fresh:
            if pod["status"].get("phase") != "Running":
                await harness.set_pod_status(pod["metadata"]["name"])
        return len(fresh) == 3 and len(now) == 5 and len(ready) == 5

    await eventually(replaced, timeout=40, what="named pods all replaced")
    assert seen_min_ready >= 4


async def test_slow_start_stops_at_the_first_failing_batch(harness: Harness) -> None:
    quota = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "pods"},
        "spec": {"hard": {"pods": "4"}},
    }
    created = await harness.client.create(RESOURCE_QUOTAS, quota, harness.namespace)
    # No quota controller runs here: give the quota the status it would (admission then
    # counts each pod it admits).
    created["status"] = {"hard": {"pods": "4"}, "used": {"pods": "0"}}
    await harness.client.update_status(RESOURCE_QUOTAS, created)

    await harness.create(defaulted_cloneset("web", 10))

    async def failed() -> dict | None:
        cs = await harness.get("web")
        return cs if condition(cs, "FailedScale") else None

    cs = await eventually(failed, what="a FailedScale condition")
    assert "exceeded quota: pods" in condition(cs, "FailedScale")["message"]
    # Batches of 1 and 2 succeed; the batch of 4 meets the quota after one more pod and
    # no batch of 8 is tried, so at most 4 pods exist.
    pods = await harness.pods("web")
    assert 3 <= len(pods) <= 4
    await wait_for_event(harness.client, harness.namespace, "web", "FailedCreate")


async def test_a_malformed_int_or_percent_fails_both_phases(harness: Harness) -> None:
    # The schema admits any string; stored without the validating webhook, "five" cannot
    # be resolved, so neither phase runs and both say why. (A quoted number such as "5"
    # is read as 5 %, as OpenKruise read it: test_dropin_openkruise.py.)
    await harness.create(defaulted_cloneset("web", 2, maxSurge="five"))

    async def failed() -> dict | None:
        cs = await harness.get("web")
        both = condition(cs, "FailedScale") and condition(cs, "FailedUpdate")
        return cs if both else None

    cs = await eventually(failed, what="FailedScale and FailedUpdate conditions")
    assert "invalid int-or-percent 'five'" in condition(cs, "FailedScale")["message"]
    assert "invalid int-or-percent 'five'" in condition(cs, "FailedUpdate")["message"]
    assert await harness.pods("web") == []
