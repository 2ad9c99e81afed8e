"""Claiming: orphan pods named ``<set>-<ordinal>`` that the selector matches are adopted,
owned pods the selector stops matching are released, orphan ControllerRevisions adopted."""

from __future__ import annotations

from support.polling import eventually
from support.statefulset import Harness, defaulted_statefulset

from kruise.runtime.client import CONTROLLER_REVISIONS, PODS


def _orphan_pod(name: str, app: str) -> dict[str, object]:
    return {
        "metadata": {"name": name, "labels": {"app": app}},
        "spec": {"containers": [{"name": "main", "image": "nginx:1.0"}]},
    }


async def test_an_orphan_pod_with_a_member_name_is_adopted(harness: Harness) -> None:
    orphan = await harness.client.create(PODS, _orphan_pod("adopt-0", "adopt"), harness.namespace)
    stranger = await harness.client.create(
        PODS, _orphan_pod("adopted-by-nobody", "adopt"), harness.namespace
    )
    # OnDelete: a rolling update would recreate the adopted pod at the set's revision.
    sts = await harness.create(
        defaulted_statefulset(
            "adopt", 2, pod_management="Parallel", updateStrategy={"type": "OnDelete"}
        )
    )
    pods = await harness.wait_ordinals("adopt", [0, 1])
    [zero] = [p for p in pods if p["metadata"]["name"] == "adopt-0"]
    assert zero["metadata"]["uid"] == orphan["metadata"]["uid"]

    async def owned() -> bool:
        pod = await harness.pod("adopt-0")
        refs = pod["metadata"].get("ownerReferences") or []
        return [r["uid"] for r in refs if r.get("controller")] == [sts["metadata"]["uid"]]

    await eventually(owned, timeout=30, what="adopt-0 adopted")
    # A pod whose name is not <set>-<ordinal> is left alone, whatever its labels.
    left = await harness.pod("adopted-by-nobody")
    assert left["metadata"]["uid"] == stranger["metadata"]["uid"]
    assert not left["metadata"].get("ownerReferences")


async def test_a_pod_the_selector_no_longer_matches_is_released(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("rel", 2, pod_management="Parallel"))
    await harness.wait_ordinals("rel", [0, 1])
    await harness.client.patch(
        PODS, "rel-1", {"metadata": {"labels": {"app": "elsewhere"}}}, harness.namespace
    )

    async def released() -> bool:
        pod = await harness.pod("rel-1")
        return not pod["metadata"].get("ownerReferences")

    await eventually(released, timeout=30, what="rel-1 released")


async def test_an_orphan_revision_is_adopted(harness: Harness) -> None:
    revision = {
        "metadata": {"name": "orphan-rev", "labels": {"app": "revs"}},
        "data": {"spec": {"template": {"$patch": "replace"}}},
        "revision": 1,
    }
    await harness.client.create(CONTROLLER_REVISIONS, revision, harness.namespace)
    sts = await harness.create(defaulted_statefulset("revs", 1, pod_management="Parallel"))

    async def adopted() -> bool:
        rev = await harness.client.get(CONTROLLER_REVISIONS, "orphan-rev", harness.namespace)
        refs = rev["metadata"].get("ownerReferences") or []
        return [r["uid"] for r in refs if r.get("controller")] == [sts["metadata"]["uid"]]

    await eventually(adopted, timeout=30, what="orphan-rev adopted")
