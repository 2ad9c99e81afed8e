"""The RESTMapper against real discovery, including a CRD installed after the first miss."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support.polling import eventually

from kruise.runtime.client import (
    CUSTOM_RESOURCE_DEFINITIONS,
    DEPLOYMENTS,
    LEASES,
    Client,
    NoKindMatch,
    NotFound,
    Resource,
    is_served,
)


def widget_crd(group: str) -> dict[str, Any]:
    schema = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": "Widget", "plural": "widgets", "listKind": "WidgetList"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": schema,
                    "subresources": {
                        "status": {},
                        "scale": {
                            "specReplicasPath": ".spec.replicas",
                            "statusReplicasPath": ".status.replicas",
                        },
                    },
                }
            ],
        },
    }


async def test_builtins_and_discovered_groups(client: Client) -> None:
    assert await client.mapper.resource_for("apps/v1", "Deployment") == DEPLOYMENTS
    assert await client.mapper.resource_for_object({"apiVersion": "v1", "kind": "Pod"})
    assert await client.mapper.preferred_version("coordination.k8s.io") == "v1"
    assert await client.mapper.resource_for_group_kind("coordination.k8s.io", "Lease") == LEASES
    role_binding = await client.mapper.resource_for(
        "rbac.authorization.k8s.io/v1", "ClusterRoleBinding"
    )
    assert role_binding.plural == "clusterrolebindings"
    assert not role_binding.namespaced
    with pytest.raises(NoKindMatch):
        await client.mapper.resource_for("apps/v1", "NoSuchKind")
    with pytest.raises(NoKindMatch):
        await client.mapper.preferred_version("no.such.group")


async def test_a_new_crd_is_found_after_a_miss(client: Client, namespace: str) -> None:
    group = f"t{uuid.uuid4().hex[:8]}.client.kruise.io"
    with pytest.raises(NoKindMatch):
        await client.mapper.resource_for(f"{group}/v1", "Widget")
    expected = Resource(group, "v1", "widgets", "Widget", namespaced=True)
    assert not await is_served(client.transport, expected)

    crd = await client.create(CUSTOM_RESOURCE_DEFINITIONS, widget_crd(group))
    try:
        widgets = await _discover(client, f"{group}/v1", "Widget")
        assert widgets == expected
        assert await is_served(client.transport, widgets)

        widget = {
            "apiVersion": f"{group}/v1",
            "kind": "Widget",
            "metadata": {"name": "w", "namespace": namespace},
            "spec": {"replicas": 1},
        }
        await _create_when_served(client, widgets, widget)
        scaled = await client.patch(
            widgets, "w", {"spec": {"replicas": 4}}, namespace, subresource="scale"
        )
        assert scaled["spec"]["replicas"] == 4
        with_status = await client.patch(
            widgets, "w", {"status": {"replicas": 4}}, namespace, subresource="status"
        )
        assert with_status["status"] == {"replicas": 4}
        assert with_status["spec"] == {"replicas": 4}
    finally:
        await client.delete(CUSTOM_RESOURCE_DEFINITIONS, crd["metadata"]["name"])


async def _discover(client: Client, api_version: str, kind: str) -> Resource:
    """Each call after a miss asks the server again; a CRD takes a moment to be served."""
    return await eventually(
        lambda: client.mapper.resource_for(api_version, kind),
        timeout=10,
        retry_on=(NoKindMatch,),
        what=f"{kind} in discovery",
    )


async def _create_when_served(client: Client, resource: Resource, obj: dict[str, Any]) -> None:
    # The handler may 404 for a moment after discovery.
    await eventually(
        lambda: client.create(resource, obj),
        timeout=10,
        retry_on=(NotFound,),
        what="the custom resource served",
    )
