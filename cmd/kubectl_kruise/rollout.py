"""``rollout status|history|undo|pause|resume|restart`` for CloneSets and Advanced
StatefulSets."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import yaml

from kruise.runtime.client import CONTROLLER_REVISIONS, KubeObject, PatchType
from kubectl_kruise import history, status
from kubectl_kruise.common import CommandError, NothingToDo, for_each, get, patch_fresh, report
from kubectl_kruise.flags import duration, parse_bool
from kubectl_kruise.printing import as_list, emit, render, table
from kubectl_kruise.resources import Target, parse_targets
from kubectl_kruise.session import Session

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
POLL_SECONDS = 1.0


def register(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``rollout`` and its subcommands."""
    rollout = commands.add_parser(
        "rollout", parents=parents, help="manage the rollout of a CloneSet or Advanced StatefulSet"
    )
    verbs = rollout.add_subparsers(dest="verb", metavar="COMMAND", required=True)

    watch = verbs.add_parser("status", parents=parents, help="show the status of the rollout")
    watch.add_argument("resource", nargs="+", metavar="TYPE/NAME")
    watch.add_argument(
        "-w",
        "--watch",
        type=parse_bool,
        nargs="?",
        const=True,
        default=True,
        help="wait until the rollout is done (default true; --watch=false looks once)",
    )
    watch.add_argument(
        "--timeout",
        type=duration,
        default=0.0,
        help="how long to wait before giving up, e.g. 30s or 5m (default 0: for ever)",
    )
    watch.set_defaults(handler=rollout_status)

    past = verbs.add_parser("history", parents=parents, help="view the rollout history")
    past.add_argument("resource", nargs="+", metavar="TYPE/NAME")
    past.add_argument(
        "--revision", type=int, default=0, help="show the pod template of this revision"
    )
    past.set_defaults(handler=rollout_history)

    undo = verbs.add_parser("undo", parents=parents, help="roll back to an earlier revision")
    undo.add_argument("resource", nargs="+", metavar="TYPE/NAME")
    undo.add_argument(
        "--to-revision",
        type=int,
        default=0,
        help="the revision to go back to (default: the previous one)",
    )
    undo.add_argument("--dry-run", action="store_true", help="print the template, change nothing")
    undo.set_defaults(handler=rollout_undo)

    for verb, handler, text in (
        ("pause", rollout_pause, "pause updates (spec.updateStrategy.paused)"),
        ("resume", rollout_resume, "resume paused updates"),
        ("restart", rollout_restart, "restart the pods through a template annotation"),
    ):
        sub = verbs.add_parser(verb, parents=parents, help=text)
        sub.add_argument("resource", nargs="+", metavar="TYPE/NAME")
        sub.set_defaults(handler=handler)


# ---- status --------------------------------------------------------------------------


async def rollout_status(session: Session, args: argparse.Namespace) -> int:
    """Print progress lines until the rollout is done (0), fails or times out (1)."""
    [target] = _one(args.resource)
    deadline = time.monotonic() + args.timeout if args.timeout > 0 else None
    last = ""
    while True:
        obj = await get(session, target)
        try:
            seen = status.progress(target.kind, obj)
        except status.RolloutFailed as err:
            raise CommandError(str(err)) from None
        if seen.message != last:
            emit(session.out, seen.message + "\n")
            last = seen.message
        if seen.done or not args.watch:
            return 0
        if deadline is not None and time.monotonic() >= deadline:
            raise CommandError("timed out waiting for the condition")
        wait = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - time.monotonic())
        await asyncio.sleep(max(wait, 0.0))


def _one(resources: list[str]) -> list[Target]:
    targets = parse_targets(resources)
    if len(targets) != 1:
        raise CommandError("rollout status takes one resource")
    return targets


# ---- history and undo ----------------------------------------------------------------


async def revisions_of(session: Session, obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The workload's ControllerRevisions, oldest first."""
    match = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    selector = ",".join(f"{k}={v}" for k, v in sorted(match.items())) or None
    listed = await session.client.list(
        CONTROLLER_REVISIONS, session.namespace, label_selector=selector
    )
    uid = str((obj.get("metadata") or {}).get("uid"))
    return history.owned_revisions(listed.items, uid)


async def rollout_history(session: Session, args: argparse.Namespace) -> int:
    """A REVISION / CHANGE-CAUSE table, or one revision's pod template."""

    async def show(target: Target) -> None:
        revisions = await revisions_of(session, await get(session, target))
        if args.revision:
            try:
                chosen = history.find(revisions, args.revision)
            except history.RevisionNotFound as err:
                raise CommandError(str(err)) from None
            if session.output:
                emit(session.out, render(dict(chosen), session.output, str(target)))
                return
            template = yaml.safe_dump(history.template_of(chosen), sort_keys=False)
            body = "".join(f"  {line}\n" for line in template.splitlines())
            emit(session.out, f"{target} with revision #{args.revision}\nPod Template:\n{body}")
            return
        if session.output:
            emit(session.out, render(as_list(revisions), session.output, str(target)))
            return
        if not revisions:
            emit(session.out, f"{target}\nNo rollout history found.\n")
            return
        rows = [(history.number(r), history.change_cause(r)) for r in revisions]
        emit(session.out, f"{target}\n" + table(("REVISION", "CHANGE-CAUSE"), rows) + "\n")

    return await for_each(session, parse_targets(args.resource), show)


async def rollout_undo(session: Session, args: argparse.Namespace) -> int:
    """Put back the template of ``--to-revision`` (default: the previous revision)."""

    async def undo(target: Target) -> None:
        obj = await get(session, target)
        try:
            chosen = history.find(await revisions_of(session, obj), args.to_revision)
        except history.RevisionNotFound as err:
            raise CommandError(str(err)) from None
        if args.dry_run:
            template = history.template_of(chosen)
            emit(session.out, render(template, session.output or "yaml", str(target)))
            return
        if history.is_current(obj, chosen):
            emit(
                session.out,
                f"{target} skipped rollback (current template already matches revision "
                f"{history.number(chosen)})\n",
            )
            return
        patched = await patch_fresh(
            session, target, lambda _: history.undo_patch(chosen), patch_type=PatchType.JSON
        )
        report(session, target, patched, "rolled back")

    return await for_each(session, parse_targets(args.resource), undo)


# ---- pause, resume, restart ----------------------------------------------------------


def _paused(obj: Mapping[str, Any]) -> bool:
    return bool(((obj.get("spec") or {}).get("updateStrategy") or {}).get("paused"))


def _set_paused(paused: bool) -> Any:
    def build(obj: KubeObject) -> KubeObject:
        if _paused(obj) == paused:
            raise NothingToDo("is already paused" if paused else "is not paused")
        return {"spec": {"updateStrategy": {"paused": paused}}}

    return build


async def rollout_pause(session: Session, args: argparse.Namespace) -> int:
    """Set ``spec.updateStrategy.paused``: pods stop being updated; scaling goes on."""

    async def pause(target: Target) -> None:
        report(session, target, await patch_fresh(session, target, _set_paused(True)), "paused")

    return await for_each(session, parse_targets(args.resource), pause)


async def rollout_resume(session: Session, args: argparse.Namespace) -> int:
    """Clear ``spec.updateStrategy.paused``."""

    async def resume(target: Target) -> None:
        report(session, target, await patch_fresh(session, target, _set_paused(False)), "resumed")

    return await for_each(session, parse_targets(args.resource), resume)


def restart_patch(now: datetime) -> KubeObject:
    """The template annotation kubectl sets to restart a workload's pods."""
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}


async def rollout_restart(session: Session, args: argparse.Namespace) -> int:
    """Stamp ``kubectl.kubernetes.io/restartedAt`` on the template, so every pod is
    rolled out again under the update strategy."""

    async def restart(target: Target) -> None:
        def build(obj: KubeObject) -> KubeObject:
            if _paused(obj):
                raise NothingToDo("is paused, run rollout resume first")
            return restart_patch(datetime.now(UTC))

        report(session, target, await patch_fresh(session, target, build), "restarted")

    return await for_each(session, parse_targets(args.resource), restart)
