"""get/list/create/update/delete and the typed errors, against a real kube-apiserver."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from kruise.runtime.client import (
    CONFIGMAPS,
    NAMESPACES,
    AlreadyExists,
    Client,
    Conflict,
    Invalid,
    NotFound,
)


def configmap(name: str, namespace: str, **data: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": "crud"}},
        "data": data,
    }


async def test_configmap_lifecycle(client: Client, namespace: str) -> None:
    created = await client.create(CONFIGMAPS, configmap("cm", namespace, a="1"))
    assert created["metadata"]["uid"]
    got = await client.get(CONFIGMAPS, "cm", namespace)
    assert got["data"] == {"a": "1"}
    assert got["kind"] == "ConfigMap"

    got["data"]["b"] = "2"
    updated = await client.update(CONFIGMAPS, got)
    assert updated["data"] == {"a": "1", "b": "2"}
    assert updated["metadata"]["resourceVersion"] != got["metadata"]["resourceVersion"]

    with pytest.raises(Conflict):
        await client.update(CONFIGMAPS, got)  # stale resourceVersion

    await client.delete(CONFIGMAPS, "cm", namespace)
    with pytest.raises(NotFound) as caught:
        await client.get(CONFIGMAPS, "cm", namespace)
    assert caught.value.status == 404
    assert caught.value.details.get("name") == "cm"


async def test_create_twice_is_already_exists(client: Client, namespace: str) -> None:
    await client.create(CONFIGMAPS, configmap("twice", namespace))
    with pytest.raises(AlreadyExists) as caught:
        await client.create(CONFIGMAPS, configmap("twice", namespace))
    assert caught.value.status == 409
    assert caught.value.reason == "AlreadyExists"


async def test_invalid_names_the_field(client: Client, namespace: str) -> None:
    with pytest.raises(Invalid) as caught:
        await client.create(CONFIGMAPS, configmap("Not_A_DNS_Name", namespace))
    assert caught.value.status == 422
    fields = [cause.get("field") for cause in caught.value.causes]
    assert "metadata.name" in fields


async def test_dry_run_create_persists_nothing(client: Client, namespace: str) -> None:
    answer = await client.create(CONFIGMAPS, configmap("dry", namespace), dry_run=True)
    assert answer["metadata"]["name"] == "dry"
    with pytest.raises(NotFound):
        await client.get(CONFIGMAPS, "dry", namespace)


async def test_list_pages_through_everything(
    client: Client, namespace: str, registry: CollectorRegistry
) -> None:
    for i in range(7):
        await client.create(CONFIGMAPS, configmap(f"page-{i}", namespace))
    await client.create(CONFIGMAPS, {"metadata": {"name": "other"}}, namespace)

    gets_before = _gets(client, registry)
    listed = await client.list(CONFIGMAPS, namespace, label_selector="app=crud", page_size=3)
    assert sorted(item["metadata"]["name"] for item in listed.items) == [
        f"page-{i}" for i in range(7)
    ]
    assert int(listed.resource_version) > 0
    assert _gets(client, registry) - gets_before == 3  # pages of 3, 3 and 1
    assert all(item["kind"] == "ConfigMap" and item["apiVersion"] == "v1" for item in listed.items)

    everywhere = await client.list(CONFIGMAPS, label_selector="app=crud", page_size=None)
    assert {item["metadata"]["namespace"] for item in everywhere.items} >= {namespace}

    by_field = await client.list(CONFIGMAPS, namespace, field_selector="metadata.name=other")
    assert [item["metadata"]["name"] for item in by_field.items] == ["other"]


async def test_cluster_scoped_get(client: Client, namespace: str) -> None:
    ns = await client.get(NAMESPACES, namespace)
    assert ns["metadata"]["name"] == namespace
    with pytest.raises(ValueError, match="cluster-scoped"):
        await client.get(NAMESPACES, namespace, namespace)


async def test_delete_preconditions(client: Client, namespace: str) -> None:
    created = await client.create(CONFIGMAPS, configmap("precond", namespace))
    with pytest.raises(Conflict):
        await client.delete(CONFIGMAPS, "precond", namespace, uid="00000000-0000-0000-0000-0")
    with pytest.raises(Conflict):
        await client.delete(CONFIGMAPS, "precond", namespace, resource_version="1")
    await client.delete(CONFIGMAPS, "precond", namespace, dry_run=True)
    await client.get(CONFIGMAPS, "precond", namespace)

    await client.delete(
        CONFIGMAPS,
        "precond",
        namespace,
        uid=created["metadata"]["uid"],
        resource_version=created["metadata"]["resourceVersion"],
        propagation_policy="Background",
        grace_period_seconds=0,
    )
    with pytest.raises(NotFound):
        await client.get(CONFIGMAPS, "precond", namespace)
    with pytest.raises(NotFound):
        await client.delete(CONFIGMAPS, "precond", namespace)


async def test_foreground_delete_returns_the_finalized_object(
    client: Client, namespace: str
) -> None:
    await client.create(CONFIGMAPS, configmap("fg", namespace))
    # No garbage collector runs here, so the foregroundDeletion finalizer stays.
    answer = await client.delete(CONFIGMAPS, "fg", namespace, propagation_policy="Foreground")
    assert answer["kind"] == "ConfigMap"
    assert answer["metadata"]["deletionTimestamp"]
    assert answer["metadata"]["finalizers"] == ["foregroundDeletion"]
    await client.patch(CONFIGMAPS, "fg", {"metadata": {"finalizers": None}}, namespace)
    with pytest.raises(NotFound):
        await client.get(CONFIGMAPS, "fg", namespace)


def _gets(client: Client, registry: CollectorRegistry) -> float:
    value = registry.get_sample_value(
        "rest_client_requests_total",
        {"code": "200", "method": "GET", "host": client.transport.host},
    )
    return value or 0.0
