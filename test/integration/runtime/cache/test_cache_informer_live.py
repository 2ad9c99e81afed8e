"""Informers against the real API server: events, restarts, 410 Gone, silence, resync."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from support.cache import View, compact_etcd, restart_apiserver
from support.polling import eventually

from kruise.runtime.cache import Informer, object_key
from kruise.runtime.client import CONFIGMAPS, EVENTS, Client, Resource
from kruise.runtime.envtest import ControlPlane


@pytest.fixture
async def informers() -> AsyncIterator[list[Informer]]:
    """Informers a test starts; stopped afterwards even when the test fails."""
    started: list[Informer] = []
    yield started
    await asyncio.gather(*(i.stop() for i in started))


async def start(informers: list[Informer], informer: Informer) -> View:
    view = View(informer)
    informers.append(informer)
    informer.start()
    assert await informer.wait_for_sync(timeout=30)
    return view


async def converge(
    client: Client, informer: Informer, view: View, namespace: str, within: float = 60.0
) -> None:
    """Wait until the store and the handlers' view both equal what the server holds."""

    async def agree() -> bool:
        listed = await client.list(informer.resource, namespace)
        truth = {object_key(o): o["metadata"]["resourceVersion"] for o in listed.items}
        store = {object_key(o): o["metadata"]["resourceVersion"] for o in informer.list()}
        assert truth == store == view.objects, (
            f"server {truth}\nstore {store}\nhandlers {view.objects}"
        )
        return True

    await eventually(
        agree,
        timeout=within,
        retry_on=(AssertionError,),
        what="the store and the handlers to match the server",
    )


def configmap(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}, "data": {"v": "1"}}


def event(name: str, namespace: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": namespace},
        "reason": "Test",
        "message": "m",
        "type": "Normal",
    }


async def test_the_informer_reports_creates_updates_and_deletes(
    client: Client, namespace: str, informers: list[Informer]
) -> None:
    await client.create(CONFIGMAPS, configmap("before"), namespace)
    informer = Informer(client, CONFIGMAPS, namespace=namespace)
    view = await start(informers, informer)
    assert view.take() == [("add", "before")]

    await client.create(CONFIGMAPS, configmap("new"), namespace)
    await client.patch(CONFIGMAPS, "new", {"data": {"v": "2"}}, namespace)
    await client.delete(CONFIGMAPS, "before", namespace)
    await eventually(lambda: len(view.log) == 3, what="3 events")
    assert view.take() == [("add", "new"), ("update", "new"), ("delete", "before")]

    cached = informer.get("new", namespace)
    assert cached is not None
    assert cached["data"] == {"v": "2"}
    assert "managedFields" not in cached["metadata"]
    assert cached["kind"] == "ConfigMap"
    await converge(client, informer, view, namespace)
    assert view.phantoms == []


async def test_label_and_field_selectors_scope_the_informer(
    client: Client, namespace: str, informers: list[Informer]
) -> None:
    await client.create(CONFIGMAPS, configmap("in", pick="yes"), namespace)
    await client.create(CONFIGMAPS, configmap("out"), namespace)
    await client.create(CONFIGMAPS, configmap("other", pick="yes"), namespace)
    informer = Informer(
        client,
        CONFIGMAPS,
        namespace=namespace,
        label_selector="pick=yes",
        field_selector="metadata.name!=other",
    )
    view = await start(informers, informer)
    assert view.take() == [("add", "in")]

    await client.patch(CONFIGMAPS, "out", {"metadata": {"labels": {"pick": "yes"}}}, namespace)
    await client.patch(CONFIGMAPS, "in", {"metadata": {"labels": {"pick": "no"}}}, namespace)
    await eventually(lambda: len(view.log) == 2, what="2 events")
    assert view.take() == [("add", "out"), ("delete", "in")]
    assert [o["metadata"]["name"] for o in informer.list()] == ["out"]


async def test_the_cache_converges_across_an_apiserver_restart(
    client: Client, control_plane: ControlPlane, namespace: str, informers: list[Informer]
) -> None:
    for name in ("keep", "change", "drop", "late-drop"):
        await client.create(CONFIGMAPS, configmap(name), namespace)
    informer = Informer(client, CONFIGMAPS, namespace=namespace)
    view = await start(informers, informer)

    # Changes racing the restart: the watch may or may not see them before it breaks.
    await client.create(CONFIGMAPS, configmap("added-before"), namespace)
    await client.patch(CONFIGMAPS, "change", {"data": {"v": "2"}}, namespace)
    await client.delete(CONFIGMAPS, "drop", namespace)
    await restart_apiserver(control_plane)

    # And right after it, while the informer is still reconnecting.
    await client.create(CONFIGMAPS, configmap("added-after"), namespace)
    await client.patch(CONFIGMAPS, "change", {"data": {"v": "3"}}, namespace)
    await client.delete(CONFIGMAPS, "late-drop", namespace)

    await converge(client, informer, view, namespace)
    assert informer.stats.watches >= 2
    assert view.phantoms == []
    assert sorted(view.objects) == [
        f"{namespace}/{n}" for n in ("added-after", "added-before", "change", "keep")
    ]
    changed = informer.get("change", namespace)
    assert changed is not None
    assert changed["data"] == {"v": "3"}

    # The informer keeps watching after the restart.
    await client.create(CONFIGMAPS, configmap("after-recovery"), namespace)
    await eventually(
        lambda: informer.get("after-recovery", namespace) is not None,
        what="after-recovery in the cache",
    )


async def test_a_410_relists_and_reports_exactly_what_changed_while_away(
    client: Client, control_plane: ControlPlane, namespace: str, informers: list[Informer]
) -> None:
    # Events have no watch cache in kube-apiserver, so a compacted etcd answers the
    # resumed watch with 410 Gone.
    resource: Resource = EVENTS
    for name in ("stays", "changes", "goes"):
        await client.create(resource, event(name, namespace), namespace)
    informer = Informer(client, resource, namespace=namespace)
    view = await start(informers, informer)
    view.take()

    informer.pause_watch()
    await client.delete(resource, "goes", namespace)
    await client.patch(resource, "changes", {"message": "changed"}, namespace)
    await client.create(resource, event("arrives", namespace), namespace)
    await compact_etcd(control_plane.etcd_port)
    informer.resume_watch()

    await eventually(lambda: informer.stats.relists_after_gone >= 1, what="a relist after 410 Gone")
    await converge(client, informer, view, namespace)
    assert sorted(view.take()) == [("add", "arrives"), ("delete", "goes"), ("update", "changes")]
    assert view.phantoms == []
    assert informer.stats.lists == 2


async def test_a_silent_watch_is_restarted_by_the_inactivity_timeout(
    client: Client, namespace: str, informers: list[Informer]
) -> None:
    informer = Informer(
        client, CONFIGMAPS, namespace=namespace, label_selector="quiet=yes", inactivity_timeout=1
    )
    view = await start(informers, informer)
    await eventually(
        lambda: informer.stats.inactivity_restarts >= 2,
        timeout=15,
        what="2 restarts of the silent watch",
    )
    assert informer.stats.lists == 1
    await client.create(CONFIGMAPS, configmap("speaks", quiet="yes"), namespace)
    await eventually(lambda: view.log == [("add", "speaks")], what="only the add of speaks")


async def test_resync_redelivers_cached_objects_as_updates(
    client: Client, namespace: str, informers: list[Informer]
) -> None:
    await client.create(CONFIGMAPS, configmap("a"), namespace)
    informer = Informer(client, CONFIGMAPS, namespace=namespace, resync_period=0.3)
    resynced: list[bool] = []
    informer.add_event_handler(on_update=lambda old, new: resynced.append(old is new))
    await start(informers, informer)
    await eventually(lambda: len(resynced) >= 2, timeout=10, what="2 resyncs")
    assert all(resynced)
