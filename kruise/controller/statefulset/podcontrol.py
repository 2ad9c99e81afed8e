"""Creating, repairing and deleting a set's pods and their claims, with the Events
Kubernetes' and OpenKruise's StatefulSet controllers record (``SuccessfulCreate``,
``FailedCreate``, ``SuccessfulUpdate``, ``FailedUpdate``, ``SuccessfulDelete``,
``FailedDelete``).

A pod's claims are created before the pod. A claim of the right name that is being
deleted, or that another controller owns (another set, say), stops the pod: it is never
taken over. ``claims`` arguments map claim names to the claims the cache holds in the
set's namespace; a claim missing there is looked up once more before it is created.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.v1alpha1 import LIFECYCLE_PREPARING_DELETE
from kruise.controller.statefulset import identity, retention
from kruise.controller.statefulset.context import Deps
from kruise.controller.statefulset.podstate import set_lifecycle_state
from kruise.runtime.client import (
    PERSISTENT_VOLUME_CLAIMS,
    PODS,
    AlreadyExists,
    ClientError,
    Conflict,
    KubeObject,
    NotFound,
)
from kruise.runtime.reconcile import ReconcileError
from kruise.util import lifecycle
from kruise.util.controllerref import is_controlled_by

Obj = Mapping[str, Any]
Claims = Mapping[str, Obj]
UPDATE_ATTEMPTS = 5


class ClaimError(ReconcileError):
    """A claim a pod needs cannot be used (being deleted, or someone else's)."""


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _namespace(obj: Obj) -> str | None:
    return (obj.get("metadata") or {}).get("namespace")


def record_pod_event(
    deps: Deps, sts: Obj, verb: str, pod: Obj, error: BaseException | None
) -> None:
    """``Successful<Verb>`` or ``Failed<Verb>`` on the set, worded as Kubernetes does."""
    set_name, pod_name = _name(sts), _name(pod)
    if error is None:
        message = f"{verb} Pod {pod_name} in StatefulSet {set_name} successful"
        deps.recorder.event(dict(sts), "Normal", f"Successful{verb.title()}", message)
    else:
        message = f"{verb} Pod {pod_name} in StatefulSet {set_name} failed error: {error}"
        deps.recorder.event(dict(sts), "Warning", f"Failed{verb.title()}", message)


def _record_claim_event(
    deps: Deps, sts: Obj, pod: Obj, claim: Obj, error: BaseException | None
) -> None:
    set_name, pod_name, claim_name = _name(sts), _name(pod), _name(claim)
    if error is None:
        message = f"create Claim {claim_name} Pod {pod_name} in StatefulSet {set_name} success"
        deps.recorder.event(dict(sts), "Normal", "SuccessfulCreate", message)
    else:
        message = (
            f"create Claim {claim_name} for Pod {pod_name} in StatefulSet {set_name} "
            f"failed error: {error}"
        )
        deps.recorder.event(dict(sts), "Warning", "FailedCreate", message)


# --- claims -------------------------------------------------------------------------------


async def _lookup(deps: Deps, claims: Claims, name: str, namespace: str | None) -> Obj | None:
    found = claims.get(name)
    if found is not None:
        return found
    try:
        return await deps.client.get(PERSISTENT_VOLUME_CLAIMS, name, namespace)
    except NotFound:
        return None


def _refuse_claim(sts: Obj, pod: Obj, claim: Obj) -> ClaimError | None:
    """Why ``claim`` cannot serve ``pod``, if it cannot."""
    if (claim.get("metadata") or {}).get("deletionTimestamp"):
        return ClaimError(f"pvc {_name(claim)} is being deleted")
    # A reference to a pod of this name is left from an earlier pod: the garbage
    # collector deletes such a claim, and ``claim_is_stale`` waits for it.
    foreign = retention.foreign_controller(claim, sts, pod)
    if foreign is not None and not (
        foreign.get("kind") == retention.POD_KIND and foreign.get("name") == _name(pod)
    ):
        return ClaimError(
            f"pvc {_name(claim)} is controlled by {foreign.get('kind')} {foreign.get('name')}, "
            f"not by StatefulSet {_name(sts)}"
        )
    return None


async def create_claims(deps: Deps, sts: Obj, pod: Obj, claims: Claims) -> None:
    """Create the claims ``pod`` needs that do not exist; raise ClaimError (after trying
    every claim) when one cannot be created or used."""
    errors: list[str] = []
    for claim in identity.claims_for(sts, identity.ordinal_of(pod)).values():
        existing = await _lookup(deps, claims, _name(claim), _namespace(claim))
        if existing is None:
            try:
                existing = await deps.client.create(PERSISTENT_VOLUME_CLAIMS, claim)
            except AlreadyExists:
                existing = await _lookup(deps, {}, _name(claim), _namespace(claim))
            except ClientError as err:
                _record_claim_event(deps, sts, pod, claim, err)
                errors.append(f"failed to create PVC {_name(claim)}: {err}")
                continue
            else:
                _record_claim_event(deps, sts, pod, claim, None)
        refused = _refuse_claim(sts, pod, existing) if existing is not None else None
        if refused is not None:
            errors.append(str(refused))
    if errors:
        raise ClaimError("; ".join(errors))


def claim_is_stale(sts: Obj, pod: Obj, claims: Claims) -> bool:
    """With ``whenScaled: Delete``, a claim still referring to an earlier pod of this name
    blocks the new pod until the garbage collector has deleted the claim."""
    if retention.policy_of(sts).when_scaled != retention.DELETE:
        return False
    for claim in identity.claims_for(sts, identity.ordinal_of(pod)).values():
        existing = claims.get(_name(claim))
        if existing is None:
            continue
        for ref in (existing.get("metadata") or {}).get("ownerReferences") or ():
            same_pod = ref.get("kind") == retention.POD_KIND and ref.get("name") == _name(pod)
            if same_pod and ref.get("uid") != (pod.get("metadata") or {}).get("uid"):
                return True
    return False


async def fix_claim_owners(
    deps: Deps, sts: Obj, pod: Obj, claims: Claims, *, scaled_in: bool
) -> bool:
    """Give ``pod``'s existing claims the owner references the retention policy wants;
    True when a claim was written."""
    written = False
    for claim in identity.claims_for(sts, identity.ordinal_of(pod)).values():
        existing = claims.get(_name(claim))
        if existing is None:
            continue
        if retention.owners_up_to_date(existing, sts, pod, scaled_in=scaled_in):
            continue
        wanted = retention.with_owners(existing, sts, pod, scaled_in=scaled_in)
        meta = existing["metadata"]
        body = {
            "metadata": {
                "resourceVersion": meta.get("resourceVersion"),
                "ownerReferences": wanted["metadata"]["ownerReferences"] or None,
            }
        }
        try:
            await deps.client.patch(
                PERSISTENT_VOLUME_CLAIMS, _name(existing), body, meta.get("namespace")
            )
        except NotFound:
            continue
        written = True
    return written


def claim_owners_match(sts: Obj, pod: Obj, claims: Claims, *, scaled_in: bool) -> bool:
    """Whether every existing claim of ``pod`` follows the retention policy."""
    for claim in identity.claims_for(sts, identity.ordinal_of(pod)).values():
        existing = claims.get(_name(claim))
        if existing is not None and not retention.owners_up_to_date(
            existing, sts, pod, scaled_in=scaled_in
        ):
            return False
    return True


# --- pods ---------------------------------------------------------------------------------


async def create_pod(deps: Deps, sts: Obj, pod: KubeObject, claims: Claims) -> KubeObject:
    """Create ``pod``'s claims, then ``pod``; then point the claims at their owners.

    A pod of that name the set already controls (the cache had not shown it yet) counts as
    created; one that is not the set's is an error.
    """
    try:
        await create_claims(deps, sts, pod, claims)
    except ClaimError as err:
        record_pod_event(deps, sts, "create", pod, err)
        raise
    try:
        created = await deps.client.create(PODS, pod)
    except AlreadyExists as err:
        existing = await deps.client.get(PODS, _name(pod), _namespace(pod))
        if is_controlled_by(existing, sts):
            return existing
        record_pod_event(deps, sts, "create", pod, err)
        raise
    except ClientError as err:
        record_pod_event(deps, sts, "create", pod, err)
        raise
    if (sts.get("spec") or {}).get("volumeClaimTemplates"):
        fresh = dict(claims)
        await _refresh_claims(deps, sts, created, fresh)
        await fix_claim_owners(deps, sts, created, fresh, scaled_in=False)
    record_pod_event(deps, sts, "create", created, None)
    return created


async def _refresh_claims(deps: Deps, sts: Obj, pod: Obj, claims: dict[str, Obj]) -> None:
    """Read the claims ``pod`` just got (the cache has not seen new ones yet)."""
    for claim in identity.claims_for(sts, identity.ordinal_of(pod)).values():
        if _name(claim) not in claims:
            found = await _lookup(deps, {}, _name(claim), _namespace(claim))
            if found is not None:
                claims[_name(claim)] = found


async def update_pod(deps: Deps, sts: Obj, pod: Obj, claims: Claims) -> None:
    """Repair a pod whose identity, storage or claim ownership drifted from ``sts``
    (retrying on conflicts with a fresh read)."""
    current: KubeObject = copy.deepcopy(dict(pod))
    for attempt in range(UPDATE_ATTEMPTS):
        consistent = True
        if not identity.identity_matches(sts, current):
            identity.update_identity(sts, current)
            consistent = False
        try:
            if not identity.storage_matches(sts, current):
                identity.update_storage(sts, current)
                consistent = False
                await create_claims(deps, sts, current, claims)
            if not claim_owners_match(sts, current, claims, scaled_in=False):
                await fix_claim_owners(deps, sts, current, claims, scaled_in=False)
        except (ClaimError, ClientError) as err:
            record_pod_event(deps, sts, "update", current, err)
            raise
        if consistent:
            return
        try:
            written = await deps.client.update(PODS, current)
        except Conflict:
            if attempt == UPDATE_ATTEMPTS - 1:
                raise
            current = await deps.client.get(PODS, _name(pod), _namespace(pod))
            continue
        except ClientError as err:
            record_pod_event(deps, sts, "update", current, err)
            raise
        deps.resource_versions.expect(written)
        record_pod_event(deps, sts, "update", written, None)
        return


async def delete_or_hold(deps: Deps, sts: Obj, pod: Obj) -> tuple[bool, bool]:
    """Delete ``pod``, unless the set's ``preDelete`` hook holds it: then move it to
    ``PreparingDelete`` (once) and leave it. Returns (something was written, the delete
    was sent)."""
    hook = ((sts.get("spec") or {}).get("lifecycle") or {}).get("preDelete")
    if lifecycle.is_hooked(pod, hook):
        if lifecycle.state_of(pod) == LIFECYCLE_PREPARING_DELETE:
            return False, False
        await set_lifecycle_state(deps, pod, LIFECYCLE_PREPARING_DELETE)
        return True, False
    meta = pod.get("metadata") or {}
    try:
        await deps.client.delete(PODS, _name(pod), meta.get("namespace"), uid=meta.get("uid"))
    except NotFound:
        return True, True
    except ClientError as err:
        record_pod_event(deps, sts, "delete", pod, err)
        raise
    record_pod_event(deps, sts, "delete", pod, None)
    return True, True


async def delete_pod(deps: Deps, set: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
    """Delete ``pod`` of ``set``; True when the delete was sent, False when the set's
    ``preDelete`` hook holds the pod in ``PreparingDelete`` instead."""
    _, deleted = await delete_or_hold(deps, set, pod)
    return deleted
