"""URL paths and API versions of resources."""

from __future__ import annotations

import pytest

from kruise.runtime.client.resource import (
    CONFIGMAPS,
    CUSTOM_RESOURCE_DEFINITIONS,
    DEPLOYMENTS,
    NODES,
    Resource,
    split_api_version,
)


def test_core_paths() -> None:
    assert CONFIGMAPS.api_version == "v1"
    assert CONFIGMAPS.path() == "/api/v1/configmaps"
    assert CONFIGMAPS.path("ns") == "/api/v1/namespaces/ns/configmaps"
    assert CONFIGMAPS.path("ns", "cm") == "/api/v1/namespaces/ns/configmaps/cm"


def test_group_paths_and_subresources() -> None:
    assert DEPLOYMENTS.api_version == "apps/v1"
    assert DEPLOYMENTS.path("ns", "web", "scale") == (
        "/apis/apps/v1/namespaces/ns/deployments/web/scale"
    )
    assert DEPLOYMENTS.path(None, None) == "/apis/apps/v1/deployments"


def test_cluster_scoped_paths() -> None:
    assert NODES.path(name="n1", subresource="status") == "/api/v1/nodes/n1/status"
    assert CUSTOM_RESOURCE_DEFINITIONS.path(name="a.b.c") == (
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/a.b.c"
    )
    with pytest.raises(ValueError, match="cluster-scoped"):
        NODES.path("ns")


def test_subresource_needs_a_name() -> None:
    with pytest.raises(ValueError, match="name"):
        DEPLOYMENTS.path("ns", None, "status")


def test_builtin_groups() -> None:
    assert DEPLOYMENTS.builtin
    assert CONFIGMAPS.builtin
    assert not Resource("apps.kruise.io", "v1alpha1", "clonesets", "CloneSet").builtin


@pytest.mark.parametrize(
    ("api_version", "expected"),
    [
        ("v1", ("", "v1")),
        ("apps/v1", ("apps", "v1")),
        ("apps.kruise.io/v1beta1", ("apps.kruise.io", "v1beta1")),
    ],
)
def test_split_api_version(api_version: str, expected: tuple[str, str]) -> None:
    assert split_api_version(api_version) == expected


def test_split_api_version_rejects_empty() -> None:
    with pytest.raises(ValueError, match="apiVersion"):
        split_api_version("apps/")
