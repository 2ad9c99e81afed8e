"""``scale --replicas N [--pods-to-delete a,b] TYPE/NAME``.

For a CloneSet, ``--pods-to-delete`` adds pods to ``spec.scaleStrategy.podsToDelete``:
the controller deletes exactly those. With ``--replicas`` lowered by as many, they are
gone for good (a scale-in that picks its victims); with ``replicas`` unchanged, the
CloneSet replaces them with new pods. Advanced StatefulSets and Deployments take
``--replicas`` only (an Advanced StatefulSet drops given ordinals with ``reserve``).
"""

from __future__ import annotations

import argparse
from typing import Any

from kruise.runtime.client import PODS, KubeObject, NotFound
from kubectl_kruise import flags
from kubectl_kruise.common import CommandError, for_each, get, patch_fresh, report
from kubectl_kruise.resources import CLONESET, DEPLOYMENT, WORKLOADS, Target, parse_targets
from kubectl_kruise.session import Session


def register(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``scale``."""
    scale = commands.add_parser(
        "scale", parents=parents, help="set the replicas, or delete chosen pods of a CloneSet"
    )
    scale.add_argument("resource", nargs="+", metavar="TYPE/NAME")
    scale.add_argument("--replicas", type=flags.replicas, help="the new number of replicas")
    scale.add_argument(
        "--pods-to-delete",
        type=flags.names,
        default=[],
        help="CloneSet only: comma-separated pods to delete (added to scaleStrategy.podsToDelete)",
    )
    scale.add_argument(
        "--current-replicas",
        type=flags.replicas,
        help="precondition: scale only if replicas is this now",
    )
    scale.add_argument("--dry-run", action="store_true", help="ask the server, change nothing")
    scale.set_defaults(handler=scale_workload)


def scale_patch(
    obj: KubeObject,
    replicas: int | None,
    pods_to_delete: list[str],
    current_replicas: int | None = None,
) -> KubeObject:
    """The merge patch for ``replicas`` and the pods to add to ``podsToDelete``."""
    spec = obj.get("spec") or {}
    if current_replicas is not None and int(spec.get("replicas", 1)) != current_replicas:
        raise CommandError(
            f"expected replicas to be {current_replicas}, was {spec.get('replicas', 1)}"
        )
    patch: KubeObject = {}
    if replicas is not None:
        patch["replicas"] = replicas
    if pods_to_delete:
        listed = list((spec.get("scaleStrategy") or {}).get("podsToDelete") or [])
        merged = listed + [name for name in pods_to_delete if name not in listed]
        patch["scaleStrategy"] = {"podsToDelete": merged}
    return {"spec": patch}


def _owned_by(pod: KubeObject, owner: KubeObject) -> bool:
    uid = (owner.get("metadata") or {}).get("uid")
    refs = (pod.get("metadata") or {}).get("ownerReferences") or ()
    return any(ref.get("controller") and ref.get("uid") == uid for ref in refs)


async def _check_pods(session: Session, target: Target, names: list[str]) -> None:
    """Every pod named exists and belongs to the CloneSet, so a typo deletes nothing."""
    owner = await get(session, target)
    for name in names:
        try:
            pod = await session.client.get(PODS, name, session.namespace)
        except NotFound:
            raise CommandError(
                f'pods "{name}" not found in namespace "{session.namespace}"'
            ) from None
        if not _owned_by(pod, owner):
            raise CommandError(f'pod "{name}" does not belong to {target}')


async def scale_workload(session: Session, args: argparse.Namespace) -> int:
    """Patch replicas and podsToDelete."""
    if args.replicas is None and not args.pods_to_delete:
        raise CommandError("--replicas=COUNT or --pods-to-delete=POD,... is required")
    targets = parse_targets(args.resource, (*WORKLOADS, DEPLOYMENT))
    if args.pods_to_delete and any(t.kind is not CLONESET for t in targets):
        raise CommandError(
            "--pods-to-delete is for CloneSets; an Advanced StatefulSet drops ordinals "
            "with `kubectl kruise reserve`"
        )

    async def scale(target: Target) -> None:
        if args.pods_to_delete:
            await _check_pods(session, target, args.pods_to_delete)
        patched = await patch_fresh(
            session,
            target,
            lambda obj: scale_patch(obj, args.replicas, args.pods_to_delete, args.current_replicas),
            dry_run=args.dry_run,
        )
        report(session, target, patched, "scaled (server dry run)" if args.dry_run else "scaled")

    return await for_each(session, targets, scale)
