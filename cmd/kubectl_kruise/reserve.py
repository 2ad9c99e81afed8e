"""``reserve`` / ``unreserve`` ordinals of an Advanced StatefulSet
(``spec.reserveOrdinals``).

``replicas`` is the number of pods that run, whichever ordinals they have. So by
default reserving ordinal 1 of a 4-pod set deletes pod 1 and creates the next free
ordinal (still 4 pods), and unreserving brings pod 1 back and removes the highest one.
With ``--keep-others``, ``replicas`` moves by the number of running ordinals reserved
(or of ordinals given back below the highest), so only the named pods go or come and
every other pod keeps running.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

from kruise.apis.apps.v1beta1.ordinals import (
    InvalidReservedOrdinal,
    ordinal_range,
    parse_entry,
    reserved_ordinals,
)
from kruise.runtime.client import KubeObject
from kubectl_kruise import flags
from kubectl_kruise.common import CommandError, NothingToDo, for_each, patch_fresh, report
from kubectl_kruise.resources import ADVANCED_STATEFULSET, Target, parse_target
from kubectl_kruise.session import Session

Entry = int | str


def register(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``reserve`` and ``unreserve``."""
    for verb, handler, text in (
        ("reserve", reserve, "reserve ordinals of an Advanced StatefulSet: their pods go"),
        ("unreserve", unreserve, "give reserved ordinals back to an Advanced StatefulSet"),
    ):
        sub = commands.add_parser(verb, parents=parents, help=text)
        sub.add_argument("resource", metavar="TYPE/NAME", help="e.g. asts/web")
        sub.add_argument("ordinals", nargs="+", metavar="ORDINAL", help="numbers or ranges: 1 3-5")
        sub.add_argument(
            "--keep-others",
            action="store_true",
            help="change replicas so that no other pod is created or deleted",
        )
        sub.set_defaults(handler=handler)


def _spec(obj: KubeObject) -> dict[str, Any]:
    return dict(obj.get("spec") or {})


def _replicas(spec: dict[str, Any]) -> int:
    return 1 if spec.get("replicas") is None else int(spec["replicas"])


def reserve_patch(obj: KubeObject, ordinals: Iterable[int], keep_others: bool) -> KubeObject:
    """Add ``ordinals`` to ``reserveOrdinals``; with ``keep_others``, lower replicas by
    the number of them that run now."""
    spec = _spec(obj)
    entries: list[Entry] = list(spec.get("reserveOrdinals") or [])
    reserved = _reserved(entries)
    added = [o for o in ordinals if o not in reserved]
    if not added:
        raise NothingToDo("already has these ordinals reserved")
    running = set(ordinal_range(spec).ordinals())
    patch: KubeObject = {"reserveOrdinals": entries + added}
    if keep_others:
        patch["replicas"] = max(_replicas(spec) - len(running.intersection(added)), 0)
    return {"spec": patch}


def unreserve_patch(obj: KubeObject, ordinals: Iterable[int], keep_others: bool) -> KubeObject:
    """Take ``ordinals`` out of ``reserveOrdinals`` (splitting ranges); with
    ``keep_others``, raise replicas by the number of them below the highest running one."""
    spec = _spec(obj)
    entries: list[Entry] = list(spec.get("reserveOrdinals") or [])
    reserved = _reserved(entries)
    removed = {o for o in ordinals if o in reserved}
    if not removed:
        raise NothingToDo("has none of these ordinals reserved")
    kept: list[Entry] = []
    for index, entry in enumerate(entries):
        span = parse_entry(index, entry)
        if not removed.intersection(span):
            kept.append(entry)
            continue
        kept.extend(_pieces([o for o in span if o not in removed]))
    window = ordinal_range(spec)
    patch: KubeObject = {"reserveOrdinals": kept or None}
    if keep_others:
        inside = [o for o in removed if window.start <= o < window.end]
        patch["replicas"] = _replicas(spec) + len(inside)
    return {"spec": patch}


def _reserved(entries: list[Entry]) -> frozenset[int]:
    try:
        return reserved_ordinals(entries)
    except InvalidReservedOrdinal as err:
        raise CommandError(f"spec.{err}") from None


def _pieces(ordinals: list[int]) -> list[Entry]:
    """Sorted ordinals as entries: runs of two or more as ``"a-b"``, others as numbers."""
    pieces: list[Entry] = []
    run: list[int] = []
    for ordinal in [*sorted(ordinals), -2]:
        if run and ordinal == run[-1] + 1:
            run.append(ordinal)
            continue
        if len(run) > 1:
            pieces.append(f"{run[0]}-{run[-1]}")
        elif run:
            pieces.append(run[0])
        run = [ordinal]
    return pieces


def _target(args: argparse.Namespace) -> tuple[Target, list[int]]:
    target = parse_target(args.resource, (ADVANCED_STATEFULSET,))
    try:
        return target, flags.ordinals(args.ordinals)
    except ValueError as err:
        raise CommandError(str(err)) from None


async def reserve(session: Session, args: argparse.Namespace) -> int:
    """Patch ``reserveOrdinals`` (and ``replicas`` with ``--keep-others``)."""
    target, ordinals = _target(args)

    async def act(t: Target) -> None:
        patched = await patch_fresh(
            session, t, lambda obj: reserve_patch(obj, ordinals, args.keep_others)
        )
        report(session, t, patched, "reserved " + _listed(ordinals))

    return await for_each(session, [target], act)


async def unreserve(session: Session, args: argparse.Namespace) -> int:
    """Patch ``reserveOrdinals`` (and ``replicas`` with ``--keep-others``)."""
    target, ordinals = _target(args)

    async def act(t: Target) -> None:
        patched = await patch_fresh(
            session, t, lambda obj: unreserve_patch(obj, ordinals, args.keep_others)
        )
        report(session, t, patched, "unreserved " + _listed(ordinals))

    return await for_each(session, [target], act)


def _listed(ordinals: list[int]) -> str:
    return "ordinal " + ",".join(str(o) for o in ordinals)
