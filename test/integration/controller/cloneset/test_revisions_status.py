"""Revisions, status and ownership of a CloneSet against a real API server."""

from __future__ import annotations

import asyncio
from typing import Any

from support.cloneset import Harness, defaulted_cloneset, set_image
from support.pods import names
from support.polling import eventually

from kruise.apis.apps.v1alpha1 import CLONESETS, CONTROLLER_REVISION_HASH_LABEL
from kruise.runtime.client import CONTROLLER_REVISIONS, PODS
from kruise.util.revision import (
    CLAIM_TEMPLATES_HASH_ANNOTATION,
    claim_templates_hash,
    hash_revision,
    revision_data,
    revision_name,
)

Obj = dict[str, Any]


async def revisions(harness: Harness) -> list[Obj]:
    listed = await harness.client.list(CONTROLLER_REVISIONS, harness.namespace)
    return sorted(listed.items, key=lambda r: r["revision"])


async def test_revision_names_data_and_owner(harness: Harness) -> None:
    cs = await harness.create(defaulted_cloneset("web", 1))
    await harness.pod_count("web", 1)
    [revision] = await revisions(harness)
    assert revision["metadata"]["name"] == revision_name("web", hash_revision(revision_data(cs), 0))
    assert revision["data"] == revision_data(cs)
    assert revision["revision"] == 1
    assert revision["metadata"]["ownerReferences"][0]["uid"] == cs["metadata"]["uid"]
    assert revision["metadata"]["labels"]["app"] == "web"


async def test_rollback_reuses_the_older_revision_and_history_is_trimmed(
    harness: Harness,
) -> None:
    obj = defaulted_cloneset("web", 1, type="InPlaceIfPossible")
    obj["spec"]["revisionHistoryLimit"] = 1
    await harness.create(obj)
    await harness.all_ready("web", 1)
    first = (await revisions(harness))[0]["metadata"]["name"]

    async def revision_count(count: int) -> list[Obj] | None:
        found = await revisions(harness)
        return found if len(found) == count else None

    for image in ("nginx:2.0", "nginx:3.0"):
        await set_image(harness, "web", image)

        async def on_image(image: str = image) -> bool:
            [now] = await harness.pods("web")
            if now["spec"]["containers"][0]["image"] != image:
                return False
            await harness.set_pod_status(now["metadata"]["name"])
            return True

        await eventually(on_image, what=f"the pod on {image}")
    # Three templates, limit 1: the oldest non-live revision is gone.
    found = await eventually(lambda: revision_count(2), what="history trimmed to 2")
    assert first not in {r["metadata"]["name"] for r in found}

    await set_image(harness, "web", "nginx:2.0")

    async def rolled_back() -> Obj | None:
        cs = await harness.get("web")
        if cs["status"].get("observedGeneration") != cs["metadata"]["generation"]:
            return None  # the status still describes the template before the rollback
        latest = (await revisions(harness))[-1]
        return latest if cs["status"].get("updateRevision") == latest["metadata"]["name"] else None

    latest = await eventually(rolled_back, what="the rollback revision")
    two = [
        r for r in await revisions(harness) if r["metadata"]["name"] == latest["metadata"]["name"]
    ]
    assert len(two) == 1
    assert latest["revision"] == 4  # renumbered, not re-created
    assert latest["data"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:2.0"


def claims(storage: str) -> list[Obj]:
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}}
    return [{"metadata": {"name": "data"}, "spec": spec}]


async def test_a_rollback_takes_the_current_claim_templates_hash(harness: Harness) -> None:
    """Issue 14: as OpenKruise, a revision reused by a rollback gets the claim templates'
    hash of the CloneSet as it is now, which may differ from when it was made."""
    obj = defaulted_cloneset("web", 0)
    obj["spec"]["volumeClaimTemplates"] = claims("1Gi")
    await harness.create(obj)

    async def update_revision(number: int) -> Obj | None:
        cs = await harness.get("web")
        found = await revisions(harness)
        latest = found[-1] if found else None
        if latest is None or latest["revision"] != number:
            return None
        status = cs.get("status") or {}
        return latest if status.get("updateRevision") == latest["metadata"]["name"] else None

    first = await eventually(lambda: update_revision(1), what="the first revision")
    await set_image(harness, "web", "nginx:2.0")
    await eventually(lambda: update_revision(2), what="the second revision")

    cs = await harness.get("web")
    containers = cs["spec"]["template"]["spec"]["containers"]
    containers[0]["image"] = "nginx:1.0"
    template = {"spec": {"containers": containers}}
    await harness.patch(
        "web", {"spec": {"template": template, "volumeClaimTemplates": claims("2Gi")}}
    )
    rolled_back = await eventually(lambda: update_revision(3), what="the rollback revision")

    assert rolled_back["metadata"]["name"] == first["metadata"]["name"]
    hashes = (first, rolled_back)
    assert [r["metadata"]["annotations"][CLAIM_TEMPLATES_HASH_ANNOTATION] for r in hashes] == [
        claim_templates_hash(claims("1Gi")),
        claim_templates_hash(claims("2Gi")),
    ]


async def test_status_counts_and_scale_subresource(harness: Harness) -> None:
    await harness.create(defaulted_cloneset("web", 2))
    pods = await harness.pod_count("web", 2)
    await harness.set_pod_status(pods[0]["metadata"]["name"])

    async def counted() -> Obj | None:
        cs = await harness.get("web")
        status = cs.get("status", {})
        return cs if status.get("readyReplicas") == 1 and status.get("replicas") == 2 else None

    cs = await eventually(counted, what="status counts")
    status = cs["status"]
    assert status["labelSelector"] == "app=web"
    assert status["updatedReplicas"] == 2
    assert status["updatedReadyReplicas"] == 1
    assert status["availableReplicas"] == 1
    assert status["observedGeneration"] == cs["metadata"]["generation"]
    assert status["updateRevision"] == status["currentRevision"]
    assert status["collisionCount"] == 0

    scale = await harness.client.get_scale(CLONESETS, "web", harness.namespace)
    assert scale["status"]["selector"] == "app=web"
    assert scale["status"]["replicas"] == 2
    scale["spec"]["replicas"] = 4
    await harness.client.update_scale(CLONESETS, scale)
    await harness.pod_count("web", 4)


async def test_a_settled_cloneset_is_not_written_again(harness: Harness) -> None:
    await harness.create(defaulted_cloneset("web", 2))
    await harness.all_ready("web", 2)

    async def settled() -> Obj | None:
        cs = await harness.get("web")
        return cs if cs.get("status", {}).get("readyReplicas") == 2 else None

    cs = await eventually(settled, what="2 ready replicas")
    await asyncio.sleep(1.5)
    again = await harness.get("web")
    assert again["metadata"]["resourceVersion"] == cs["metadata"]["resourceVersion"]


async def test_min_ready_seconds_delays_availability(harness: Harness) -> None:
    obj = defaulted_cloneset("web", 1)
    obj["spec"]["minReadySeconds"] = 2
    await harness.create(obj)
    await harness.all_ready("web", 1)

    async def ready_not_available() -> Obj | None:
        status = (await harness.get("web")).get("status", {})
        return status if status.get("readyReplicas") == 1 else None

    status = await eventually(ready_not_available, what="a ready replica")
    assert status["availableReplicas"] == 0

    async def available() -> bool:
        return (await harness.get("web")).get("status", {}).get("availableReplicas") == 1

    await eventually(available, what="availability after minReadySeconds", timeout=15)


async def test_pods_the_selector_no_longer_matches_are_released_and_replaced(
    harness: Harness,
) -> None:
    cs = await harness.create(defaulted_cloneset("web", 2))
    pods = await harness.pod_count("web", 2)
    stray = pods[0]["metadata"]["name"]
    await harness.client.patch(
        PODS, stray, {"metadata": {"labels": {"app": "debug"}}}, harness.namespace
    )

    async def released() -> Obj | None:
        pod = await harness.client.get(PODS, stray, harness.namespace)
        refs = pod["metadata"].get("ownerReferences") or []
        return pod if not any(r["uid"] == cs["metadata"]["uid"] for r in refs) else None

    await eventually(released, what="the relabelled pod released")
    replaced = await harness.pod_count("web", 2)
    assert stray not in names(replaced)
    assert all(
        p["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL].startswith("web-") for p in replaced
    )
