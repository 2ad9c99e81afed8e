"""The CloneSet webhook's live pod read takes podsToDelete names from the user; one that
cannot name a pod must not reach the API server as a path (found by the webhook fuzz
suite: ``../configmaps/cm`` read the namespace's ConfigMap with the manager's rights)."""

from __future__ import annotations

import pytest

from kruise.runtime.client import Client
from kruise.runtime.envtest import ControlPlane
from kruise.webhook.setup import pod_reader


@pytest.fixture
def configmap(control_plane: ControlPlane, namespace: str) -> str:
    body = {"metadata": {"name": "cm"}, "data": {"secret": "value"}}
    control_plane.rest.request("POST", f"/api/v1/namespaces/{namespace}/configmaps", body)
    return "cm"


@pytest.mark.parametrize(
    "name", ["../configmaps/cm", "x/../../configmaps/cm", "./../configmaps/cm", "cm/status"]
)
async def test_a_name_that_cannot_name_a_pod_reads_nothing(
    client: Client, namespace: str, configmap: str, name: str
) -> None:
    assert await pod_reader(client)(namespace, name) is None


async def test_a_namespace_that_cannot_name_one_reads_nothing(
    client: Client, namespace: str, configmap: str
) -> None:
    assert await pod_reader(client)(f"{namespace}/configmaps/cm#", "x") is None


async def test_a_pod_is_read(client: Client, control_plane: ControlPlane, namespace: str) -> None:
    pod = {"metadata": {"name": "p-0"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
    control_plane.rest.request("POST", f"/api/v1/namespaces/{namespace}/pods", pod)
    read = await pod_reader(client)(namespace, "p-0")
    assert read is not None
    assert read["metadata"]["name"] == "p-0"
    assert await pod_reader(client)(namespace, "p-1") is None
