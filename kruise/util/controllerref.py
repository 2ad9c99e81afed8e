"""Owner references: who controls an object, and whether a controller should claim it.

A controller owns the objects whose controller reference (the owner reference with
``controller: true``) carries its uid. Claiming follows Kubernetes'
``BaseControllerRefManager.ClaimObject``: keep owned objects the selector still matches,
release owned ones it no longer matches (unless the owner is being deleted) and adopt
orphans it matches (unless either side is being deleted). The decisions come back with the
patch bodies Kubernetes sends for them; sending them is the caller's business.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from kruise.runtime.client import KubeObject, OwnerReference, PatchType
from kruise.runtime.labels import Selector
from kruise.runtime.meta import is_being_deleted, metadata, owner_references_of, uid_of


def controller_of(obj: Mapping[str, Any]) -> OwnerReference | None:
    """The owner reference with ``controller: true``, or None for an orphan."""
    ref = _controller_ref(obj)
    return None if ref is None else cast(OwnerReference, dict(ref))


def _controller_ref(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """``controller_of`` without the copy, for read-only checks run on every pod."""
    for ref in owner_references_of(obj):
        if ref.get("controller") is True:
            return ref
    return None


def new_controller_ref(
    owner: Mapping[str, Any], *, api_version: str | None = None, kind: str | None = None
) -> OwnerReference:
    """A controller reference to ``owner`` (``blockOwnerDeletion`` set, as Kubernetes does).

    ``api_version`` and ``kind`` default to the owner's own fields; one of the two must
    say them, or ``ValueError`` is raised.
    """
    api_version = api_version or owner.get("apiVersion")
    kind = kind or owner.get("kind")
    meta = metadata(owner)
    if not api_version or not kind:
        raise ValueError(f"owner {meta.get('name')!r} has no apiVersion and kind")
    if not meta.get("name") or not meta.get("uid"):
        raise ValueError("an owner needs metadata.name and metadata.uid")
    return OwnerReference(
        apiVersion=str(api_version),
        kind=str(kind),
        name=str(meta["name"]),
        uid=str(meta["uid"]),
        controller=True,
        blockOwnerDeletion=True,
    )


def is_controlled_by(obj: Mapping[str, Any], owner: Mapping[str, Any]) -> bool:
    """True if ``obj``'s controller reference points at ``owner`` (compared by uid)."""
    ref = _controller_ref(obj)
    uid = uid_of(owner)
    return ref is not None and bool(uid) and ref.get("uid") == uid


def owned_or_orphaned(
    objs: Iterable[Mapping[str, Any]], owner: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    """The objects ``owner`` controls or nobody controls, in order (history's list rule)."""
    return [o for o in objs if _controller_ref(o) is None or is_controlled_by(o, owner)]


def adopt_patch(
    obj: Mapping[str, Any],
    owner_ref: OwnerReference,
    patch_type: PatchType = PatchType.STRATEGIC,
) -> KubeObject:
    """The patch that makes ``owner_ref`` the controller of ``obj``.

    Strategic (built-in kinds): ``ownerReferences`` merges by uid, so the body names only
    the new reference, and ``metadata.uid`` makes the patch fail if the object was
    replaced. Merge (custom resources): lists are replaced whole, so the body carries every
    reference and ``resourceVersion`` guards against a concurrent change.
    """
    meta = metadata(obj)
    if patch_type is PatchType.STRATEGIC:
        return {"metadata": {"ownerReferences": [dict(owner_ref)], "uid": meta.get("uid")}}
    refs = [copy.deepcopy(r) for r in meta.get("ownerReferences") or ()]
    refs = [r for r in refs if r.get("uid") != owner_ref.get("uid")] + [dict(owner_ref)]
    return _merge_body(meta, refs)


def release_patch(
    obj: Mapping[str, Any],
    owner_uid: str,
    patch_type: PatchType = PatchType.STRATEGIC,
) -> KubeObject:
    """The patch that drops every owner reference with ``owner_uid`` from ``obj``."""
    meta = metadata(obj)
    if patch_type is PatchType.STRATEGIC:
        delete = {"$patch": "delete", "uid": owner_uid}
        return {"metadata": {"ownerReferences": [delete], "uid": meta.get("uid")}}
    refs = [
        copy.deepcopy(r) for r in meta.get("ownerReferences") or () if r.get("uid") != owner_uid
    ]
    return _merge_body(meta, refs)


def _merge_body(meta: Mapping[str, Any], refs: list[dict[str, Any]]) -> KubeObject:
    body: dict[str, Any] = {"uid": meta.get("uid"), "ownerReferences": refs or None}
    if meta.get("resourceVersion"):
        body["resourceVersion"] = meta["resourceVersion"]
    return {"metadata": body}


class ClaimAction(StrEnum):
    KEEP = "keep"  # ours and still selected
    ADOPT = "adopt"  # an orphan the selector matches: patch to take it
    RELEASE = "release"  # ours but no longer selected: patch to let it go
    IGNORE = "ignore"  # someone else's, or not ours to take or release now


def claim_action(
    obj: Mapping[str, Any], owner: Mapping[str, Any], selector: Selector
) -> ClaimAction:
    """What ``owner`` should do about ``obj``, as ``ClaimObject`` decides it."""
    ref = _controller_ref(obj)
    if ref is not None:
        uid = uid_of(owner)
        if not uid or ref.get("uid") != uid:
            return ClaimAction.IGNORE
        if selector.matches_object(obj):
            return ClaimAction.KEEP
        return ClaimAction.IGNORE if is_being_deleted(owner) else ClaimAction.RELEASE
    if is_being_deleted(owner) or is_being_deleted(obj) or not selector.matches_object(obj):
        return ClaimAction.IGNORE
    return ClaimAction.ADOPT


@dataclass(frozen=True)
class PendingPatch:
    """A patch to send to one object for an adoption or a release."""

    obj: Mapping[str, Any]
    body: KubeObject
    patch_type: PatchType


@dataclass
class Claims:
    """The result of ``claim``: objects to keep, and the patches to adopt or release."""

    owned: list[Mapping[str, Any]] = field(default_factory=list)
    adopt: list[PendingPatch] = field(default_factory=list)
    release: list[PendingPatch] = field(default_factory=list)


def claim(
    objs: Iterable[Mapping[str, Any]],
    owner: Mapping[str, Any],
    selector: Selector,
    *,
    owner_ref: OwnerReference | None = None,
    patch_type: PatchType = PatchType.STRATEGIC,
) -> Claims:
    """Sort ``objs`` into kept, to-adopt and to-release, with the patch for each change.

    ``owner_ref`` defaults to ``new_controller_ref(owner)``. An adopted object joins the
    owner's set once its patch succeeds; before adopting, Kubernetes re-reads the owner
    from the API server to make sure it still exists and is not being deleted.
    """
    claims = Claims()
    owner_uid = uid_of(owner)
    for obj in objs:
        action = claim_action(obj, owner, selector)
        if action is ClaimAction.KEEP:
            claims.owned.append(obj)
        elif action is ClaimAction.ADOPT:
            ref = owner_ref or new_controller_ref(owner)
            body = adopt_patch(obj, ref, patch_type)
            claims.adopt.append(PendingPatch(obj, body, patch_type))
        elif action is ClaimAction.RELEASE:
            body = release_patch(obj, owner_uid, patch_type)
            claims.release.append(PendingPatch(obj, body, patch_type))
    return claims
