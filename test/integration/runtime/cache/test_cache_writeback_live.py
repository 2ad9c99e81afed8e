"""Writes built from cached objects lose nothing on the real API server: the cache's
default transform (managedFields stripped, strings interned) leaves an update or a
patch built from a cached pod with every field the server stored, and the request
bodies are the very bytes the standard library encoder wrote."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from support.polling import eventually

from kruise.runtime.cache import LAST_APPLIED, Cache
from kruise.runtime.client import PODS, Client

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def standard_library_encoding(body: Any) -> bytes:
    """What the transport sent before orjson: json.dumps with Go's escapes."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _ESCAPES[m.group()], text).encode()


def pod(name: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "labels": {"app": "web", "tier": "front"},
            "annotations": {
                LAST_APPLIED: json.dumps({"kind": "Pod", "metadata": {"name": name}}),
                "note": "café — 🚀 <b>&</b> \u2028",
                "empty": "",
            },
        },
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "example.com/web:1.2",
                    "args": ["--x=<y>", "a&b", ""],
                    "ports": [{"containerPort": 8080}],
                    "env": [{"name": "BIG", "value": "9223372036854775807"}],
                    "resources": {"requests": {"cpu": "250m"}},
                }
            ],
            "nodeSelector": {},
            "terminationGracePeriodSeconds": 0,
            "priority": 0,
        },
    }


def without_volatile(obj: dict[str, Any]) -> dict[str, Any]:
    """The object minus what every write changes (resourceVersion, managedFields)."""
    kept = copy.deepcopy(obj)
    kept["metadata"].pop("resourceVersion")
    kept["metadata"].pop("managedFields")
    return kept


@pytest.fixture
async def cache(client: Client, namespace: str) -> AsyncIterator[Cache]:
    cache = Cache(client, namespace=namespace)  # the default transform
    cache.informer(PODS)
    await cache.start()
    yield cache
    await cache.stop()


@pytest.fixture
def sent(client: Client, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, bytes]]:
    """(method, body bytes) of every request with a body, as the transport sent them."""
    bodies: list[tuple[Any, bytes]] = []
    send = client.transport.send

    async def recording(method: str, path: str, **kwargs: Any) -> Any:
        if kwargs.get("data") is not None:
            bodies.append((method, kwargs["data"]))
        return await send(method, path, **kwargs)

    monkeypatch.setattr(client.transport, "send", recording)
    return bodies


async def cached_pod(cache: Cache, name: str, namespace: str, rv: str) -> dict[str, Any]:
    informer = cache.informer(PODS)

    def current() -> bool:
        found = informer.get(name, namespace)
        return found is not None and found["metadata"]["resourceVersion"] == rv

    await eventually(current, what=f"{name} at resourceVersion {rv} in the cache")
    found = informer.get(name, namespace)
    assert found is not None
    return found


async def test_an_update_built_from_a_cached_pod_keeps_every_stored_field(
    cache: Cache, client: Client, namespace: str, sent: list[tuple[Any, bytes]]
) -> None:
    created = await client.create(PODS, pod("web"), namespace, field_manager="creator")
    assert await cache.wait_for_sync(timeout=30)
    cached = await cached_pod(cache, "web", namespace, created["metadata"]["resourceVersion"])
    assert "managedFields" not in cached["metadata"]
    stored = await client.get(PODS, "web", namespace)

    body = copy.deepcopy(cached)
    body["metadata"]["labels"]["touched"] = "yes"
    sent.clear()
    await client.update(PODS, body, field_manager="updater")
    assert sent == [("PUT", standard_library_encoding(body))]

    after = await client.get(PODS, "web", namespace)
    expected = without_volatile(stored)
    expected["metadata"]["labels"]["touched"] = "yes"
    assert without_volatile(after) == expected
    managers = {(e["manager"], e["operation"]) for e in after["metadata"]["managedFields"]}
    assert {("creator", "Update"), ("updater", "Update")} <= managers
    # The creator's entry is untouched: the update without managedFields kept them.
    for entry in stored["metadata"]["managedFields"]:
        assert entry in after["metadata"]["managedFields"]


async def test_a_patch_built_from_a_cached_pod_changes_only_what_it_names(
    cache: Cache, client: Client, namespace: str, sent: list[tuple[Any, bytes]]
) -> None:
    created = await client.create(PODS, pod("api"), namespace, field_manager="creator")
    assert await cache.wait_for_sync(timeout=30)
    cached = await cached_pod(cache, "api", namespace, created["metadata"]["resourceVersion"])
    stored = await client.get(PODS, "api", namespace)

    labels = {**cached["metadata"]["labels"], "tier": "back"}
    patch = {
        "metadata": {"labels": labels, "resourceVersion": cached["metadata"]["resourceVersion"]}
    }
    sent.clear()
    await client.patch(PODS, "api", patch, namespace, field_manager="patcher")
    assert sent == [("PATCH", standard_library_encoding(patch))]

    after = await client.get(PODS, "api", namespace)
    expected = without_volatile(stored)
    expected["metadata"]["labels"]["tier"] = "back"
    assert without_volatile(after) == expected
