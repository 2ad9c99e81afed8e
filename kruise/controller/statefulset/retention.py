"""``persistentVolumeClaimRetentionPolicy``: which owner references a pod's claims carry.

As Kubernetes 1.32 StatefulSets do it (always on, no feature gate): ``whenDeleted:
Delete`` makes the set the claim's controller, so the garbage collector deletes the claim
with the set; ``whenScaled: Delete`` makes the pod of a scaled-in ordinal the claim's
controller, so the claim goes once that pod is gone; ``Retain`` (the default for both)
leaves claims without our references. A claim whose reference to the set or pod of the
same name has another uid (left by an earlier set) is not touched; nor is one another
controller owns, except that our own references are taken off it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.v1beta1 import API_VERSION
from kruise.controller.statefulset.identity import STATEFULSET_KIND
from kruise.runtime.client import KubeObject

RETAIN = "Retain"
DELETE = "Delete"
POD_API_VERSION = "v1"
POD_KIND = "Pod"

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Policy:
    when_deleted: str = RETAIN
    when_scaled: str = RETAIN

    @property
    def retains_all(self) -> bool:
        return DELETE not in (self.when_deleted, self.when_scaled)


def policy_of(sts: Obj) -> Policy:
    """The set's policy; an unset or unknown value counts as ``Retain``."""
    raw = (sts.get("spec") or {}).get("persistentVolumeClaimRetentionPolicy") or {}
    deleted = DELETE if raw.get("whenDeleted") == DELETE else RETAIN
    scaled = DELETE if raw.get("whenScaled") == DELETE else RETAIN
    return Policy(deleted, scaled)


def _refs(obj: Obj) -> list[Mapping[str, Any]]:
    return list((obj.get("metadata") or {}).get("ownerReferences") or ())


def _uid(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("uid") or "")


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _matches(ref: Mapping[str, Any], obj: Obj, api_version: str, kind: str) -> bool:
    """Same apiVersion, kind and name (the uid aside)."""
    return (
        ref.get("apiVersion") == api_version
        and ref.get("kind") == kind
        and ref.get("name") == _name(obj)
    )


def _is_set_ref(ref: Mapping[str, Any], sts: Obj) -> bool:
    return _matches(ref, sts, API_VERSION, STATEFULSET_KIND)


def _is_pod_ref(ref: Mapping[str, Any], pod: Obj) -> bool:
    return _matches(ref, pod, POD_API_VERSION, POD_KIND)


def has_owner(claim: Obj, owner: Obj) -> bool:
    uid = _uid(owner)
    return bool(uid) and any(r.get("uid") == uid for r in _refs(claim))


def has_stale_owner(claim: Obj, sts: Obj, pod: Obj) -> bool:
    """A reference to a set or pod of the same name but another uid."""
    for ref in _refs(claim):
        if _is_set_ref(ref, sts) and ref.get("uid") != _uid(sts):
            return True
        if _is_pod_ref(ref, pod) and ref.get("uid") != _uid(pod):
            return True
    return False


def foreign_controller(claim: Obj, sts: Obj, pod: Obj | None = None) -> Mapping[str, Any] | None:
    """The controller reference of ``claim`` that is neither ``sts`` nor ``pod`` (by uid)."""
    ours = {_uid(sts)} | ({_uid(pod)} if pod is not None else set())
    for ref in _refs(claim):
        if ref.get("controller") is True and ref.get("uid") not in ours:
            return ref
    return None


def _has_non_controller_ref(claim: Obj, sts: Obj, pod: Obj) -> bool:
    ours = {_uid(sts), _uid(pod)}
    return any(r.get("uid") in ours and r.get("controller") is not True for r in _refs(claim))


def _wanted(policy: Policy, scaled_in: bool) -> tuple[bool, bool]:
    """Whether the claim should be owned by (the set, the pod)."""
    if scaled_in and policy.when_scaled == DELETE:
        return False, True
    return policy.when_deleted == DELETE, False


def owners_up_to_date(claim: Obj, sts: Obj, pod: Obj, *, scaled_in: bool) -> bool:
    """Whether ``claim``'s references already follow the set's policy for ``pod``
    (``scaled_in``: the pod's ordinal is outside the set's range)."""
    policy = policy_of(sts)
    if has_stale_owner(claim, sts, pod):
        return True
    if not policy.retains_all and foreign_controller(claim, sts, pod) is not None:
        return not (has_owner(claim, sts) or has_owner(claim, pod))
    if _has_non_controller_ref(claim, sts, pod):
        return False
    want_set, want_pod = _wanted(policy, scaled_in)
    return has_owner(claim, sts) == want_set and has_owner(claim, pod) == want_pod


def _controller_ref(owner: Obj, api_version: str, kind: str) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": _name(owner),
        "uid": _uid(owner),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def with_owners(claim: Obj, sts: Obj, pod: Obj, *, scaled_in: bool) -> KubeObject:
    """A copy of ``claim`` whose references follow the policy: ours scrubbed, then the set
    and/or the pod added as controller (nothing added under another controller)."""
    policy = policy_of(sts)
    foreign = not policy.retains_all and foreign_controller(claim, sts, pod) is not None
    refs = [
        copy.deepcopy(dict(r))
        for r in _refs(claim)
        if not (_is_set_ref(r, sts) or _is_pod_ref(r, pod))
    ]
    if not foreign:
        want_set, want_pod = _wanted(policy, scaled_in)
        if want_set:
            refs.append(_controller_ref(sts, API_VERSION, STATEFULSET_KIND))
        if want_pod:
            refs.append(_controller_ref(pod, POD_API_VERSION, POD_KIND))
    out = copy.deepcopy(dict(claim))
    out.setdefault("metadata", {})["ownerReferences"] = refs
    return out
