"""Helpers every command shares: read an object, write a patch computed from a fresh
read (retried when someone else wrote first), and report the result as kubectl does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from kruise.runtime.client import Conflict, KubeObject, NotFound, Patch, PatchType
from kubectl_kruise.printing import emit, render
from kubectl_kruise.resources import Target
from kubectl_kruise.session import Session

CONFLICT_ATTEMPTS = 5


class CommandError(Exception):
    """A failure the command explains in one line (``error: <message>``)."""


class NothingToDo(CommandError):
    """The object is already as asked (e.g. ``rollout pause`` of a paused workload)."""


async def get(session: Session, target: Target) -> KubeObject:
    """The object, read from the API server; a kubectl-style error when it is missing."""
    try:
        return await session.client.get(target.kind.resource, target.name, session.namespace)
    except NotFound:
        plural = f"{target.kind.resource.plural}.{target.kind.resource.group}".rstrip(".")
        raise CommandError(
            f'{plural} "{target.name}" not found in namespace "{session.namespace}"'
        ) from None


Builder = Callable[[KubeObject], Patch]


async def patch_fresh(
    session: Session,
    target: Target,
    build: Builder,
    *,
    patch_type: PatchType = PatchType.MERGE,
    dry_run: bool = False,
) -> KubeObject:
    """Read the object, build a patch from it and write it, guarded by the object's
    resourceVersion; on a conflict read again and rebuild. ``build`` may raise
    ``CommandError``."""
    for attempt in range(CONFLICT_ATTEMPTS):
        obj = await get(session, target)
        patch = _guarded(build(obj), patch_type, obj)
        try:
            return await session.client.patch(
                target.kind.resource,
                target.name,
                patch,
                session.namespace,
                patch_type=patch_type,
                dry_run=dry_run,
            )
        except Conflict:
            if attempt == CONFLICT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _guarded(patch: Patch, patch_type: PatchType, obj: KubeObject) -> Patch:
    version = (obj.get("metadata") or {}).get("resourceVersion")
    if not version:
        return patch
    if patch_type is PatchType.JSON and isinstance(patch, list):
        # Writing the version read makes the API server refuse a stale patch with 409.
        return [{"op": "replace", "path": "/metadata/resourceVersion", "value": version}, *patch]
    if isinstance(patch, dict):
        metadata = {**(patch.get("metadata") or {}), "resourceVersion": version}
        return {**patch, "metadata": metadata}
    return patch


def report(session: Session, target: Target, obj: KubeObject, verb: str) -> None:
    """``cloneset.apps.kruise.io/web <verb>``, or the object in the ``-o`` format."""
    if session.output:
        emit(session.out, render(obj, session.output, str(target)))
    else:
        emit(session.out, f"{target} {verb}\n")


async def for_each(
    session: Session, targets: list[Target], act: Callable[[Target], Awaitable[Any]]
) -> int:
    """Run ``act`` for every target, as kubectl does for several names: report each
    failure as it happens and exit 1 if any failed."""
    failed = False
    for target in targets:
        try:
            await act(target)
        except CommandError as err:
            emit(
                session.err,
                f"error: {target} {err}\n" if isinstance(err, NothingToDo) else f"error: {err}\n",
            )
            failed = True
    return 1 if failed else 0
