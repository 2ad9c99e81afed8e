"""A ControllerRevision we create can be patched later (adopted, orphaned by the garbage
collector): the API server keeps ``data`` byte for byte and rewrites it Go's way on any
patch, so what we send must already be written that way."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.runtime.client import CONTROLLER_REVISIONS, Client, PatchType
from kruise.util.revision import new_revision

OWNER_UID = "0b6e2a0c-7a51-4f0f-9d1c-3f1d2b7f9a10"


def owner(namespace: str) -> dict[str, Any]:
    # Keys out of order, a character Go escapes and one it writes raw.
    template = {
        "spec": {"containers": [{"name": "app", "image": "app:1", "args": ["a<b", "&", "é"]}]},
        "metadata": {"labels": {"zeta": "1", "app": "web"}},
    }
    return {
        "apiVersion": "apps.kruise.io/v1beta1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": namespace, "uid": OWNER_UID},
        "spec": {"template": template},
    }


@pytest.mark.parametrize("patch_type", [PatchType.STRATEGIC, PatchType.MERGE])
async def test_a_created_revision_takes_a_metadata_patch(
    client: Client, namespace: str, patch_type: PatchType
) -> None:
    revision = new_revision(owner(namespace), 1, None)
    revision["metadata"].pop("ownerReferences")
    created = await client.create(CONTROLLER_REVISIONS, revision, namespace)
    name = created["metadata"]["name"]
    patched = await client.patch(
        CONTROLLER_REVISIONS,
        name,
        {"metadata": {"labels": {"adopted": "yes"}}},
        namespace,
        patch_type=patch_type,
    )
    assert patched["metadata"]["labels"]["adopted"] == "yes"
    assert patched["data"] == created["data"]
