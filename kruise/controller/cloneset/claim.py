"""Which of the pods naming a CloneSet it keeps, adopts or lets go.

OpenKruise lists a CloneSet's pods by owner uid (any owner reference, controller or not)
and runs Kubernetes' ControllerRefManager rules over the active ones: a pod whose
controller is another object is ignored (neither kept nor released); one the CloneSet
controls is kept while the selector matches it, and released otherwise (unless the
CloneSet is being deleted); one without a controller is adopted when the selector matches
it and neither side is being deleted. Before the first adoption the CloneSet is read
fresh from the API server, so a CloneSet deleted or replaced meanwhile adopts nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kruise.apis.apps.v1alpha1 import API_VERSION, CLONESETS
from kruise.controller.cloneset.instances import CLONESET_KIND
from kruise.runtime import labels
from kruise.runtime.client import PODS, Client, ClientError, NotFound
from kruise.runtime.meta import is_being_deleted, name_of, namespace_of, uid_of
from kruise.runtime.reconcile import ReconcileError
from kruise.util.controllerref import PendingPatch, claim, new_controller_ref


class ClaimError(ReconcileError):
    """A pod could not be adopted or released; the reconcile retries."""


async def claim_pods(
    client: Client,
    cloneset: Mapping[str, Any],
    pods: Sequence[Mapping[str, Any]],
    selector: labels.Selector,
) -> list[Mapping[str, Any]]:
    """The pods ``cloneset`` keeps, in their order (adopted ones as written); adoptions
    and releases are sent first. Raises ``ClaimError`` when one was refused."""
    ref = new_controller_ref(cloneset, api_version=API_VERSION, kind=CLONESET_KIND)
    claims = claim(pods, cloneset, selector, owner_ref=ref)
    errors: list[str] = []
    for pending in claims.release:
        await _send(client, pending, errors)
    adopted: dict[str, Mapping[str, Any]] = {}
    if claims.adopt:
        refusal = await _cannot_adopt(client, cloneset)
        for pending in claims.adopt:
            if refusal:
                errors.append(f"can't adopt pod {name_of(pending.obj)}: {refusal}")
                continue
            written = await _send(client, pending, errors)
            if written is not None:
                adopted[uid_of(pending.obj)] = written
    if errors:
        raise ClaimError("; ".join(errors))
    if not adopted and len(claims.owned) == len(pods):
        return list(pods)  # the usual case: every pod is ours already
    kept = {uid_of(p) for p in claims.owned}
    return [adopted.get(uid_of(p), p) for p in pods if uid_of(p) in kept or uid_of(p) in adopted]


async def _cannot_adopt(client: Client, cloneset: Mapping[str, Any]) -> str:
    """Why ``cloneset`` may not adopt now (gone, replaced or being deleted); "" if it may."""
    try:
        fresh = await client.get(CLONESETS, name_of(cloneset), namespace_of(cloneset))
    except ClientError as err:
        return str(err)
    if uid_of(fresh) != uid_of(cloneset):
        return f"original owner {name_of(cloneset)} is gone: got uid {uid_of(fresh)}"
    if is_being_deleted(fresh):
        return f"{name_of(cloneset)} has just been deleted"
    return ""


async def _send(
    client: Client, pending: PendingPatch, errors: list[str]
) -> Mapping[str, Any] | None:
    """Send one adoption or release; a pod already gone is no error."""
    obj = pending.obj
    try:
        return await client.patch(
            PODS, name_of(obj), pending.body, namespace_of(obj), patch_type=pending.patch_type
        )
    except NotFound:
        return None
    except ClientError as err:
        errors.append(f"pod {name_of(obj)}: {err}")
        return None
