"""``migrate CloneSet --from Deployment --src-name NAME``: move a Deployment's pods to a
CloneSet without downtime, as OpenKruise's plugin does.

The CloneSet is created with the Deployment's selector and template and no replicas
(unless it exists already, from an earlier run: then the migration carries on). Then,
``--max-surge`` pods at a time, the CloneSet is scaled up, its new pods are waited for
until available, and only then is the Deployment scaled down by as many. Pods only go
after their replacements serve, so the Ready pods never drop below the replicas being
moved. The Deployment is left at 0 replicas, for the user to delete.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kruise.runtime.client import DEPLOYMENTS, KubeObject, NotFound
from kubectl_kruise import flags
from kubectl_kruise.common import CommandError
from kubectl_kruise.printing import emit, render
from kubectl_kruise.resources import CLONESET, CLONESETS, DEPLOYMENT, find_kind
from kubectl_kruise.session import Session

POLL_SECONDS = 1.0
# Written by the Deployment controller or kubectl apply: meaningless on the CloneSet.
DROPPED_ANNOTATIONS = (
    "deployment.kubernetes.io/revision",
    "kubectl.kubernetes.io/last-applied-configuration",
)


def register(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``migrate``."""
    migrate = commands.add_parser(
        "migrate",
        parents=parents,
        help="move a Deployment's pods to a CloneSet without downtime",
    )
    migrate.add_argument("to", metavar="DST_KIND", help="CloneSet")
    migrate.add_argument("--from", dest="source", default="Deployment", help="Deployment")
    migrate.add_argument("--src-name", required=True, help="the Deployment")
    migrate.add_argument("--dst-name", help="the CloneSet (default: the Deployment's name)")
    migrate.add_argument(
        "--replicas",
        type=flags.replicas,
        help="how many replicas to move (default: all of the Deployment's)",
    )
    migrate.add_argument(
        "--max-surge", type=flags.positive, default=1, help="pods added at a time (default 1)"
    )
    migrate.add_argument(
        "--timeout-seconds", type=int, default=-1, help="give up after this long (default: never)"
    )
    migrate.add_argument(
        "--create", action="store_true", help="only create the CloneSet, with 0 replicas"
    )
    migrate.add_argument(
        "--copy", action="store_true", help="with --create: give it the Deployment's replicas"
    )
    migrate.add_argument(
        "--dry-run",
        action="store_true",
        help="print the CloneSet and the steps, change nothing",
    )
    migrate.set_defaults(handler=migrate_to_cloneset)


def cloneset_from_deployment(deployment: Mapping[str, Any], name: str, replicas: int) -> KubeObject:
    """The CloneSet that takes over ``deployment``: same labels, selector, template,
    history limit, minReadySeconds, pause and rolling-update budget."""
    metadata = deployment.get("metadata") or {}
    spec = deployment.get("spec") or {}
    annotations = {
        k: v for k, v in (metadata.get("annotations") or {}).items() if k not in DROPPED_ANNOTATIONS
    }
    strategy: KubeObject = {"type": "ReCreate"}
    if spec.get("paused"):
        strategy["paused"] = True
    rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
    for key in ("maxUnavailable", "maxSurge"):
        if rolling.get(key) is not None:
            strategy[key] = rolling[key]
    clone_meta: KubeObject = {"name": name, "namespace": metadata.get("namespace")}
    if metadata.get("labels"):
        clone_meta["labels"] = dict(metadata["labels"])
    if annotations:
        clone_meta["annotations"] = annotations
    clone_spec: KubeObject = {
        "replicas": replicas,
        "selector": copy.deepcopy(spec.get("selector")),
        "template": copy.deepcopy(spec.get("template")),
        "updateStrategy": strategy,
    }
    for key in ("revisionHistoryLimit", "minReadySeconds"):
        if spec.get(key) is not None:
            clone_spec[key] = spec[key]
    return {
        "apiVersion": CLONESETS.api_version,
        "kind": "CloneSet",
        "metadata": clone_meta,
        "spec": clone_spec,
    }


@dataclass(frozen=True)
class Plan:
    """Move ``replicas`` pods, ``surge`` at a time, from a Deployment that has
    ``deployment_replicas`` to a CloneSet that has ``cloneset_replicas``."""

    cloneset_replicas: int
    deployment_replicas: int
    replicas: int
    surge: int

    def steps(self) -> Iterator[tuple[int, int]]:
        """(CloneSet replicas, Deployment replicas) after each step."""
        moved = 0
        while moved < self.replicas:
            moved += min(self.surge, self.replicas - moved)
            yield self.cloneset_replicas + moved, max(self.deployment_replicas - moved, 0)


def _replicas(obj: Mapping[str, Any]) -> int:
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def _observed(obj: Mapping[str, Any]) -> bool:
    observed = int((obj.get("status") or {}).get("observedGeneration") or 0)
    return observed >= int((obj.get("metadata") or {}).get("generation") or 0)


def cloneset_available(cs: Mapping[str, Any], wanted: int) -> bool:
    """The CloneSet has seen its spec and ``wanted`` pods are available; a True
    ``FailedScale`` condition is an error (the API server refused its pods)."""
    for condition in (cs.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "FailedScale" and condition.get("status") == "True":
            raise CommandError(
                f"failed to migrate: CloneSet cannot scale: {condition.get('message', '')}"
            )
    status = cs.get("status") or {}
    return _observed(cs) and int(status.get("availableReplicas") or 0) >= wanted


def _check_selector(deployment: Mapping[str, Any], cloneset: Mapping[str, Any]) -> None:
    ours = (deployment.get("spec") or {}).get("selector")
    theirs = (cloneset.get("spec") or {}).get("selector")
    if ours != theirs:
        name = (cloneset.get("metadata") or {}).get("name")
        raise CommandError(f"CloneSet {name} exists with a selector other than the Deployment's")


class Migration:
    """One run of ``migrate``: reads, scales and waits."""

    def __init__(self, session: Session, args: argparse.Namespace) -> None:
        self.session = session
        self.args = args
        self.source = args.src_name
        self.name = args.dst_name or args.src_name
        seconds = args.timeout_seconds
        self.deadline = time.monotonic() + seconds if seconds and seconds > 0 else None

    async def run(self) -> int:
        ns = self.session.namespace
        try:
            deployment = await self.session.client.get(DEPLOYMENTS, self.source, ns)
        except NotFound:
            raise CommandError(
                f'deployments.apps "{self.source}" not found in namespace "{ns}"'
            ) from None
        cloneset = await self._existing()
        if self.args.create or self.args.dry_run or cloneset is None:
            if cloneset is not None:
                raise CommandError(f"cloneset {ns}/{self.name} already exists")
            start = _replicas(deployment) if self.args.copy and self.args.create else 0
            cloneset = cloneset_from_deployment(deployment, self.name, start)
            created = await self.session.client.create(
                CLONESETS, cloneset, ns, dry_run=self.args.dry_run
            )
            if self.args.dry_run:
                return self._print_plan(created, deployment)
            self._say(f"Successfully created from Deployment/{self.source} to CloneSet/{self.name}")
            if self.args.create:
                return 0
            cloneset = created
        _check_selector(deployment, cloneset)
        plan = self._plan(cloneset, deployment)
        for clone_replicas, deploy_replicas in plan.steps():
            await self._step(clone_replicas, deploy_replicas, plan)
        self._say(
            f"Successfully migrated {plan.replicas} replicas from Deployment/{self.source} "
            f"to CloneSet/{self.name}"
        )
        return 0

    async def _existing(self) -> KubeObject | None:
        try:
            return await self.session.client.get(CLONESETS, self.name, self.session.namespace)
        except NotFound:
            return None

    def _plan(self, cloneset: Mapping[str, Any], deployment: Mapping[str, Any]) -> Plan:
        replicas = self.args.replicas
        if replicas is None:
            replicas = _replicas(deployment)
        return Plan(_replicas(cloneset), _replicas(deployment), replicas, self.args.max_surge)

    def _print_plan(self, cloneset: KubeObject, deployment: Mapping[str, Any]) -> int:
        out = self.session.out
        emit(
            out,
            render(cloneset, self.session.output or "yaml", f"cloneset.apps.kruise.io/{self.name}"),
        )
        plan = self._plan(cloneset, deployment)
        for clone_replicas, deploy_replicas in plan.steps():
            emit(
                out,
                f"# step: CloneSet/{self.name} to {clone_replicas} replicas, once available "
                f"Deployment/{self.source} to {deploy_replicas}\n",
            )
        emit(out, "# dry run: nothing was changed\n")
        return 0

    async def _step(self, clone_replicas: int, deploy_replicas: int, plan: Plan) -> None:
        ns, client = self.session.namespace, self.session.client
        await client.patch(CLONESETS, self.name, {"spec": {"replicas": clone_replicas}}, ns)
        await self._wait(
            lambda: self._cloneset_ready(clone_replicas),
            f"CloneSet/{self.name} to have {clone_replicas} available pods",
        )
        await client.patch(DEPLOYMENTS, self.source, {"spec": {"replicas": deploy_replicas}}, ns)
        await self._wait(self._deployment_observed, f"Deployment/{self.source} to scale in")
        self._say(
            f"Migration progress: Deployment/{self.source} scale in "
            f"{plan.deployment_replicas - deploy_replicas}, CloneSet/{self.name} scale out "
            f"{clone_replicas - plan.cloneset_replicas}"
        )

    async def _cloneset_ready(self, wanted: int) -> bool:
        cs = await self.session.client.get(CLONESETS, self.name, self.session.namespace)
        return cloneset_available(cs, wanted)

    async def _deployment_observed(self) -> bool:
        deployment = await self.session.client.get(DEPLOYMENTS, self.source, self.session.namespace)
        return _observed(deployment)

    async def _wait(self, check: Callable[[], Awaitable[bool]], what: str) -> None:
        while not await check():
            if self.deadline is not None and time.monotonic() >= self.deadline:
                raise CommandError(
                    f"failed to migrate: timed out waiting for {what}; run the command again "
                    "to carry on from here"
                )
            await asyncio.sleep(POLL_SECONDS)

    def _say(self, line: str) -> None:
        emit(self.session.out, line + "\n")


async def migrate_to_cloneset(session: Session, args: argparse.Namespace) -> int:
    """Check the kinds, then run the migration."""
    if find_kind(args.to) is not CLONESET:
        raise CommandError("currently only supported CloneSet as dst type")
    if find_kind(args.source) is not DEPLOYMENT:
        raise CommandError("currently only supported Deployment as src type")
    if args.copy and not args.create:
        raise CommandError("--copy goes with --create")
    return await Migration(session, args).run()
