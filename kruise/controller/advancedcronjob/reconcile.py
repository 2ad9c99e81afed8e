"""Reconcile one AdvancedCronJob: account for its children, trim their history, and start
the run the schedule owes.

The order is OpenKruise's (list the children, write status, trim history, stop if paused,
start the due run) with native CronJobs' bookkeeping: ``status.lastScheduleTime`` is never
rebuilt from the children still there, so a child deleted by its TTL, a history limit or a
person is never created again for its scheduled time; ``status.active`` keeps a child the
cache has not shown yet; the schedule is read in ``spec.timeZone``; too many missed runs
warn and the latest still starts; and each create, skip, replace and miss is an Event with
the reasons kube-controller-manager's CronJob controller gives them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from prometheus_client import Histogram

from kruise.apis.apps.v1alpha1 import (
    ADVANCEDCRONJOBS,
    CONCURRENCY_FORBID,
    CONCURRENCY_REPLACE,
    GROUP,
)
from kruise.controller.advancedcronjob import status as acj_status
from kruise.controller.advancedcronjob.children import (
    ACJ_KIND,
    COMPLETE,
    ChildKind,
    age_key,
    build_child,
    finished_as,
    kind_of,
    reference,
    scheduled_time_of,
)
from kruise.controller.advancedcronjob.cron import CronSchedule, ScheduleError
from kruise.controller.advancedcronjob.plan import Plan, plan
from kruise.runtime.cache import Cache
from kruise.runtime.client import AlreadyExists, ApiError, Client, Conflict, KubeObject, NotFound
from kruise.runtime.clock import Clock
from kruise.runtime.controller.handler import RequestQueue
from kruise.runtime.events import NORMAL, WARNING, EventRecorder
from kruise.runtime.expectations import ResourceVersionExpectations
from kruise.runtime.meta import is_being_deleted, name_of, namespace_of, uid_of
from kruise.runtime.reconcile import Request, Result
from kruise.util.controllerref import controller_of, is_controlled_by
from kruise.util.pods import parse_time

OWNER_INDEX = "advancedcronjob-controller-uid"
_log = structlog.get_logger("kruise.controller.advancedcronjob")


class ForgetDeleted:
    """AdvancedCronJob events beside ``for_``'s: a deleted object's expectation goes."""

    def __init__(self, versions: ResourceVersionExpectations) -> None:
        self.versions = versions

    def create(self, obj: KubeObject, queue: RequestQueue) -> None:
        return None

    def update(self, old: KubeObject, new: KubeObject, queue: RequestQueue) -> None:
        return None

    def delete(self, obj: KubeObject, queue: RequestQueue) -> None:
        self.versions.delete(obj)

    def generic(self, obj: KubeObject, queue: RequestQueue) -> None:
        return None


def controller_uid(obj: Mapping[str, Any]) -> list[str]:
    """Index function: the uid of the AdvancedCronJob controlling ``obj``, if one does."""
    ref = controller_of(obj)
    if ref is None or ref.get("kind") != ACJ_KIND or not ref.get("uid"):
        return []
    if str(ref.get("apiVersion", "")).rpartition("/")[0] != GROUP:
        return []
    return [str(ref["uid"])]


@dataclass(frozen=True)
class Deps:
    """What the reconciler works with, built from the manager by ``setup``."""

    client: Client
    cache: Cache
    clock: Clock
    recorder: EventRecorder
    creation_skew: Histogram
    versions: ResourceVersionExpectations
    """The resourceVersions of our own status writes, until the cache shows them."""
    expectation_timeout: float


@dataclass
class Children:
    """An AdvancedCronJob's children, by state."""

    all: list[KubeObject] = field(default_factory=list)
    active: list[KubeObject] = field(default_factory=list)
    succeeded: list[KubeObject] = field(default_factory=list)
    failed: list[KubeObject] = field(default_factory=list)

    def add(self, child: KubeObject) -> None:
        self.all.append(child)
        finished = finished_as(child)
        if finished is None:
            self.active.append(child)
        else:
            (self.succeeded if finished == COMPLETE else self.failed).append(child)


class AdvancedCronJobReconciler:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def reconcile(self, request: Request) -> Result:
        try:
            acj = await self.deps.cache.get(ADVANCEDCRONJOBS, request.name, request.namespace)
        except NotFound:
            return Result()
        satisfied, waited = self.deps.versions.is_satisfied(acj)
        if not satisfied:
            # Our last status write is on its way to the cache, and its event will wake us.
            return Result(requeue_after=max(self.deps.expectation_timeout - waited, 0.1))
        kind = kind_of(acj)
        if kind is None:
            _log.info("no jobTemplate or broadcastJobTemplate; nothing to run", acj=str(request))
            return Result()
        children = await self._children(acj, kind)
        self._report_finished(acj, children)
        since = acj_status.latest(
            acj_status.last_schedule_time(acj), *(scheduled_time_of(c) for c in children.all)
        )
        active = [reference(c, kind) for c in children.active]
        desired = acj_status.desired(kind.status_type, active, since)
        acj = await self._write_status(acj, desired)
        await self._trim_history(acj, kind, children)
        if is_being_deleted(acj) or (acj.get("spec") or {}).get("paused"):
            return Result()
        return await self._run_schedule(acj, kind, children, since)

    async def _children(self, acj: KubeObject, kind: ChildKind) -> Children:
        """The children in the cache, and those ``status.active`` names that the cache
        does not show yet (read from the API server; gone ones are dropped)."""
        listed = await self.deps.cache.list(
            kind.resource, namespace_of(acj), index=(OWNER_INDEX, uid_of(acj))
        )
        children = Children()
        for child in listed:
            children.add(child)
        known = {name_of(c) for c in listed}
        for ref in (acj.get("status") or {}).get("active") or ():
            name = str(ref.get("name") or "")
            if name and name not in known:
                remembered = await self._read_child(acj, kind, name)
                if remembered is not None:
                    children.add(remembered)
        return children

    async def _read_child(self, acj: KubeObject, kind: ChildKind, name: str) -> KubeObject | None:
        """The child ``name`` from the API server; None, with an Event, when it is gone."""
        with contextlib.suppress(NotFound):
            child = await self.deps.client.get(kind.resource, name, namespace_of(acj))
            if is_controlled_by(child, acj):
                return child
        self._event(acj, NORMAL, "MissingJob", f"Active job went missing: {name}")
        return None

    def _report_finished(self, acj: KubeObject, children: Children) -> None:
        was_active = {r.get("name") for r in (acj.get("status") or {}).get("active") or ()}
        for child in (*children.succeeded, *children.failed):
            if name_of(child) in was_active:
                self._event(
                    acj,
                    NORMAL,
                    "SawCompletedJob",
                    f"Saw completed job: {name_of(child)}, condition: {finished_as(child)}",
                )

    async def _trim_history(self, acj: KubeObject, kind: ChildKind, children: Children) -> None:
        """Delete the oldest finished children beyond the history limits (best effort)."""
        spec = acj.get("spec") or {}
        for finished, limit_field in (
            (children.succeeded, "successfulJobsHistoryLimit"),
            (children.failed, "failedJobsHistoryLimit"),
        ):
            limit = spec.get(limit_field)
            if limit is None:
                continue
            kept = [c for c in finished if not is_being_deleted(c)]
            for child in sorted(kept, key=age_key)[: max(len(kept) - int(limit), 0)]:
                with contextlib.suppress(ApiError):
                    await self._delete(acj, kind, reference(child, kind))

    async def _run_schedule(
        self,
        acj: KubeObject,
        kind: ChildKind,
        children: Children,
        since: float | None,
    ) -> Result:
        """Start the run the schedule owes, if any; requeue for the next one."""
        spec = acj.get("spec") or {}
        try:
            schedule = CronSchedule.parse(str(spec.get("schedule") or ""), spec.get("timeZone"))
        except ScheduleError as err:
            # Only a spec the webhook never saw gets here; wait for it to change.
            self._event(acj, WARNING, "InvalidSchedule", str(err))
            return Result()
        now = self.deps.clock.wall()
        if since is None:
            since = parse_time((acj.get("metadata") or {}).get("creationTimestamp")) or now
        deadline = spec.get("startingDeadlineSeconds")
        owed = plan(schedule, since=since, now=now, deadline=deadline)
        self._report_plan(acj, owed)
        if owed.due is not None:
            await self._start(acj, kind, owed.due, children, schedule.zone)
        return Result(requeue_after=owed.next_run - now)

    def _report_plan(self, acj: KubeObject, owed: Plan) -> None:
        if owed.too_many:
            self._event(
                acj,
                WARNING,
                "TooManyMissedTimes",
                "too many missed start times. Set or decrease .spec.startingDeadlineSeconds "
                "or check clock skew",
            )
        if owed.missed is not None:
            missed = datetime.fromtimestamp(owed.missed, UTC).strftime("%a, %d %b %Y %H:%M:%S %z")
            self._event(
                acj, WARNING, "MissSchedule", f"Missed scheduled time to start a job: {missed}"
            )

    async def _start(
        self,
        cached: KubeObject,
        kind: ChildKind,
        due: float,
        children: Children,
        zone: ZoneInfo,
    ) -> None:
        """Start the run scheduled at ``due`` as the concurrency policy allows."""
        # The cache may not show our last status write yet: the stored lastScheduleTime
        # decides whether this run was already started.
        acj = await self.deps.client.get(ADVANCEDCRONJOBS, name_of(cached), namespace_of(cached))
        if (acj_status.last_schedule_time(acj) or float("-inf")) >= due:
            return
        # Children the cache shows are judged by their state; the others by the stored
        # status.active, which names the children created before the cache showed them.
        running = {name_of(c): reference(c, kind) for c in children.active}
        known = {name_of(c) for c in children.all}
        for ref in (acj.get("status") or {}).get("active") or ():
            if ref.get("name") not in known:
                running.setdefault(str(ref.get("name")), dict(ref))
        policy = (acj.get("spec") or {}).get("concurrencyPolicy")
        if policy == CONCURRENCY_FORBID and running:
            self._event(
                acj,
                NORMAL,
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy "
                "is Forbid",
            )
            return
        if policy == CONCURRENCY_REPLACE:
            for ref in running.values():
                await self._delete(acj, kind, ref)
            running = {}
        child = await self._create(acj, kind, due, zone)
        if child is None:
            return
        refs = [*running.values(), reference(child, kind)]
        await self._write_status(acj, acj_status.desired(kind.status_type, refs, due))

    async def _write_status(self, acj: KubeObject, desired: KubeObject) -> KubeObject:
        written = await acj_status.write(self.deps.client, acj, desired)
        if written is not acj:
            self.deps.versions.expect(written)
        return written

    async def _create(
        self, acj: KubeObject, kind: ChildKind, due: float, zone: ZoneInfo
    ) -> KubeObject | None:
        """Create the child for ``due``; an existing one we control counts as created.
        None when a foreign object holds its name."""
        body = build_child(acj, kind, due, zone)
        name, namespace = name_of(body), namespace_of(acj)
        try:
            child = await self.deps.client.create(kind.resource, body, namespace)
        except AlreadyExists:
            existing = await self.deps.client.get(kind.resource, name, namespace)
            if is_controlled_by(existing, acj):
                _log.info("child already exists", acj=name_of(acj), child=name)
                return existing
            message = f"{kind.resource.kind} {name} exists and is not controlled by {name_of(acj)}"
            self._event(acj, WARNING, "FailedCreate", message)
            return None
        except ApiError as err:
            self._event(acj, WARNING, "FailedCreate", f"Error creating job: {err}")
            raise
        skew = max(self.deps.clock.wall() - due, 0.0)
        self.deps.creation_skew.labels(kind.status_type).observe(skew)
        self._event(acj, NORMAL, "SuccessfulCreate", f"Created job {name}")
        return child

    async def _delete(self, acj: KubeObject, kind: ChildKind, ref: Mapping[str, Any]) -> None:
        """Delete the child ``ref`` names and, in the background, what it owns. A child
        already gone, or replaced by another of the same name, is left alone."""
        name = str(ref.get("name") or "")
        try:
            await self.deps.client.delete(
                kind.resource,
                name,
                namespace_of(acj),
                uid=str(ref.get("uid") or "") or None,
                propagation_policy="Background",
            )
        except (NotFound, Conflict):
            return
        except ApiError as err:
            self._event(acj, WARNING, "FailedDelete", f"Deleted job: {err}")
            raise
        self._event(acj, NORMAL, "SuccessfulDelete", f"Deleted job {name}")

    def _event(self, acj: KubeObject, event_type: str, reason: str, message: str) -> None:
        self.deps.recorder.event(acj, event_type, reason, message)
