"""A lifecycle move is a patch naming the pod's uid: it lands on the pod it was decided
for whatever the scheduler or the node wrote meanwhile, and never on another pod created
under the same name."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.apis.apps.v1alpha1 import LIFECYCLE_STATE_LABEL
from kruise.runtime.client import PODS, Client, Invalid, NotFound, PatchType
from kruise.util.lifecycle import is_uid_mismatch, patch_state, state_patch

NOW = 1_700_000_000.0


def pod(namespace: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "moved",
            "namespace": namespace,
            "labels": {LIFECYCLE_STATE_LABEL: "PreparingNormal"},
        },
        "spec": {"containers": [{"name": "app", "image": "app:1"}]},
    }


async def test_a_move_lands_on_a_pod_written_since_it_was_read(
    client: Client, namespace: str
) -> None:
    read = await client.create(PODS, pod(namespace), namespace)
    status = {"status": {"conditions": [{"type": "Custom", "status": "True"}]}}
    written = await client.patch(
        PODS, "moved", status, namespace, patch_type=PatchType.STRATEGIC, subresource="status"
    )
    assert written["metadata"]["resourceVersion"] != read["metadata"]["resourceVersion"]

    moved = await client.patch(
        PODS, "moved", state_patch(read, "Normal", NOW), namespace, patch_type=PatchType.STRATEGIC
    )
    assert moved["metadata"]["labels"][LIFECYCLE_STATE_LABEL] == "Normal"


async def test_a_move_is_refused_by_a_pod_created_again_under_the_name(
    client: Client, namespace: str
) -> None:
    first = await client.create(PODS, pod(namespace), namespace)
    await client.delete(PODS, "moved", namespace, grace_period_seconds=0)
    await client.create(PODS, pod(namespace), namespace)

    patch = state_patch(first, "Normal", NOW)
    with pytest.raises(Invalid) as refused:
        await client.patch(PODS, "moved", patch, namespace, patch_type=PatchType.STRATEGIC)
    assert is_uid_mismatch(refused.value)
    with pytest.raises(NotFound):  # what the controllers see: the pod they meant is gone
        await patch_state(client, first, patch)
    again = await client.get(PODS, "moved", namespace)
    assert again["metadata"]["labels"][LIFECYCLE_STATE_LABEL] == "PreparingNormal"
