"""Issue 14: CloneSets OpenKruise created and rolled out keep working under kruise-py.

A quoted integer stored in ``partition`` is read as OpenKruise read it; template metadata
other than labels and annotations changes in place; pods another object controls are left
alone and orphans naming the CloneSet are adopted; events name the revision.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from support.cloneset import Harness, defaulted_cloneset, play_kubelet, set_image
from support.events import events_about
from support.pods import condition, live
from support.polling import eventually

from kruise.controller.cloneset.reconcile import DEPRECATED_INT_OR_PERCENT_REASON
from kruise.runtime.client import PODS, NotFound

Obj = dict[str, Any]
FINALIZER = "example.com/keep"


def _observed(cs: Obj) -> bool:
    status = cs.get("status") or {}
    return status.get("observedGeneration") == cs["metadata"]["generation"]


async def _warnings(harness: Harness, name: str) -> int:
    events = await events_about(harness.client, harness.namespace, name)
    return sum(
        int(e.get("count") or 1) for e in events if e["reason"] == DEPRECATED_INT_OR_PERCENT_REASON
    )


async def _drop_finalizers(harness: Harness) -> None:
    """Let the namespace go: take our finalizer off every pod."""
    for pod in await harness.pods():
        if FINALIZER in (pod["metadata"].get("finalizers") or []):
            with contextlib.suppress(NotFound):
                await harness.client.patch(
                    PODS,
                    pod["metadata"]["name"],
                    {"metadata": {"finalizers": None}},
                    harness.namespace,
                )


async def test_a_stored_quoted_integer_partition_is_read_as_a_percentage_with_one_warning(
    harness: Harness,
) -> None:
    """Item 1: ``partition: "50"`` (stored before the webhook refused it) keeps half the
    pods at the old revision, and one Warning per generation says the form is deprecated."""
    cs = defaulted_cloneset("web", 4, partition="50", maxUnavailable=4)
    await harness.create(cs)
    await harness.all_ready("web", 4)
    await eventually(lambda: _warnings(harness, "web"), what="the deprecation warning")
    await set_image(harness, "web", "nginx:2.0")
    stop = asyncio.Event()
    kubelet = asyncio.create_task(play_kubelet(harness, "web", stop))
    try:

        async def rolled() -> Obj | None:
            got = await harness.get("web")
            status = got.get("status") or {}
            done = status.get("updatedReadyReplicas") == 2 and status.get("readyReplicas") == 4
            return got if done and _observed(got) else None

        got = await eventually(rolled, what="half the pods updated", timeout=60)
    finally:
        stop.set()
        await kubelet
    assert got["status"]["expectedUpdatedReplicas"] == 2
    assert condition(got, "FailedScale") is None
    assert condition(got, "FailedUpdate") is None
    # Two generations (create, image change): one warning each, however many reconciles.
    await asyncio.sleep(1)
    assert await _warnings(harness, "web") == 2
    events = await events_about(harness.client, harness.namespace, "web")
    message = next(e["message"] for e in events if e["reason"] == DEPRECATED_INT_OR_PERCENT_REASON)
    assert 'spec.updateStrategy.partition: "50"' in message


async def test_in_place_events_carry_the_revision_as_openkruises_do(harness: Harness) -> None:
    """Item 6: ``successfully update pod <name> in-place(revision <rev>)``."""
    await harness.create(defaulted_cloneset("web", 1, type="InPlaceIfPossible"))
    (pod,) = await harness.all_ready("web", 1)
    await set_image(harness, "web", "nginx:2.0")

    async def updated() -> str | None:
        got = await harness.get("web")
        revision = (got.get("status") or {}).get("updateRevision")
        events = await events_about(harness.client, harness.namespace, "web")
        found = [e for e in events if e["reason"] == "SuccessfulUpdatePodInPlace"]
        if not found or not revision or not _observed(got):
            return None
        return f"{found[0]['message']}|{revision}"

    message, revision = (await eventually(updated, what="the in-place event")).split("|")
    assert message == (
        f"successfully update pod {pod['metadata']['name']} in-place(revision {revision})"
    )


async def test_a_finalizer_added_to_template_metadata_is_applied_in_place(
    harness: Harness,
) -> None:
    """Item 5: an InPlaceOnly CloneSet patches a template finalizer onto its pods (it
    used to fail forever with "can not update in-place")."""
    await harness.create(defaulted_cloneset("web", 2, type="InPlaceOnly", maxUnavailable=2))
    before = await harness.all_ready("web", 2)
    try:
        await harness.patch(
            "web", {"spec": {"template": {"metadata": {"finalizers": [FINALIZER]}}}}
        )

        async def patched() -> list[Obj] | None:
            pods = live(await harness.pods("web"))
            got = await harness.get("web")
            revision = (got.get("status") or {}).get("updateRevision")
            done = all(
                FINALIZER in (p["metadata"].get("finalizers") or [])
                and p["metadata"]["labels"].get("controller-revision-hash") == revision
                for p in pods
            )
            return pods if len(pods) == 2 and done else None

        after = await eventually(patched, what="the finalizer on both pods", timeout=60)
        assert {p["metadata"]["uid"] for p in after} == {p["metadata"]["uid"] for p in before}
        assert condition(await harness.get("web"), "FailedUpdate") is None
    finally:
        await harness.patch("web", {"spec": {"replicas": 0}})
        await _drop_finalizers(harness)


def _pod(name: str, labels: dict[str, str], refs: list[Obj], finalizers: list[str]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": labels,
            "ownerReferences": refs,
            "finalizers": finalizers,
        },
        "spec": {"containers": [{"name": "main", "image": "nginx:1.0"}]},
    }


def _ref(cs: Obj, *, controller: bool) -> Obj:
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "CloneSet",
        "name": cs["metadata"]["name"],
        "uid": cs["metadata"]["uid"],
        "controller": controller,
    }


OTHER = {
    "apiVersion": "apps/v1",
    "kind": "ReplicaSet",
    "name": "someone-else",
    "uid": "00000000-0000-0000-0000-00000000beef",
    "controller": True,
}


async def test_pods_another_object_controls_are_neither_kept_nor_released(
    harness: Harness,
) -> None:
    """Item 6: a pod naming the CloneSet but controlled by another object is ignored,
    whether or not the selector matches it (it used to be counted, or released)."""
    cs = await harness.create(defaulted_cloneset("web", 2))
    await harness.all_ready("web", 2)
    refs = [OTHER, _ref(cs, controller=False)]
    for name, labels in (("foreign-match", {"app": "web"}), ("foreign-other", {"app": "x"})):
        await harness.client.create(PODS, _pod(name, labels, refs, []), harness.namespace)
    await harness.patch("web", {"spec": {"minReadySeconds": 1}})

    async def reconciled() -> Obj | None:
        got = await harness.get("web")
        return got if _observed(got) else None

    got = await eventually(reconciled, what="the CloneSet reconciled")
    assert got["status"]["replicas"] == 2
    for name in ("foreign-match", "foreign-other"):
        pod = await harness.client.get(PODS, name, harness.namespace)
        assert pod["metadata"]["ownerReferences"] == refs
        assert not pod["metadata"].get("deletionTimestamp")
    assert len(live(await harness.pods("web"))) == 3  # two of ours and the foreign one


async def test_an_orphan_naming_the_cloneset_is_adopted(harness: Harness) -> None:
    """Item 6: a pod without a controller that names the CloneSet and matches its
    selector is adopted, as Kubernetes' ControllerRefManager adopts it."""
    cs = await harness.create(defaulted_cloneset("web", 2))
    await harness.all_ready("web", 2)
    # The finalizer keeps the pod visible if the CloneSet scales the surplus away.
    orphan = _pod("orphan", {"app": "web"}, [_ref(cs, controller=False)], [FINALIZER])
    await harness.client.create(PODS, orphan, harness.namespace)
    try:

        async def adopted() -> Obj | None:
            pod = await harness.client.get(PODS, "orphan", harness.namespace)
            refs = pod["metadata"].get("ownerReferences") or []
            ours = [r for r in refs if r["uid"] == cs["metadata"]["uid"]]
            return pod if ours and ours[0].get("controller") is True else None

        pod = await eventually(adopted, what="the orphan adopted")
        assert len(pod["metadata"]["ownerReferences"]) == 1
    finally:
        await _drop_finalizers(harness)
