"""Advanced StatefulSet end to end: kruise-manager as its own process (under its
ServiceAccount), written to through both API versions, pods on kwok nodes, claims bound by
the local cluster's provisioner."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import pytest
from support.e2e_cloneset import E2E_INTERVAL, E2E_TIMEOUT
from support.e2e_statefulset import (
    VERSIONS,
    PodHistory,
    pods_of,
    reserve_annotation,
    settled,
    write_v1alpha1,
)
from support.kruise_env import KruiseEnv
from support.pods import live
from support.polling import eventually
from support.workloads import statefulset

from kruise.apis.apps import v1alpha1, v1beta1
from kruise.runtime.client import (
    CONTROLLER_REVISIONS,
    PERSISTENT_VOLUME_CLAIMS,
    PODS,
    Client,
    PatchType,
)

OLD, NEW = "nginx:1.25", "nginx:1.26"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"


async def until_settled(
    kube: Client, ns: str, name: str, ordinals: list[int], **kwargs: Any
) -> list[dict]:
    return await eventually(
        lambda: settled(kube, ns, name, ordinals, **kwargs),
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what=f"pods {ordinals} of {name}, Running, Ready and counted in its status",
    )


def uids(pods: list[dict]) -> dict[str, str]:
    return {p["metadata"]["name"]: p["metadata"]["uid"] for p in pods}


# ---- reserveOrdinals, the three steps of the release -------------------------------------


@pytest.mark.parametrize(
    ("version", "policy"), [("v1beta1", "OrderedReady"), ("v1alpha1", "Parallel")]
)
async def test_reserve_ordinals_steps_of_the_release(
    kube: Client, e2e_namespace: str, version: str, policy: str
) -> None:
    """replicas 4 with [1] runs 0, 2, 3, 4; adding 3 runs 0, 2, 4, 5; replicas 3 then runs
    0, 2, 4. Through v1alpha1 the list rides in the annotation, and a read-modify-write
    that only changes replicas keeps it."""
    ns, name = e2e_namespace, "web"
    obj = statefulset(name, 4, version=version, podManagementPolicy=policy)
    if version == "v1beta1":
        obj["spec"]["reserveOrdinals"] = [1]
    else:
        obj["metadata"]["annotations"] = reserve_annotation([1])
    async with PodHistory(kube, ns, name) as history:
        await kube.create(VERSIONS[version], obj, ns)
        first = await until_settled(kube, ns, name, [0, 2, 3, 4], version=version)
        for pod in first:
            assert pod["spec"]["hostname"] == pod["metadata"]["name"]
            assert pod["spec"]["subdomain"] == name

        if version == "v1beta1":
            body = {"spec": {"reserveOrdinals": [1, 3]}}
            await kube.patch(v1beta1.STATEFULSETS, name, body, ns)
        else:
            await write_v1alpha1(kube, ns, name, reserve=[1, 3])
        second = await until_settled(kube, ns, name, [0, 2, 4, 5], version=version)
        kept = {n: u for n, u in uids(first).items() if n != f"{name}-3"}
        assert {n: u for n, u in uids(second).items() if n != f"{name}-5"} == kept

        if version == "v1beta1":
            await kube.patch(v1beta1.STATEFULSETS, name, {"spec": {"replicas": 3}}, ns)
        else:
            await write_v1alpha1(kube, ns, name, replicas=3)
        third = await until_settled(kube, ns, name, [0, 2, 4], version=version)
        assert uids(third) == kept

    stored = await kube.get(v1beta1.STATEFULSETS, name, ns)
    assert stored["spec"]["reserveOrdinals"] == [1, 3]
    assert stored["spec"]["replicas"] == 3
    assert history.problems == []
    assert 1 not in history.ordinals_ever()  # never created, not even for a moment
    assert history.uids(f"{name}-3")[:1] == [uids(first)[f"{name}-3"]]
    assert len(history.uids(f"{name}-3")) == 1  # deleted, never recreated
    if policy == "OrderedReady":
        # The new pod is created and Ready before the reserved one is deleted.
        ready = history.first(f"{name}-5", ready=True)
        deleted = history.first(f"{name}-3", deleting=True)
        assert ready is not None
        assert deleted is not None
        assert ready < deleted


async def test_reserving_an_ordinal_while_scaling_in_only_deletes_that_pod(
    kube: Client, e2e_namespace: str
) -> None:
    """The release's third example taken literally, from 0, 2, 3, 4: reserving 3 and
    lowering replicas to 3 in one write deletes pod 3 and creates nothing."""
    ns, name = e2e_namespace, "web"
    obj = statefulset(name, 4, version="v1alpha1", podManagementPolicy="OrderedReady")
    obj["metadata"]["annotations"] = reserve_annotation([1])
    await kube.create(v1alpha1.STATEFULSETS, obj, ns)
    before = await until_settled(kube, ns, name, [0, 2, 3, 4], version="v1alpha1")
    async with PodHistory(kube, ns, name) as history:
        body = {"spec": {"replicas": 3, "reserveOrdinals": [1, 3]}}
        await kube.patch(v1beta1.STATEFULSETS, name, body, ns)
        after = await until_settled(kube, ns, name, [0, 2, 4])
    assert uids(after) == {n: u for n, u in uids(before).items() if n != f"{name}-3"}
    assert history.problems == []
    assert history.ordinals_ever() == {0, 2, 3, 4}


# ---- storage from the local provisioner, kept across an in-place update ------------------


async def test_claims_bound_by_the_provisioner_survive_an_in_place_update(
    kruise_env: KruiseEnv, kube: Client, e2e_namespace: str
) -> None:
    """Created through v1beta1 with whenScaled: Delete, updated in place through a v1alpha1
    read-modify-write (which must keep that policy), then scaled in through the scale
    subresource as kubectl scale does: the removed ordinal's claim goes, the others stay."""
    ns, name = e2e_namespace, "db"
    obj = statefulset(
        name,
        3,
        podManagementPolicy="Parallel",
        persistentVolumeClaimRetentionPolicy={"whenDeleted": "Retain", "whenScaled": "Delete"},
        updateStrategy={
            "type": "RollingUpdate",
            "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible", "maxUnavailable": 1},
        },
        volumeClaimTemplates=[
            {
                "metadata": {"name": "data"},
                "spec": {
                    # No storageClassName: the cluster's default class provisions them.
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            }
        ],
    )
    template = obj["spec"]["template"]["spec"]
    template["readinessGates"] = [{"conditionType": "InPlaceUpdateReady"}]
    template["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    await kube.create(v1beta1.STATEFULSETS, obj, ns)
    pods = await until_settled(kube, ns, name, [0, 1, 2], image=OLD)

    claims = {
        c["metadata"]["name"]: c for c in (await kube.list(PERSISTENT_VOLUME_CLAIMS, ns)).items
    }
    assert sorted(claims) == [f"data-{name}-{i}" for i in range(3)]
    for pod in pods:
        claim = claims[f"data-{pod['metadata']['name']}"]
        assert claim["status"]["phase"] == "Bound"
        volume = kruise_env.rest.get(f"/api/v1/persistentvolumes/{claim['spec']['volumeName']}")
        assert volume["metadata"]["annotations"][PROVISIONED_BY] == "rancher.io/local-path"
        assert volume["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
        [mounted] = [v for v in pod["spec"]["volumes"] if v["name"] == "data"]
        assert mounted["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]

    await write_v1alpha1(kube, ns, name, image=NEW)
    after = await until_settled(kube, ns, name, [0, 1, 2], image=NEW, version="v1alpha1")
    assert uids(after) == uids(pods)  # updated in place, not recreated
    claims_after = (await kube.list(PERSISTENT_VOLUME_CLAIMS, ns)).items
    assert {c["metadata"]["name"]: c["metadata"]["uid"] for c in claims_after} == {
        n: c["metadata"]["uid"] for n, c in claims.items()
    }
    assert all(c["status"]["phase"] == "Bound" for c in claims_after)
    assert all(not c["metadata"].get("deletionTimestamp") for c in claims_after)
    stored = await kube.get(v1beta1.STATEFULSETS, name, ns)
    assert stored["spec"]["persistentVolumeClaimRetentionPolicy"]["whenScaled"] == "Delete"

    scale = await kube.get_scale(v1alpha1.STATEFULSETS, name, ns)
    scale["spec"]["replicas"] = 2
    await kube.update_scale(v1alpha1.STATEFULSETS, scale)
    await until_settled(kube, ns, name, [0, 1], image=NEW)

    async def claim_2_gone() -> dict | None:
        listed = (await kube.list(PERSISTENT_VOLUME_CLAIMS, ns)).items
        kept = {c["metadata"]["name"]: c["metadata"]["uid"] for c in listed}
        return kept if f"data-{name}-2" not in kept else None

    kept = await eventually(
        claim_2_gone,
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        what="the scaled-in ordinal's claim deleted (whenScaled: Delete)",
    )
    assert kept == {n: c["metadata"]["uid"] for n, c in claims.items() if not n.endswith("-2")}


# ---- identity and ownership ------------------------------------------------------------


async def test_a_pod_whose_identity_drifted_is_repaired_in_place(
    kube: Client, e2e_namespace: str
) -> None:
    ns, name = e2e_namespace, "web"
    await kube.create(
        v1beta1.STATEFULSETS, statefulset(name, 2, podManagementPolicy="Parallel"), ns
    )
    [pod, _] = await until_settled(kube, ns, name, [0, 1])
    label = "statefulset.kubernetes.io~1pod-name"
    await kube.patch(
        PODS,
        f"{name}-0",
        [{"op": "remove", "path": f"/metadata/labels/{label}"}],
        ns,
        patch_type=PatchType.JSON,
    )

    async def repaired() -> dict | None:
        current = await kube.get(PODS, f"{name}-0", ns)
        labels = current["metadata"]["labels"]
        return current if labels.get("statefulset.kubernetes.io/pod-name") == f"{name}-0" else None

    fixed = await eventually(
        repaired, timeout=E2E_TIMEOUT, interval=E2E_INTERVAL, what="the pod-name label put back"
    )
    assert fixed["metadata"]["uid"] == pod["metadata"]["uid"]  # repaired, not recreated


async def test_an_orphaned_pod_and_revision_are_adopted_back(
    kube: Client, e2e_namespace: str
) -> None:
    """Their controller reference removed by hand (a JSON patch, which leaves the
    revision's data bytes alone), the set adopts both again: same pod, same revision."""
    ns, name = e2e_namespace, "web"
    created = await kube.create(
        v1beta1.STATEFULSETS, statefulset(name, 1, podManagementPolicy="Parallel"), ns
    )
    [pod] = await until_settled(kube, ns, name, [0])
    [revision] = (await kube.list(CONTROLLER_REVISIONS, ns)).items
    drop = [{"op": "remove", "path": "/metadata/ownerReferences"}]
    for resource, obj in ((PODS, pod), (CONTROLLER_REVISIONS, revision)):
        await kube.patch(resource, obj["metadata"]["name"], drop, ns, patch_type=PatchType.JSON)

    async def adopted() -> bool:
        for resource, obj in ((PODS, pod), (CONTROLLER_REVISIONS, revision)):
            current = await kube.get(resource, obj["metadata"]["name"], ns)
            assert current["metadata"]["uid"] == obj["metadata"]["uid"]
            refs = current["metadata"].get("ownerReferences") or []
            owners = [(r["uid"], r.get("controller")) for r in refs]
            assert owners == [(created["metadata"]["uid"], True)], (resource.kind, refs)
        return True

    await eventually(
        adopted,
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        retry_on=(AssertionError,),
        what="the pod and the revision adopted by their set",
    )


async def test_a_set_deleted_with_orphans_and_created_again_adopts_its_pods_and_revisions(
    kube: Client, e2e_namespace: str
) -> None:
    ns, name = e2e_namespace, "web"
    obj = statefulset(name, 2, podManagementPolicy="Parallel")
    first = await kube.create(v1beta1.STATEFULSETS, obj, ns)
    pods = await until_settled(kube, ns, name, [0, 1])
    await kube.delete(v1beta1.STATEFULSETS, name, ns, propagation_policy="Orphan")

    async def orphaned() -> bool:
        pods_now = await pods_of(kube, ns, name)
        revisions = (await kube.list(CONTROLLER_REVISIONS, ns)).items
        owned = {
            o["metadata"]["name"]: o["metadata"]["ownerReferences"]
            for o in [*pods_now, *revisions]
            if o["metadata"].get("ownerReferences")
        }
        sets = [s["metadata"] for s in (await kube.list(v1beta1.STATEFULSETS, ns)).items]
        # The garbage collector orphans with a strategic merge patch, which the API server
        # refuses for a revision whose data it would re-encode differently (data is
        # immutable): then the set keeps its orphan finalizer for ever.
        assert not sets, f"the set is still there: {sets}; owned: {owned}"
        assert not owned, f"still owned: {owned}"
        assert len(pods_now) == 2, pods_now
        assert revisions, "the revision was deleted, not orphaned"
        return True

    await eventually(
        orphaned,
        timeout=E2E_TIMEOUT,
        interval=E2E_INTERVAL,
        retry_on=(AssertionError,),
        what="the set gone, its pods and revisions orphaned",
    )
    second = await kube.create(v1beta1.STATEFULSETS, obj, ns)
    assert second["metadata"]["uid"] != first["metadata"]["uid"]
    adopted = await until_settled(kube, ns, name, [0, 1])
    assert uids(adopted) == uids(pods)  # the same pods, not new ones
    uid = second["metadata"]["uid"]
    for owned in [*adopted, *(await kube.list(CONTROLLER_REVISIONS, ns)).items]:
        [ref] = owned["metadata"]["ownerReferences"]
        assert (ref["uid"], ref["controller"]) == (uid, True), owned["metadata"]["name"]


# ---- the manager killed in the middle of an OrderedReady rollout --------------------------


@pytest.mark.timeout(600)
async def test_manager_killed_mid_ordered_rollout_finishes_it_one_ordinal_at_a_time(
    kruise_env: KruiseEnv, kube: Client, e2e_namespace: str
) -> None:
    """A recreate rollout of 5 pods; the manager is SIGKILLed as soon as the first old pod
    is being replaced and a new one finishes the rollout. A watch sees every pod event:
    never two pods of one ordinal, never more than one pod down, ordinals 4 to 0 in turn."""
    ns, name = e2e_namespace, "web"
    obj = statefulset(name, 5, podManagementPolicy="OrderedReady")
    await kube.create(v1beta1.STATEFULSETS, obj, ns)
    await until_settled(kube, ns, name, [0, 1, 2, 3, 4], image=OLD)

    async with PodHistory(kube, ns, name) as history:
        start = len(history.events)
        containers = [{"name": "main", "image": NEW}]
        body = {"spec": {"template": {"spec": {"containers": containers}}}}
        await kube.patch(v1beta1.STATEFULSETS, name, body, ns)

        def midway() -> bool:
            # The first old pod is being replaced: the manager has work in flight.
            return any(s.deleting or s.event == "DELETED" for s in history.events[start:])

        await eventually(midway, timeout=E2E_TIMEOUT, interval=0.05, what="the rollout to start")
        # In threads: the watch keeps reading while these block.
        leader = await asyncio.to_thread(kruise_env.leader)
        await asyncio.to_thread(kruise_env.kill, leader, signal.SIGKILL)
        at_kill = len(history.events)
        await asyncio.to_thread(kruise_env.ensure_replicas, 1)
        pods = await eventually(
            lambda: settled(kube, ns, name, [0, 1, 2, 3, 4], image=NEW),
            timeout=240,
            interval=E2E_INTERVAL,
            what="the rollout, finished by the restarted manager",
        )
        await asyncio.sleep(1)  # anything the manager still did would show up now

    sts = await kube.get(v1beta1.STATEFULSETS, name, ns)
    revision = sts["status"]["updateRevision"]
    assert sts["status"]["currentRevision"] == revision
    assert all(p["metadata"]["labels"]["controller-revision-hash"] == revision for p in pods)
    assert len(live(await pods_of(kube, ns, name))) == 5
    assert history.problems == []  # never two pods of one ordinal at once
    assert history.ordinals_ever() == {0, 1, 2, 3, 4}
    # Not finished when the manager died: the restarted one did the rest.
    updated_before_kill = {s.name for s in history.events[:at_kill] if s.revision == revision}
    assert len(updated_before_kill) < 5
    assert history.order_of_first(revision) == [f"{name}-{i}" for i in (4, 3, 2, 1, 0)]
    # Recreated one at a time: at most one pod down at any moment, before and after the kill.
    assert history.fewest_ready(since=start) >= 4
    for i in range(5):
        seen = [s for s in history.events if s.name == f"{name}-{i}"]
        assert len(history.uids(f"{name}-{i}")) == 2, seen  # the old pod, then one new one
