"""Reconcile one BroadcastJob: run its pod on every node that fits, then finish.

The order follows OpenKruise: wait for expectations; a finished job only waits out its
``ttlSecondsAfterFinished`` and then deletes itself; otherwise read the pods and sort the
nodes (``nodes.py``), count, honour ``paused``, apply the failure policy and the active
deadline, then either fail (deleting the running pods) or clear pods from nodes that no
longer fit, start pods on the nodes still without one (``parallelism`` at most running),
and complete once every desired node ran its pod. Status is written last.

Where this differs from OpenKruise:

- the ``Pause`` failure policy writes ``spec.paused``, so the job stays paused (v0.7.0
  only set it in memory and flapped between running and paused); it pauses when the
  number of failed pods grows beyond what the status already reported, so resuming a job
  goes on with the failures it already had;
- a finished pod on a node that no longer fits is kept, and a pod deleted because its
  node no longer fits is not counted as failed (OpenKruise deleted both and counted them
  failed); an ``OnFailure`` pod past its restart limit counts as done, so ``Continue``
  can complete;
- the job deletes its pods when its time to live runs out, before itself, so they go
  also where no garbage collector runs;
- the active deadline is looked at again when it passes, not only after the first
  reconcile.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from kruise.apis.apps.v1alpha1 import (
    BROADCASTJOB_CONTROLLER_UID_LABEL,
    BROADCASTJOB_NAME_LABEL,
    BROADCASTJOBS,
    FAILURE_FAIL_FAST,
    FAILURE_PAUSE,
    JOB_COMPLETE,
    JOB_FAILED,
    PHASE_COMPLETED,
    PHASE_FAILED,
    PHASE_PAUSED,
    PHASE_RUNNING,
)
from kruise.controller.broadcastjob import status as job_status
from kruise.controller.broadcastjob.calculate import (
    deadline_left,
    is_finished,
    never_completes,
    parallelism,
    to_create,
    ttl_left,
)
from kruise.controller.broadcastjob.context import Deps
from kruise.controller.broadcastjob.handlers import Usage
from kruise.controller.broadcastjob.nodes import NodeSelection, select_nodes
from kruise.controller.broadcastjob.pods import (
    Classified,
    Pod,
    by_node,
    classify,
    exceeded_restart_limit,
    is_running,
    owned_by,
)
from kruise.controller.broadcastjob.sync import create_pods, delete_pods
from kruise.runtime.cache import Cache
from kruise.runtime.client import NODES, PODS, Conflict, KubeObject, NotFound
from kruise.runtime.meta import labels_of, name_of, namespace_of, uid_of
from kruise.runtime.reconcile import ReconcileError, Request, Result

JOB_UID_INDEX = "broadcastjob-controller-uid"
NODE_NAME_INDEX = "spec.nodeName"
# Requeues for a deadline or a time to live land this long after it, so the next look
# finds it passed even though stored times are whole seconds.
_PAST = 1.0

FAILED_POD_FOUND = "failed pod is found"
FAIL_FAST_MESSAGE = "failure policy is FailurePolicyTypeFailFast and failed pod is found"
DEADLINE_EXCEEDED = "DeadlineExceeded"

_log = structlog.get_logger("kruise.controller.broadcastjob")


class InvalidSpecError(ReconcileError):
    """The stored spec cannot be read (the webhook never saw it)."""


def job_uid_label(obj: Mapping[str, Any]) -> list[str]:
    """Index function: the job uid a pod is labelled with."""
    uid = labels_of(obj).get(BROADCASTJOB_CONTROLLER_UID_LABEL)
    return [uid] if uid else []


def bound_node(obj: Mapping[str, Any]) -> list[str]:
    """Index function: the node a pod is bound to."""
    node = (obj.get("spec") or {}).get("nodeName")
    return [str(node)] if node else []


@dataclass(frozen=True)
class View:
    """What the cache shows of one job at the start of a reconcile."""

    pods: Sequence[Pod]
    classified: Classified
    selection: NodeSelection


@dataclass
class Run:
    """One reconcile's working state: the job (refreshed after a write of its spec), the
    status being built, and when to look again."""

    key: str
    job: KubeObject
    status: KubeObject
    old_failed: int
    requeue_after: float | None = None

    @property
    def spec(self) -> Mapping[str, Any]:
        return self.job.get("spec") or {}

    def count(self, field: str, delta: int) -> None:
        self.status[field] = max(int(self.status.get(field) or 0) + delta, 0)

    def look_again(self, seconds: float | None) -> None:
        if seconds is not None and seconds > 0:
            self.requeue_after = min(seconds, self.requeue_after or seconds)


class BroadcastJobReconciler:
    def __init__(
        self, cache: Cache, deps: Deps, usage_of: Usage, *, expectation_timeout: float
    ) -> None:
        self.cache = cache
        self.deps = deps
        self.usage_of = usage_of
        self.timeout = expectation_timeout

    async def reconcile(self, request: Request) -> Result:
        key = str(request)
        job = await self._load(request)
        if job is None:
            return Result()
        satisfied, waited, pending = self.deps.scale_expectations.satisfied_scale(key)
        if not satisfied:
            _log.debug("waiting for the cache to show pod changes", job=key, pending=pending)
            return Result(requeue_after=max(self.timeout - waited, 0.1))
        if is_finished(job):
            return await self._finished(job)

        wall = self.deps.clock.wall()
        old_failed = int((job.get("status") or {}).get("failed") or 0)
        run = Run(key, job, job_status.initial(job, wall), old_failed)
        view = await self._observe(job)
        error = await self._sync(run, view)
        await self._write_status(run.job, run.status)
        if run.status.get("phase") == PHASE_RUNNING:
            run.look_again(_after(deadline_left(run.spec, run.status.get("startTime"), wall)))
        if error is not None:
            raise error
        return Result(requeue_after=run.requeue_after or 0.0)

    async def _load(self, request: Request) -> KubeObject | None:
        """The job from the cache; once it is gone, its expectations go too."""
        try:
            return await self.cache.get(BROADCASTJOBS, request.name, request.namespace)
        except NotFound:
            self.deps.scale_expectations.delete_expectations(str(request))
            return None

    async def _observe(self, job: KubeObject) -> View:
        pods = await self._pods_of(job)
        pods_by_node, duplicates = by_node(pods)
        for pod, node in duplicates:
            message = f"Duplicated pod {name_of(pod)} found on same node {node}"
            self.deps.recorder.event(job, "Warning", "DuplicatePodCreatedOnSameNode", message)
        nodes = await self.cache.list(NODES)
        selection = select_nodes(job, nodes, pods_by_node, self.usage_of)
        restart_limit = int(
            ((job.get("spec") or {}).get("failurePolicy") or {}).get("restartLimit") or 0
        )
        return View(pods, classify(pods, restart_limit), selection)

    async def _pods_of(self, job: KubeObject) -> list[Pod]:
        listed = await self.cache.list(PODS, namespace_of(job), index=(JOB_UID_INDEX, uid_of(job)))
        named = [p for p in listed if labels_of(p).get(BROADCASTJOB_NAME_LABEL) == name_of(job)]
        return owned_by(named, job)

    async def _sync(self, run: Run, view: View) -> Exception | None:
        """Count, then pause, fail or advance the job; returns the first error."""
        classified, status = view.classified, run.status
        status["active"] = len(classified.active)
        status["succeeded"] = len(classified.succeeded)
        status["failed"] = len(classified.failed)
        status["desired"] = len(view.selection.desired)
        if status["phase"] == PHASE_FAILED:
            return None
        paused = bool(run.spec.get("paused"))
        if paused and status["phase"] in (PHASE_RUNNING, PHASE_PAUSED):
            status["phase"] = PHASE_PAUSED
            return None
        if not paused and status["phase"] == PHASE_PAUSED:
            status["phase"] = PHASE_RUNNING
            self.deps.recorder.event(run.job, "Normal", "Continue", "continue to process job")
        if self._should_pause(run):
            return await self._pause(run)
        failure = self._failure(run)
        if failure is not None:
            return await self._fail(run, view, *failure)
        return await self._advance(run, view)

    def _should_pause(self, run: Run) -> bool:
        policy = (run.spec.get("failurePolicy") or {}).get("type")
        return policy == FAILURE_PAUSE and int(run.status["failed"]) > run.old_failed

    def _failure(self, run: Run) -> tuple[str, str] | None:
        """The reason and message the job fails with now, if it does."""
        policy = (run.spec.get("failurePolicy") or {}).get("type") or FAILURE_FAIL_FAST
        if run.status["failed"] > 0 and policy == FAILURE_FAIL_FAST:
            return FAILED_POD_FOUND, FAIL_FAST_MESSAGE
        left = deadline_left(run.spec, run.status.get("startTime"), self.deps.clock.wall())
        if left is not None and left <= 0:
            meta = run.job["metadata"]
            message = (
                f"Job {meta.get('namespace')}/{meta['name']} was active longer than "
                "specified deadline"
            )
            return DEADLINE_EXCEEDED, message
        return None

    async def _pause(self, run: Run) -> Exception | None:
        """Persist ``spec.paused`` so the job stays paused until someone resumes it."""
        meta = run.job["metadata"]
        self.deps.recorder.event(run.job, "Warning", "Paused", "job is paused, due to failed pod")
        try:
            run.job = await self.deps.client.patch(
                BROADCASTJOBS, meta["name"], {"spec": {"paused": True}}, meta.get("namespace")
            )
        except Exception as err:
            return err
        run.status["phase"] = PHASE_PAUSED
        return None

    async def _fail(self, run: Run, view: View, reason: str, message: str) -> Exception | None:
        """Fail the job: stop its running pods (those that were active count as failed),
        then record the ``Failed`` condition."""
        classified = view.classified
        stopped = await delete_pods(self.deps, run.key, run.job, classified.active)
        run.count("failed", stopped.done)
        run.count("active", -stopped.done)
        over_limit = [p for p in classified.failed if is_running(p)]
        leftover = await delete_pods(self.deps, run.key, run.job, over_limit)
        status = run.status
        status["phase"] = PHASE_FAILED
        job_status.finish(status, JOB_FAILED, message, self.deps.clock.wall())
        counts = f"{status['succeeded']} pods succeeded, {status['failed']} pods failed"
        self.deps.recorder.event(run.job, "Warning", reason, f"{message}: {counts}")
        run.look_again(_ttl(run.spec))
        return stopped.error or leftover.error

    async def _advance(self, run: Run, view: View) -> Exception | None:
        """Clear pods from nodes that no longer fit, start pods, complete when done."""
        selection, error = view.selection, None
        if selection.to_delete:
            cleared = await delete_pods(self.deps, run.key, run.job, selection.to_delete)
            run.count("active", -cleared.done)
            error = cleared.error
        if selection.rest and not run.job["metadata"].get("deletionTimestamp"):
            error = await self._start_pods(run, selection) or error
        restart_limit = int((run.spec.get("failurePolicy") or {}).get("restartLimit") or 0)
        if is_complete(run.spec, selection.desired, restart_limit):
            self._complete(run)
        return error

    async def _start_pods(self, run: Run, selection: NodeSelection) -> Exception | None:
        try:
            limit = parallelism(run.spec, len(selection.desired))
        except (ValueError, TypeError) as err:
            return InvalidSpecError(f"spec.parallelism: {err}")
        active = int(run.status["active"])
        if active > limit:
            message = "Number of active pods exceed parallelism limit"
            self.deps.recorder.event(run.job, "Warning", "TooManyActivePods", message)
            return None
        count = to_create(limit, active, len(selection.rest))
        if count == 0:
            return None
        created = await create_pods(self.deps, run.key, run.job, selection.rest[:count])
        run.count("active", created.done)
        return created.error

    def _complete(self, run: Run) -> None:
        status, meta = run.status, run.job["metadata"]
        counts = f"{status['succeeded']} pods succeeded, {status['failed']} pods failed"
        status["phase"] = PHASE_COMPLETED
        job_status.finish(status, JOB_COMPLETE, f"Job completed, {counts}", self.deps.clock.wall())
        message = f"Job {meta.get('namespace')}/{meta['name']} is completed, {counts}"
        self.deps.recorder.event(run.job, "Normal", "JobComplete", message)
        run.look_again(_ttl(run.spec))

    async def _finished(self, job: KubeObject) -> Result:
        """A finished job waits out its time to live, then deletes its pods and itself."""
        wall = self.deps.clock.wall()
        left = ttl_left(
            job.get("spec") or {}, (job.get("status") or {}).get("completionTime"), wall
        )
        if left is None:
            return Result()
        if left > 0:
            return Result(requeue_after=left + _PAST)
        meta = job["metadata"]
        for pod in await self._pods_of(job):
            with contextlib.suppress(NotFound):
                pmeta = pod["metadata"]
                await self.deps.client.delete(PODS, pmeta["name"], pmeta.get("namespace"))
        _log.info(
            "deleting a finished BroadcastJob whose time to live ran out",
            job=f"{meta.get('namespace')}/{meta['name']}",
        )
        with contextlib.suppress(NotFound):
            await self.deps.client.delete(
                BROADCASTJOBS,
                meta["name"],
                meta.get("namespace"),
                uid=meta.get("uid"),
                propagation_policy="Background",
            )
        return Result()

    async def _write_status(self, job: KubeObject, new_status: KubeObject) -> None:
        """Write the status computed from ``job`` as cached. A conflict means the job
        changed since (often our own last write): the status computed here may be stale,
        so it is dropped, not forced onto the newer object; the newer job's event brings
        a reconcile that computes it again."""
        if not job_status.changed(job.get("status"), new_status):
            return
        body = copy.deepcopy(job)
        body["status"] = new_status
        try:
            await self.deps.client.update_status(BROADCASTJOBS, body)
        except Conflict:
            _log.debug("job changed since it was read; status left to the next reconcile")


def is_complete(
    spec: Mapping[str, Any], desired: Mapping[str, Pod | None], restart_limit: int
) -> bool:
    """Whether every desired node ran its pod: the job can complete, has desired nodes,
    and each has a pod that finished, is terminating, or failed past its restart limit."""
    if never_completes(spec) or not desired:
        return False
    return all(
        pod is not None and (not is_running(pod) or exceeded_restart_limit(pod, restart_limit))
        for pod in desired.values()
    )


def _ttl(spec: Mapping[str, Any]) -> float | None:
    ttl = (spec.get("completionPolicy") or {}).get("ttlSecondsAfterFinished")
    return None if ttl is None else int(ttl) + _PAST


def _after(left: float | None) -> float | None:
    return None if left is None or left <= 0 else left + _PAST
