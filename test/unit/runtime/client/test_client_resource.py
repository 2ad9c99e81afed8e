"""URL paths and API versions of resources."""

from __future__ import annotations

import pytest

from kruise.runtime.client import InvalidPathSegment
from kruise.runtime.client.resource import (
    CONFIGMAPS,
    CUSTOM_RESOURCE_DEFINITIONS,
    DEPLOYMENTS,
    NODES,
    PODS,
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


@pytest.mark.parametrize(
    ("namespace", "name"),
    [
        ("ns", ".."),
        ("ns", "."),
        ("ns", "../secrets/token"),
        ("ns", "pod?watch=true"),
        ("ns", "pod#x"),
        ("ns", "pod%2Fx"),
        ("..", "pod"),
        ("a/b", "pod"),
    ],
)
def test_a_name_or_namespace_that_is_not_one_path_segment_is_refused(
    namespace: str, name: str
) -> None:
    with pytest.raises(InvalidPathSegment, match="may not be"):
        PODS.path(namespace, name)


def test_ordinary_names_with_dots_and_colons_are_paths() -> None:
    assert PODS.path("ns", "web-0.v1:x") == "/api/v1/namespaces/ns/pods/web-0.v1:x"
