"""The Cache on the real API server: gets, lists, indexes, namespace restriction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from support.polling import eventually

from kruise.runtime.cache import OWNER_INDEX, Cache, NamespaceNotCached
from kruise.runtime.client import NAMESPACES, PODS, Client, NotFound

NODE_INDEX = "spec.nodeName"


def pod(name: str, node: str, owner: str = "", **labels: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "labels": labels}
    if owner:
        reference = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": owner}
        metadata["ownerReferences"] = [{**reference, "controller": True}]
    return {
        "metadata": metadata,
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]},
    }


def names(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objs)


@pytest.fixture
async def cache(client: Client, namespace: str) -> AsyncIterator[Cache]:
    cache = Cache(client, namespace=namespace)
    cache.add_index(PODS, NODE_INDEX, lambda p: [p["spec"].get("nodeName", "")])
    await cache.start()
    yield cache
    await cache.stop()


async def test_gets_lists_and_index_lookups(cache: Cache, client: Client, namespace: str) -> None:
    await client.create(PODS, pod("web-1", "node-a", owner="rs-uid", app="web"), namespace)
    await client.create(PODS, pod("web-2", "node-b", owner="rs-uid", app="web"), namespace)
    await client.create(PODS, pod("db-1", "node-a", app="db"), namespace)
    assert await cache.wait_for_sync(timeout=30)
    informer = cache.informer(PODS)
    await eventually(lambda: len(informer.list()) == 3, what="3 objects in the cache")

    found = await cache.get(PODS, "web-1", namespace)
    assert found["spec"]["nodeName"] == "node-a"
    assert "managedFields" not in found["metadata"]
    with pytest.raises(NotFound):
        await cache.get(PODS, "missing", namespace)

    assert names(await cache.list(PODS, index=(NODE_INDEX, "node-a"))) == ["db-1", "web-1"]
    assert names(await cache.list(PODS, index=(OWNER_INDEX, "rs-uid"))) == ["web-1", "web-2"]
    assert names(await cache.list(PODS, namespace, label_selector="app in (web)")) == [
        "web-1",
        "web-2",
    ]
    assert names(
        await cache.list(PODS, index=(NODE_INDEX, "node-a"), label_selector="app=web")
    ) == ["web-1"]

    await client.delete(PODS, "web-1", namespace, grace_period_seconds=0)
    await eventually(lambda: len(informer.list()) == 2, what="2 objects in the cache")
    assert names(await cache.list(PODS, index=(NODE_INDEX, "node-a"))) == ["db-1"]


async def test_the_namespace_restriction_and_cluster_scoped_reads(
    cache: Cache, namespace: str
) -> None:
    with pytest.raises(NamespaceNotCached):
        await cache.list(PODS, "kube-system")
    own = await cache.get(NAMESPACES, namespace)
    assert own["metadata"]["name"] == namespace
    assert namespace in names(await cache.list(NAMESPACES, label_selector="kruise-test=1"))


async def test_a_handler_added_after_sync_gets_existing_pods(
    cache: Cache, client: Client, namespace: str
) -> None:
    await client.create(PODS, pod("early", "node-a"), namespace)
    informer = cache.informer(PODS)
    await cache.wait_for_sync(timeout=30)
    await eventually(
        lambda: informer.get("early", namespace) is not None, what="early in the cache"
    )
    added: list[str] = []
    informer.add_event_handler(on_add=lambda p: added.append(p["metadata"]["name"]))
    assert added == ["early"]
    await client.create(PODS, pod("later", "node-b"), namespace)
    await eventually(lambda: added == ["early", "later"], what="adds of early then later")
