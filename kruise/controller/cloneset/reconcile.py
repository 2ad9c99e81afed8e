"""Reconcile one CloneSet: read what it owns, scale, update, and report status.

The order follows OpenKruise v0.7.0 (``cloneset_controller.go``): wait for expectations,
release pods the selector no longer matches, settle revisions, scale (and stop there if
anything changed), update, then write status, trim ``podsToDelete`` and the history.
Where v0.7.0 blocked forever on an expectation that never arrives, ours expire, log and
let the reconcile go on.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping, Sequence
from typing import Any

import structlog

from kruise.apis.apps.v1alpha1 import CLONESET_FAILED_SCALE, CLONESET_FAILED_UPDATE, CLONESETS
from kruise.controller.cloneset import status as cs_status
from kruise.controller.cloneset.revision import Revisions, active_revisions, to_prune
from kruise.controller.cloneset.sync.calculate import name_of
from kruise.controller.cloneset.sync.context import Deps, SyncInput
from kruise.controller.cloneset.sync.scale import ScaleResult, scale
from kruise.controller.cloneset.sync.update import update
from kruise.runtime import labels
from kruise.runtime.cache import Cache
from kruise.runtime.client import (
    CONTROLLER_REVISIONS,
    PERSISTENT_VOLUME_CLAIMS,
    PODS,
    Conflict,
    KubeObject,
    NotFound,
    PatchType,
)
from kruise.runtime.reconcile import Request, Result
from kruise.util.controllerref import owned_or_orphaned, release_patch
from kruise.util.pods import filter_active, is_terminating
from kruise.util.revision import apply_revision

OWNER_INDEX = "ownerRefUID"
STATUS_WRITE_ATTEMPTS = 5
_log = structlog.get_logger("kruise.controller.cloneset")


def owner_uids(obj: Mapping[str, Any]) -> list[str]:
    """Index function: the UIDs of every owner of ``obj``, controller or not."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or ()
    return [str(r["uid"]) for r in refs if r.get("uid")]


class CloneSetReconciler:
    def __init__(self, cache: Cache, deps: Deps, *, expectation_timeout: float) -> None:
        self.cache = cache
        self.deps = deps
        self.timeout = expectation_timeout

    async def reconcile(self, request: Request) -> Result:
        key = str(request)
        deps = self.deps
        try:
            cloneset = await self.cache.get(CLONESETS, request.name, request.namespace)
        except NotFound:
            deps.scale_expectations.delete_expectations(key)
            deps.update_expectations.delete_expectations(key)
            return Result()
        log = _log.bind(cloneset=key)
        try:
            selector = labels.from_label_selector((cloneset.get("spec") or {}).get("selector"))
        except ValueError as err:
            log.error(
                "invalid selector; not reconciling until the CloneSet changes", error=str(err)
            )
            return Result()

        satisfied, waited, pending = deps.scale_expectations.satisfied_scale(key)
        if not satisfied:
            log.debug("waiting for the cache to show creations and deletions", pending=pending)
            return self._wait(waited)

        uid = str(cloneset["metadata"]["uid"])
        all_pods = await self.cache.list(PODS, request.namespace, index=(OWNER_INDEX, uid))
        active = await self._release_unselected(cloneset, filter_active(all_pods), selector)
        claims = [
            c
            for c in await self.cache.list(
                PERSISTENT_VOLUME_CLAIMS, request.namespace, index=(OWNER_INDEX, uid)
            )
            if not is_terminating(c)
        ]
        listed = await self.cache.list(
            CONTROLLER_REVISIONS, request.namespace, label_selector=selector
        )
        revisions = await active_revisions(
            deps.client, cloneset, owned_or_orphaned(listed, cloneset), active
        )

        for pod in active:
            deps.update_expectations.observe_updated(key, revisions.update_name, pod)
        satisfied, waited, pods = deps.update_expectations.is_satisfied(key)
        if not satisfied:
            log.debug("waiting for the cache to show in-place updates", pods=pods)
            return self._wait(waited)
        for pod in active:
            satisfied, waited = deps.resource_versions.is_satisfied(pod)
            if not satisfied:
                log.debug("waiting for the cache to show a pod change", pod=name_of(pod))
                return self._wait(waited)

        now = deps.clock.wall()
        new_status = cs_status.calculate(
            cloneset,
            active,
            current_revision=revisions.current_name,
            update_revision=revisions.update_name,
            collision_count=revisions.collision_count,
            now=now,
        )
        delay, error = 0.0, None
        if not (cloneset.get("metadata") or {}).get("deletionTimestamp"):
            sync = SyncInput(
                key=key,
                cloneset=cloneset,
                current=apply_revision(cloneset, revisions.current),
                update=apply_revision(cloneset, revisions.update),
                revisions=revisions,
                active=active,
                all_pods=all_pods,
                claims=claims,
            )
            delay, error = await self._sync(sync, new_status)

        await self._trim_pods_to_delete(cloneset, active)
        await self._write_status(cloneset, new_status)
        await self._trim_history(cloneset, revisions, active)
        if error is not None:
            raise error
        min_ready = int((cloneset.get("spec") or {}).get("minReadySeconds") or 0)
        if min_ready > 0 and new_status["availableReplicas"] != new_status["readyReplicas"]:
            delay = min(delay, float(min_ready)) if delay > 0 else float(min_ready)
        return Result(requeue_after=delay)

    def _wait(self, waited: float) -> Result:
        # Events settle expectations and wake us; the requeue is the deadline for the
        # expectations' expiry, after which the reconcile goes on without them.
        return Result(requeue_after=max(self.timeout - waited, 0.1))

    async def _sync(
        self, sync: SyncInput, new_status: KubeObject
    ) -> tuple[float, Exception | None]:
        """Scale, then (unless scaling changed something) update. Returns the update
        phase's delay and the first error; failures become conditions in ``new_status``."""
        wall = self.deps.clock.wall()
        try:
            scaled = await scale(self.deps, sync)
        except Exception as err:
            scaled = ScaleResult(modified=False, error=err)
        _record(new_status, CLONESET_FAILED_SCALE, scaled.error, wall)
        if scaled.modified:
            return 0.0, scaled.error
        try:
            delay = await update(self.deps, sync)
        except Exception as err:
            _record(new_status, CLONESET_FAILED_UPDATE, err, wall)
            return 0.0, scaled.error or err
        _record(new_status, CLONESET_FAILED_UPDATE, None, wall)
        return delay, scaled.error

    async def _release_unselected(
        self, cloneset: KubeObject, pods: Sequence[Mapping[str, Any]], selector: labels.Selector
    ) -> list[Mapping[str, Any]]:
        """Drop our reference from pods the selector no longer matches (unless the
        CloneSet is being deleted) and leave them out."""
        if (cloneset.get("metadata") or {}).get("deletionTimestamp"):
            return list(pods)
        kept = []
        uid = str(cloneset["metadata"]["uid"])
        for pod in pods:
            if selector.matches_object(pod):
                kept.append(pod)
                continue
            meta = pod["metadata"]
            with contextlib.suppress(NotFound):
                await self.deps.client.patch(
                    PODS,
                    meta["name"],
                    release_patch(pod, uid),
                    meta.get("namespace"),
                    patch_type=PatchType.STRATEGIC,
                )
        return kept

    async def _write_status(self, cloneset: KubeObject, new_status: KubeObject) -> None:
        if not cs_status.changed(cloneset.get("status"), new_status):
            return
        current = cloneset
        for attempt in range(STATUS_WRITE_ATTEMPTS):
            body = copy.deepcopy(current)
            merged = {
                k: v
                for k, v in (current.get("status") or {}).items()
                if k not in new_status and k != "conditions"
            }
            body["status"] = {**merged, **new_status}
            try:
                await self.deps.client.update_status(CLONESETS, body)
                return
            except Conflict:
                if attempt == STATUS_WRITE_ATTEMPTS - 1:
                    raise
                meta = cloneset["metadata"]
                current = await self.deps.client.get(CLONESETS, meta["name"], meta.get("namespace"))

    async def _trim_pods_to_delete(
        self, cloneset: KubeObject, active: Sequence[Mapping[str, Any]]
    ) -> None:
        """Forget names in ``scaleStrategy.podsToDelete`` that no active pod has."""
        names = list(
            ((cloneset.get("spec") or {}).get("scaleStrategy") or {}).get("podsToDelete") or []
        )
        if not names:
            return
        alive = {name_of(p) for p in active}
        kept = [n for n in names if n in alive]
        if kept == names:
            return
        meta = cloneset["metadata"]
        body = {
            "metadata": {"resourceVersion": meta.get("resourceVersion")},
            "spec": {"scaleStrategy": {"podsToDelete": kept or None}},
        }
        # On a conflict the next reconcile sees the newer CloneSet and trims again.
        with contextlib.suppress(Conflict):
            await self.deps.client.patch(CLONESETS, meta["name"], body, meta.get("namespace"))

    async def _trim_history(
        self, cloneset: KubeObject, revisions: Revisions, active: Sequence[Mapping[str, Any]]
    ) -> None:
        for revision in to_prune(cloneset, revisions, active):
            meta = revision["metadata"]
            with contextlib.suppress(NotFound):
                await self.deps.client.delete(
                    CONTROLLER_REVISIONS, meta["name"], meta.get("namespace")
                )


def _record(status: KubeObject, cond_type: str, error: Exception | None, wall: float) -> None:
    # A conflict only means the cache was behind; the retry sorts it out.
    if not isinstance(error, Conflict):
        cs_status.set_condition(status, cond_type, error, wall)
