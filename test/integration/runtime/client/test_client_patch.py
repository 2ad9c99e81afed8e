"""Patch types, server-side apply, the status and scale subresources."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.runtime.client import (
    CONFIGMAPS,
    DEPLOYMENTS,
    Client,
    Conflict,
    Invalid,
    PatchType,
    Resource,
)


def deployment(name: str, namespace: str) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {"name": "app", "image": "app:1"},
                        {"name": "sidecar", "image": "sidecar:1"},
                    ]
                },
            },
        },
    }


async def test_merge_and_json_patch(client: Client, namespace: str) -> None:
    await client.create(CONFIGMAPS, {"metadata": {"name": "p"}, "data": {"a": "1"}}, namespace)

    merged = await client.patch(CONFIGMAPS, "p", {"data": {"b": "2", "a": None}}, namespace)
    assert merged["data"] == {"b": "2"}

    ops = [
        {"op": "test", "path": "/data/b", "value": "2"},
        {"op": "replace", "path": "/data/b", "value": "3"},
        {"op": "add", "path": "/metadata/labels", "value": {"x": "y"}},
    ]
    patched = await client.patch(CONFIGMAPS, "p", ops, namespace, patch_type=PatchType.JSON)
    assert patched["data"] == {"b": "3"}
    assert patched["metadata"]["labels"] == {"x": "y"}

    failing = [{"op": "test", "path": "/data/b", "value": "wrong"}]
    with pytest.raises(Invalid):
        await client.patch(CONFIGMAPS, "p", failing, namespace, patch_type=PatchType.JSON)


async def test_strategic_merge_keeps_list_entries_by_key(client: Client, namespace: str) -> None:
    await client.create(DEPLOYMENTS, deployment("smp", namespace))
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:2"}]}}}}

    strategic = await client.patch(
        DEPLOYMENTS, "smp", patch, namespace, patch_type=PatchType.STRATEGIC
    )
    containers = strategic["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [
        ("app", "app:2"),
        ("sidecar", "sidecar:1"),
    ]

    # A JSON merge patch replaces the whole list instead.
    merged = await client.patch(DEPLOYMENTS, "smp", patch, namespace)
    assert [c["name"] for c in merged["spec"]["template"]["spec"]["containers"]] == ["app"]


async def test_strategic_merge_is_refused_for_custom_kinds(client: Client) -> None:
    widgets = Resource("example.kruise.io", "v1", "widgets", "Widget")
    with pytest.raises(ValueError, match="strategic"):
        await client.patch(widgets, "w", {}, "ns", patch_type=PatchType.STRATEGIC)


async def test_server_side_apply_with_field_managers(client: Client, namespace: str) -> None:
    intent = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "ssa", "namespace": namespace},
        "data": {"owner": "alice"},
    }
    applied = await client.apply(CONFIGMAPS, intent, field_manager="alice")
    assert applied["data"] == {"owner": "alice"}
    managers = {entry["manager"] for entry in applied["metadata"]["managedFields"]}
    assert managers == {"alice"}

    bob = {**intent, "data": {"owner": "bob"}}
    with pytest.raises(Conflict) as caught:
        await client.apply(CONFIGMAPS, bob, field_manager="bob")
    assert any(cause.get("field") == ".data.owner" for cause in caught.value.causes)

    await client.apply(CONFIGMAPS, bob, field_manager="bob", dry_run=True, force=True)
    assert (await client.get(CONFIGMAPS, "ssa", namespace))["data"] == {"owner": "alice"}

    forced = await client.apply(CONFIGMAPS, bob, field_manager="bob", force=True)
    assert forced["data"] == {"owner": "bob"}
    assert {e["manager"] for e in forced["metadata"]["managedFields"]} == {"bob"}


async def test_status_subresource(client: Client, namespace: str) -> None:
    created = await client.create(DEPLOYMENTS, deployment("status", namespace))
    created["status"] = {"replicas": 1, "observedGeneration": 1}
    created["spec"]["replicas"] = 5

    after_status = await client.update_status(DEPLOYMENTS, created)
    assert after_status["status"]["observedGeneration"] == 1
    assert after_status["spec"]["replicas"] == 1  # spec ignored on /status

    after_status["status"] = {"replicas": 9}
    after_status["spec"]["replicas"] = 2
    after_update = await client.update(DEPLOYMENTS, after_status)
    assert after_update["spec"]["replicas"] == 2
    assert after_update["status"]["replicas"] == 1  # status ignored on the main resource

    patched = await client.patch(
        DEPLOYMENTS, "status", {"status": {"readyReplicas": 1}}, namespace, subresource="status"
    )
    assert patched["status"]["readyReplicas"] == 1


async def test_scale_subresource(client: Client, namespace: str) -> None:
    await client.create(DEPLOYMENTS, deployment("scaled", namespace))
    scale = await client.get_scale(DEPLOYMENTS, "scaled", namespace)
    assert scale["kind"] == "Scale"
    assert scale["spec"]["replicas"] == 1

    scale["spec"]["replicas"] = 3
    updated = await client.update_scale(DEPLOYMENTS, scale)
    assert updated["spec"]["replicas"] == 3
    assert (await client.get(DEPLOYMENTS, "scaled", namespace))["spec"]["replicas"] == 3

    patched = await client.patch(
        DEPLOYMENTS, "scaled", {"spec": {"replicas": 5}}, namespace, subresource="scale"
    )
    assert patched["kind"] == "Scale"
    assert patched["spec"]["replicas"] == 5
    assert (await client.get(DEPLOYMENTS, "scaled", namespace))["spec"]["replicas"] == 5
