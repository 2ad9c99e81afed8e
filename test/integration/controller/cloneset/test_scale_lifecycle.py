"""Scaling with OpenKruise v1.x's lifecycle and scale strategy, against a real API server:
the preNormal hook and PreparingNormal, scaleStrategy.maxUnavailable, disablePVCReuse,
scalingExcludePreparingDelete (label and manager flag) and PreparingUpdateAsUpdate.

Each test follows one of OpenKruise v1.9's e2e specs of test/e2e/apps/v1alpha1/cloneset.go
(named in its docstring), with the test playing the kubelet.
"""

from __future__ import annotations

from typing import Any

import pytest
from support.cloneset import (
    Harness,
    defaulted_cloneset,
    running_harness,
    set_image,
)
from support.events import events_about
from support.pods import is_ready, live, names
from support.polling import eventually

from kruise.apis.apps.v1alpha1 import (
    CLONESET_INSTANCE_ID_LABEL,
    CONTROLLER_REVISION_HASH_LABEL,
)
from kruise.controller.cloneset import CloneSetOptions
from kruise.runtime.client import PERSISTENT_VOLUME_CLAIMS, PODS, Client
from kruise.runtime.envtest import ControlPlane
from kruise.util.features import parse_feature_gates

Obj = dict[str, Any]
STATE = "lifecycle.apps.kruise.io/state"
EXCLUDE = "apps.kruise.io/cloneset-scaling-exclude-preparing-delete"
HOLD = "example.com/hold"
WARM = "example.com/warm"
READY_FINALIZER = "example.com/ready"


def state(pod: Obj) -> str:
    return str(pod["metadata"]["labels"].get(STATE))


def id_of(obj: Obj) -> str:
    return str(obj["metadata"]["labels"][CLONESET_INSTANCE_ID_LABEL])


async def pod(harness: Harness, name: str) -> Obj:
    return await harness.client.get(PODS, name, harness.namespace)


async def patch_pod(harness: Harness, name: str, metadata: Obj) -> None:
    await harness.client.patch(PODS, name, {"metadata": metadata}, harness.namespace)


async def make_ready(harness: Harness, name: str) -> Obj:
    """Play the kubelet until the pod is Ready (its InPlaceUpdateReady gate is set by the
    controller, maybe after the first report)."""

    async def check() -> Obj | None:
        reported = await harness.set_pod_status(name)
        return reported if is_ready(reported) else None

    return await eventually(check, what=f"pod {name} ready")


async def in_state(harness: Harness, name: str, wanted: str) -> Obj:
    async def check() -> Obj | None:
        found = await pod(harness, name)
        return found if state(found) == wanted else None

    return await eventually(check, what=f"pod {name} in {wanted}")


async def settled(harness: Harness, name: str) -> Obj:
    """The CloneSet once a full reconcile of its latest spec wrote status (reconciles that
    wait for expectations write none)."""

    async def check() -> Obj | None:
        cs = await harness.get(name)
        seen = cs.get("status", {}).get("observedGeneration")
        return cs if seen == cs["metadata"]["generation"] else None

    return await eventually(check, what=f"{name} to observe its latest generation")


async def at_least(harness: Harness, name: str, count: int) -> list[Obj]:
    """The live pods of ``name`` once there are ``count`` or more."""

    async def check() -> list[Obj] | None:
        pods = live(await harness.pods(name))
        return pods if len(pods) >= count else None

    return await eventually(check, what=f"{count} or more pods of {name}")


# --- preNormal ---------------------------------------------------------------------------


async def test_a_new_pod_stays_preparing_normal_until_it_carries_the_pre_normal_hook(
    harness: Harness,
) -> None:
    """e2e: "creates with lifecycle preNormal finalizer"."""
    obj = defaulted_cloneset("web", 1)
    obj["spec"]["lifecycle"] = {"preNormal": {"finalizersHandler": [READY_FINALIZER]}}
    await harness.create(obj)
    [created] = await harness.pod_count("web", 1)
    name = created["metadata"]["name"]
    assert state(created) == "PreparingNormal"
    await make_ready(harness, name)

    async def ready_seen() -> bool:
        return (await harness.get("web")).get("status", {}).get("readyReplicas") == 1

    # The reconcile that counted the pod ready also decided its state: still held.
    await eventually(ready_seen, what="readyReplicas 1")
    assert state(await pod(harness, name)) == "PreparingNormal"

    await patch_pod(harness, name, {"finalizers": [READY_FINALIZER]})
    await in_state(harness, name, "Normal")
    await patch_pod(harness, name, {"finalizers": None})


async def test_without_pre_normal_a_new_pod_becomes_normal_once_scheduled(
    harness: Harness,
) -> None:
    """e2e: "creates with unschedulable scheduler"."""
    await harness.create(defaulted_cloneset("web", 1))
    [created] = await harness.pod_count("web", 1)
    name = created["metadata"]["name"]

    async def counted() -> bool:
        return (await harness.get("web")).get("status", {}).get("replicas") == 1

    await eventually(counted, what="status.replicas 1")
    assert state(await pod(harness, name)) == "PreparingNormal"  # not scheduled: held
    await harness.set_pod_status(name, ready=False)  # the kubelet reports it scheduled
    await in_state(harness, name, "Normal")


async def test_a_cancelled_deletion_goes_back_through_preparing_normal(harness: Harness) -> None:
    """A pod held in PreparingDelete by a scale-in that replicas no longer need moves to
    PreparingNormal, where the preNormal hook holds it again."""
    obj = defaulted_cloneset("web", 3)
    obj["spec"]["template"]["metadata"]["labels"].update({HOLD: "true", WARM: "true"})
    obj["spec"]["lifecycle"] = {
        "preDelete": {"labelsHandler": {HOLD: "true"}},
        "preNormal": {"labelsHandler": {WARM: "true"}},
    }
    await harness.create(obj)
    pods = await harness.pod_count("web", 3)
    for each in pods:
        await in_state(harness, each["metadata"]["name"], "Normal")
    await harness.patch("web", {"spec": {"replicas": 2}})

    async def held() -> Obj | None:
        found = [p for p in await harness.pods("web") if state(p) == "PreparingDelete"]
        return found[0] if found else None

    name = (await eventually(held, what="a pod in PreparingDelete"))["metadata"]["name"]
    await patch_pod(harness, name, {"labels": {WARM: None}})
    await harness.patch("web", {"spec": {"replicas": 3}})
    await in_state(harness, name, "PreparingNormal")
    await settled(harness, "web")
    assert len(live(await harness.pods("web"))) == 3  # kept, not replaced
    assert state(await pod(harness, name)) == "PreparingNormal"
    await patch_pod(harness, name, {"labels": {WARM: "true"}})
    await in_state(harness, name, "Normal")


# --- scaleStrategy.maxUnavailable ----------------------------------------------------------


async def test_scale_max_unavailable_creates_pods_as_others_become_available(
    harness: Harness,
) -> None:
    """e2e: "scales with minReadySeconds and scaleStrategy" (limit 2 of 5 here)."""
    obj = defaulted_cloneset("web", 5)
    obj["spec"]["scaleStrategy"] = {"maxUnavailable": 2}
    await harness.create(obj)

    async def limited() -> bool:
        return any(
            e["reason"] == "ScaleUpLimited" and e["message"].endswith("limit: 0")
            for e in await events_about(harness.client, harness.namespace, "web")
        )

    await eventually(limited, what="a ScaleUpLimited event with nothing left to create")
    assert len(live(await harness.pods("web"))) == 2
    for count in (3, 4, 5):
        pods = live(await harness.pods("web"))
        unready = sorted(names(p for p in pods if not is_ready(p)))
        assert len(unready) == 2, (count, unready)
        await make_ready(harness, unready[0])
        pods = await at_least(harness, "web", count)
        assert len(pods) == count  # one pod available: one more created, no more
    for name in names(live(await harness.pods("web"))):
        await make_ready(harness, name)


# --- disablePVCReuse ---------------------------------------------------------------------


async def test_disable_pvc_reuse_gives_a_recreated_pod_new_claims(harness: Harness) -> None:
    """e2e: "CloneSet Update with DisablePVCReuse=true" (the reusing half is
    test_scale.py::test_one_claim_per_pod_reused_when_someone_else_deletes_the_pod)."""
    obj = defaulted_cloneset("db", 2)
    obj["spec"]["scaleStrategy"] = {"disablePVCReuse": True}
    obj["spec"]["volumeClaimTemplates"] = [
        {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    ]
    await harness.create(obj)
    pods = await harness.pod_count("db", 2)
    victim = pods[0]["metadata"]
    await harness.client.delete(PODS, victim["name"], harness.namespace)

    async def replaced() -> list[Obj] | None:
        now = live(await harness.pods("db"))
        fresh = [p for p in now if p["metadata"]["uid"] != victim["uid"]]
        return now if len(now) == 2 and len(fresh) == 2 else None

    after = await eventually(replaced, what="the replacement pod")
    victim_id = victim["labels"][CLONESET_INSTANCE_ID_LABEL]
    assert victim_id not in {id_of(p) for p in after}

    async def claims_follow_pods() -> list[Obj] | None:
        listed = await harness.client.list(PERSISTENT_VOLUME_CLAIMS, harness.namespace)
        claims = [c for c in listed.items if not c["metadata"].get("deletionTimestamp")]
        return claims if {id_of(c) for c in claims} == {id_of(p) for p in after} else None

    claims = await eventually(claims_follow_pods, what="one live claim per live pod")
    assert f"data-db-{victim_id}" not in {c["metadata"]["name"] for c in claims}


# --- scalingExcludePreparingDelete -------------------------------------------------------


async def hold_one_then_scale_back(
    harness: Harness, labels: dict[str, str] | None
) -> tuple[list[Obj], str]:
    """3 pods with a preDelete hook; scale to 2 naming one, which the hook holds in
    PreparingDelete; then back to 3. Returns the first pods and the held one's name."""
    obj = defaulted_cloneset("web", 3)
    obj["spec"]["template"]["metadata"]["labels"][HOLD] = "true"
    obj["spec"]["lifecycle"] = {"preDelete": {"labelsHandler": {HOLD: "true"}}}
    if labels:
        obj["metadata"]["labels"] = labels
    await harness.create(obj)
    pods = await harness.pod_count("web", 3)
    held = pods[0]["metadata"]["name"]
    await harness.patch("web", {"spec": {"replicas": 2, "scaleStrategy": {"podsToDelete": [held]}}})
    await in_state(harness, held, "PreparingDelete")
    await harness.patch("web", {"spec": {"replicas": 3}})
    return pods, held


async def release_and_check(harness: Harness, first: list[Obj], held: str) -> None:
    """Release the held pod: it goes, and 3 pods remain, 2 of them from the start."""
    await patch_pod(harness, held, {"labels": {HOLD: None}})

    async def gone() -> list[Obj] | None:
        now = live(await harness.pods("web"))
        return now if held not in names(now) and len(now) == 3 else None

    after = await eventually(gone, what="the held pod deleted, 3 pods left")
    assert len(names(after) & names(first)) == 2


async def test_a_held_pod_is_replaced_only_after_it_goes(harness: Harness) -> None:
    """e2e: "specific delete a Pod, when scalingExcludePreparingDelete is disabled"."""
    first, held = await hold_one_then_scale_back(harness, None)
    await settled(harness, "web")
    assert len(live(await harness.pods("web"))) == 3
    assert state(await pod(harness, held)) == "PreparingDelete"
    await release_and_check(harness, first, held)


@pytest.mark.parametrize("how", ["label", "flag"])
async def test_excluding_preparing_delete_replaces_a_held_pod_at_once(
    kruise_crds: ControlPlane, client: Client, namespace: str, how: str
) -> None:
    """e2e: "specific scale down with lifecycle and then scale up, when
    scalingExcludePreparingDelete is enabled" (the label), and the manager's flag."""
    options = CloneSetOptions(scaling_exclude_preparing_delete=how == "flag")
    labels = {EXCLUDE: "true"} if how == "label" else None
    async with running_harness(client, namespace, options) as harness:
        first, held = await hold_one_then_scale_back(harness, labels)
        pods = await at_least(harness, "web", 4)
        assert held in names(pods)
        assert state(await pod(harness, held)) == "PreparingDelete"
        await release_and_check(harness, first, held)


# --- PreparingUpdateAsUpdate -------------------------------------------------------------


@pytest.mark.parametrize("gate", [True, False], ids=["gate-on", "gate-off"])
async def test_pods_added_while_one_waits_in_preparing_update_keep_the_old_revision(
    kruise_crds: ControlPlane, client: Client, namespace: str, gate: bool
) -> None:
    """e2e: "CloneSet regard preparing-update pod as update when scaling" (run with
    AllAlpha=true there). Without the gate, the held pod counts as old, so the partition
    looks satisfied and a recreated pod comes at the new revision."""
    gates = parse_feature_gates(f"PreparingUpdateAsUpdate={str(gate).lower()}")
    async with running_harness(client, namespace, CloneSetOptions(features=gates)) as harness:
        obj = defaulted_cloneset(
            "web", 2, type="InPlaceIfPossible", maxUnavailable="50%", partition="99%"
        )
        obj["spec"]["template"]["metadata"]["labels"][HOLD] = "true"
        obj["spec"]["lifecycle"] = {"inPlaceUpdate": {"labelsHandler": {HOLD: "true"}}}
        await harness.create(obj)
        for each in await harness.pod_count("web", 2):
            await make_ready(harness, each["metadata"]["name"])
            await in_state(harness, each["metadata"]["name"], "Normal")
        old_revision = (await settled(harness, "web"))["status"]["updateRevision"]
        await set_image(harness, "web", "nginx:2.0")

        async def preparing() -> list[Obj] | None:
            pods = await harness.pods("web")
            found = [p for p in pods if state(p) == "PreparingUpdate"]
            return pods if len(found) == 1 else None

        pods = await eventually(preparing, what="one pod held in PreparingUpdate")
        other = next(p for p in pods if state(p) != "PreparingUpdate")
        await harness.client.delete(PODS, other["metadata"]["name"], harness.namespace)

        async def recreated() -> Obj | None:
            now = live(await harness.pods("web"))
            fresh = [p for p in now if p["metadata"]["name"] not in names(pods)]
            return fresh[0] if len(now) == 2 and fresh else None

        fresh = await eventually(recreated, what="the deleted pod recreated")
        new_revision = (await harness.get("web"))["status"]["updateRevision"]
        assert new_revision != old_revision
        expected = old_revision if gate else new_revision
        assert fresh["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL] == expected
