"""Owner references: controller refs, ownership checks, and claim/release decisions."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kruise.apis.apps.v1alpha1 import API_VERSION
from kruise.runtime.client import PatchType
from kruise.runtime.labels import from_label_selector
from kruise.util.controllerref import (
    ClaimAction,
    adopt_patch,
    claim,
    claim_action,
    controller_of,
    is_controlled_by,
    new_controller_ref,
    owned_or_orphaned,
    release_patch,
)

CS_UID = "6f1c2a8e-0000-4000-8000-000000000001"
OTHER_UID = "0b9d7c55-0000-4000-8000-000000000002"
SELECTOR = from_label_selector({"matchLabels": {"app": "sample"}})


def cloneset(*, deleting: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "sample", "namespace": "default", "uid": CS_UID}
    if deleting:
        meta["deletionTimestamp"] = "2024-05-01T10:00:00Z"
    return {
        "apiVersion": API_VERSION,
        "kind": "CloneSet",
        "metadata": meta,
        "spec": {"selector": {"matchLabels": {"app": "sample"}}},
    }


def ref(uid: str, *, controller: bool | None = True, kind: str = "CloneSet") -> dict[str, Any]:
    out: dict[str, Any] = {"apiVersion": API_VERSION, "kind": kind, "name": "x", "uid": uid}
    if controller is not None:
        out["controller"] = controller
        out["blockOwnerDeletion"] = True
    return out


def pod(
    name: str,
    refs: list[dict[str, Any]] | None = None,
    *,
    app: str = "sample",
    deleting: bool = False,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "namespace": "default",
        "uid": f"uid-{name}",
        "resourceVersion": "4711",
        "labels": {"app": app, "apps.kruise.io/cloneset-instance-id": name[-5:]},
    }
    if refs is not None:
        meta["ownerReferences"] = refs
    if deleting:
        meta["deletionTimestamp"] = "2024-05-01T10:00:00Z"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": [{"name": "main", "image": "nginx:alpine"}]},
        "status": {"phase": "Running"},
    }


# --- controller references ------------------------------------------------------------------


def test_controller_of() -> None:
    assert controller_of(pod("sample-aaaaa")) is None
    assert controller_of(pod("sample-aaaaa", [ref(CS_UID, controller=False)])) is None
    assert controller_of(pod("sample-aaaaa", [ref(CS_UID, controller=None)])) is None
    owned = pod("sample-aaaaa", [ref(OTHER_UID, controller=False), ref(CS_UID)])
    found = controller_of(owned)
    assert found == ref(CS_UID)
    assert found is not None
    found["name"] = "changed"
    assert owned["metadata"]["ownerReferences"][1]["name"] == "x"


def test_new_controller_ref() -> None:
    assert new_controller_ref(cloneset()) == {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "CloneSet",
        "name": "sample",
        "uid": CS_UID,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def test_new_controller_ref_with_an_explicit_kind() -> None:
    owner = {"metadata": {"name": "web", "uid": OTHER_UID}}
    got = new_controller_ref(owner, api_version="apps.kruise.io/v1beta1", kind="StatefulSet")
    assert (got["apiVersion"], got["kind"], got["name"]) == (
        "apps.kruise.io/v1beta1",
        "StatefulSet",
        "web",
    )


def test_new_controller_ref_errors() -> None:
    with pytest.raises(ValueError, match="apiVersion and kind"):
        new_controller_ref({"metadata": {"name": "web", "uid": OTHER_UID}})
    with pytest.raises(ValueError, match=r"name and metadata\.uid"):
        new_controller_ref({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}})


def test_is_controlled_by() -> None:
    owner = cloneset()
    assert is_controlled_by(pod("sample-aaaaa", [ref(CS_UID)]), owner)
    assert not is_controlled_by(pod("sample-aaaaa", [ref(OTHER_UID)]), owner)
    assert not is_controlled_by(pod("sample-aaaaa", [ref(CS_UID, controller=False)]), owner)
    assert not is_controlled_by(pod("sample-aaaaa"), owner)
    assert not is_controlled_by(pod("sample-aaaaa", [ref("")]), {"metadata": {"uid": ""}})


def test_owned_or_orphaned() -> None:
    mine = pod("sample-aaaaa", [ref(CS_UID)])
    orphan = pod("sample-bbbbb")
    only_owner = pod("sample-ccccc", [ref(OTHER_UID, controller=False)])
    theirs = pod("sample-ddddd", [ref(OTHER_UID)])
    assert owned_or_orphaned([mine, orphan, only_owner, theirs], cloneset()) == [
        mine,
        orphan,
        only_owner,
    ]


# --- claim decisions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "owner_deleting", "action"),
    [
        (pod("sample-aaaaa", [ref(CS_UID)]), False, ClaimAction.KEEP),
        (pod("sample-aaaaa", [ref(CS_UID)]), True, ClaimAction.KEEP),
        (pod("sample-aaaaa", [ref(CS_UID)], app="other"), False, ClaimAction.RELEASE),
        (pod("sample-aaaaa", [ref(CS_UID)], app="other"), True, ClaimAction.IGNORE),
        (pod("sample-aaaaa", [ref(OTHER_UID)]), False, ClaimAction.IGNORE),
        (pod("sample-aaaaa", [ref(OTHER_UID)], app="other"), False, ClaimAction.IGNORE),
        (pod("sample-aaaaa"), False, ClaimAction.ADOPT),
        (pod("sample-aaaaa", [ref(OTHER_UID, controller=False)]), False, ClaimAction.ADOPT),
        (pod("sample-aaaaa"), True, ClaimAction.IGNORE),
        (pod("sample-aaaaa", deleting=True), False, ClaimAction.IGNORE),
        (pod("sample-aaaaa", app="other"), False, ClaimAction.IGNORE),
    ],
)
def test_claim_action(obj: dict[str, Any], owner_deleting: bool, action: ClaimAction) -> None:
    assert claim_action(obj, cloneset(deleting=owner_deleting), SELECTOR) is action


def test_adopt_patch_strategic() -> None:
    body = adopt_patch(pod("sample-aaaaa"), new_controller_ref(cloneset()))
    assert body == {
        "metadata": {
            "ownerReferences": [
                {
                    "apiVersion": "apps.kruise.io/v1alpha1",
                    "kind": "CloneSet",
                    "name": "sample",
                    "uid": CS_UID,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
            "uid": "uid-sample-aaaaa",
        }
    }


def test_adopt_patch_merge_keeps_other_references() -> None:
    other = ref(OTHER_UID, controller=False)
    obj = pod("sample-aaaaa", [other])
    before = copy.deepcopy(obj)
    controller = new_controller_ref(cloneset())
    body = adopt_patch(obj, controller, PatchType.MERGE)
    assert body == {
        "metadata": {
            "uid": "uid-sample-aaaaa",
            "resourceVersion": "4711",
            "ownerReferences": [other, dict(controller)],
        }
    }
    assert obj == before


def test_release_patch_strategic() -> None:
    body = release_patch(pod("sample-aaaaa", [ref(CS_UID)]), CS_UID)
    assert body == {
        "metadata": {
            "ownerReferences": [{"$patch": "delete", "uid": CS_UID}],
            "uid": "uid-sample-aaaaa",
        }
    }


def test_release_patch_merge() -> None:
    other = ref(OTHER_UID, controller=False)
    body = release_patch(pod("sample-aaaaa", [other, ref(CS_UID)]), CS_UID, PatchType.MERGE)
    assert body["metadata"]["ownerReferences"] == [other]
    assert body["metadata"]["resourceVersion"] == "4711"
    only = release_patch(pod("sample-aaaaa", [ref(CS_UID)]), CS_UID, PatchType.MERGE)
    assert only["metadata"]["ownerReferences"] is None


def test_claim_sorts_objects_and_builds_patches() -> None:
    kept = pod("sample-aaaaa", [ref(CS_UID)])
    orphan = pod("sample-bbbbb")
    unselected = pod("sample-ccccc", [ref(CS_UID)], app="other")
    theirs = pod("sample-ddddd", [ref(OTHER_UID)])
    dying_orphan = pod("sample-eeeee", deleting=True)
    claims = claim([kept, orphan, unselected, theirs, dying_orphan], cloneset(), SELECTOR)
    assert claims.owned == [kept]
    assert [p.obj for p in claims.adopt] == [orphan]
    assert claims.adopt[0].body == adopt_patch(orphan, new_controller_ref(cloneset()))
    assert claims.adopt[0].patch_type is PatchType.STRATEGIC
    assert [p.obj for p in claims.release] == [unselected]
    assert claims.release[0].body == release_patch(unselected, CS_UID)


def test_claim_with_a_given_reference_and_merge_patches() -> None:
    owner = {"metadata": {"name": "web", "uid": CS_UID}}
    given = new_controller_ref(owner, api_version="apps.kruise.io/v1beta1", kind="StatefulSet")
    claims = claim([pod("web-0")], owner, SELECTOR, owner_ref=given, patch_type=PatchType.MERGE)
    assert claims.adopt[0].patch_type is PatchType.MERGE
    assert claims.adopt[0].body["metadata"]["ownerReferences"] == [dict(given)]


def test_claim_while_the_owner_is_deleted_changes_nothing() -> None:
    objs = [pod("sample-aaaaa"), pod("sample-bbbbb", [ref(CS_UID)], app="other")]
    claims = claim(objs, cloneset(deleting=True), SELECTOR)
    assert (claims.owned, claims.adopt, claims.release) == ([], [], [])
