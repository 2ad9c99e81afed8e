"""The Cache: lazy informers, get/list with namespaces, selectors and indexes, scoping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from support.cache_fakes import FakeServer, obj, until

from kruise.runtime.cache import (
    OWNER_INDEX,
    Cache,
    CacheNotStarted,
    NamespaceNotCached,
    ResourceOptions,
)
from kruise.runtime.client import CONFIGMAPS, NODES, PODS, NotFound


def pod(name: str, namespace: str, node: str = "", owner: str = "", **labels: str) -> Any:
    o = obj(name, "1", namespace, **labels)
    o["spec"] = {"nodeName": node}
    if owner:
        o["metadata"]["ownerReferences"] = [{"uid": owner, "controller": True}]
    return o


def names(objs: list[Any]) -> list[str]:
    return sorted(f"{o['metadata'].get('namespace', '')}/{o['metadata']['name']}" for o in objs)


@pytest.fixture
async def cache() -> AsyncIterator[tuple[Cache, FakeServer]]:
    server = FakeServer()
    server.will_list(
        "9",
        pod("a", "one", node="n1", app="web"),
        pod("b", "one", node="n2", app="db", owner="rs-1"),
        pod("c", "two", node="n1", app="web", owner="rs-1"),
    )
    cache = Cache(server)
    cache.add_index(PODS, "node", lambda p: [p["spec"]["nodeName"]])
    await cache.start()
    yield cache, server
    await cache.stop()


async def test_reads_need_a_started_cache() -> None:
    cache = Cache(FakeServer())
    with pytest.raises(CacheNotStarted):
        await cache.get(PODS, "a", "one")


async def test_get_returns_the_cached_object_or_raises_not_found(
    cache: tuple[Cache, FakeServer],
) -> None:
    c, _ = cache
    found = await c.get(PODS, "a", "one")
    assert found["metadata"]["name"] == "a"
    assert found is await c.get(PODS, "a", "one")
    with pytest.raises(NotFound) as caught:
        await c.get(PODS, "a", "two")
    assert caught.value.status == 404
    assert str(caught.value) == '404 NotFound: pods "a" not found'
    with pytest.raises(ValueError, match="namespace is required"):
        await c.get(PODS, "a")


async def test_list_by_namespace_selector_and_index(cache: tuple[Cache, FakeServer]) -> None:
    c, _ = cache
    assert names(await c.list(PODS)) == ["one/a", "one/b", "two/c"]
    assert names(await c.list(PODS, "one")) == ["one/a", "one/b"]
    assert names(await c.list(PODS, label_selector="app=web")) == ["one/a", "two/c"]
    assert names(await c.list(PODS, "one", label_selector={"matchLabels": {"app": "web"}})) == [
        "one/a"
    ]
    assert names(await c.list(PODS, index=("node", "n1"))) == ["one/a", "two/c"]
    assert names(await c.list(PODS, "two", index=("node", "n1"))) == ["two/c"]
    assert names(await c.list(PODS, index=(OWNER_INDEX, "rs-1"), label_selector="app")) == [
        "one/b",
        "two/c",
    ]
    assert await c.list(PODS, "three") == []
    with pytest.raises(ValueError, match="invalid selector"):
        await c.list(PODS, label_selector="app in")


async def test_an_informer_is_created_once_and_started_lazily(
    cache: tuple[Cache, FakeServer],
) -> None:
    c, server = cache
    await c.list(PODS)
    assert len(server.list_calls) == 1
    server.will_list("3", {"metadata": {"name": "n1", "resourceVersion": "2"}})
    assert names(await c.list(NODES)) == ["/n1"]
    await c.list(NODES)
    await c.list(PODS)
    assert len(server.list_calls) == 2
    assert set(c.informers()) == {PODS, NODES}
    with pytest.raises(ValueError, match="cluster-scoped"):
        await c.list(NODES, "one")
    assert await c.wait_for_sync(timeout=1)


async def test_reads_wait_for_a_new_informer_to_sync(cache: tuple[Cache, FakeServer]) -> None:
    c, server = cache
    reading = asyncio.create_task(c.get(CONFIGMAPS, "late", "ns"))
    await until(lambda: c.informer(CONFIGMAPS).running)
    assert not reading.done()
    server.will_list("5", obj("late", "4"))
    await until(reading.done)
    assert (await reading)["metadata"]["name"] == "late"


async def test_a_default_namespace_scopes_namespaced_informers() -> None:
    server = FakeServer()
    server.will_list("9", pod("a", "mine"))
    cache = Cache(server, namespace="mine")
    await cache.start()
    try:
        assert names(await cache.list(PODS)) == ["mine/a"]
        assert (await cache.get(PODS, "a"))["metadata"]["name"] == "a"
        assert server.list_calls[0]["namespace"] == "mine"
        with pytest.raises(NamespaceNotCached, match="'other'"):
            await cache.list(PODS, "other")
        server.will_list("10", {"metadata": {"name": "n1", "resourceVersion": "2"}})
        await cache.list(NODES)
        assert server.list_calls[1]["namespace"] is None
    finally:
        await cache.stop()


async def test_per_resource_options_set_selectors_and_namespace() -> None:
    server = FakeServer()
    server.will_list("9")
    options = ResourceOptions(namespace="x", label_selector="a=b", field_selector="f=g")
    cache = Cache(server, namespace="mine", by_resource={PODS: options})
    await cache.start()
    try:
        await cache.list(PODS)
        call = server.list_calls[0]
        assert (call["namespace"], call["label_selector"], call["field_selector"]) == (
            "x",
            "a=b",
            "f=g",
        )
    finally:
        await cache.stop()
