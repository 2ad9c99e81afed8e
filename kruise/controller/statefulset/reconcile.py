"""Reconcile one Advanced StatefulSet (OpenKruise v1.9 ``statefulset_controller.go`` and
``stateful_set_control.go``).

Read the set; adopt orphan ControllerRevisions its selector matches; claim pods named
``<set>-<ordinal>`` (adopt orphans the selector matches, release ours it no longer
matches); settle the revisions; run the pod-management pass (``control.py``) and, unless
the pass stopped early, the update is ``OnDelete`` or the set is being deleted, the
rolling update (``rolling.py``); then write the status if it changed and trim history.

Like the CloneSet controller, a reconcile waits (with a deadline) until the cache shows
the pod writes it made, so it never acts on a pod as it was before its own change; and
until it shows the last status written, so a condition that cleared does not come back
from a stale copy.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping, Sequence
from typing import Any

import structlog

from kruise.apis.apps.v1beta1 import API_VERSION, STATEFULSETS
from kruise.apis.apps.v1beta1.ordinals import start_ordinal
from kruise.controller.statefulset import control, revision, rolling
from kruise.controller.statefulset import status as sts_status
from kruise.controller.statefulset.context import Deps, RollingInput
from kruise.controller.statefulset.identity import (
    ON_DELETE,
    STATEFULSET_KIND,
    is_member_of,
)
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
from kruise.runtime.meta import name_of, uid_of
from kruise.runtime.reconcile import ReconcileError, Request, Result
from kruise.util.controllerref import PendingPatch, claim, new_controller_ref, release_patch
from kruise.util.revision import apply_revision

STATUS_WRITE_ATTEMPTS = 5
_log = structlog.get_logger("kruise.controller.statefulset")

Obj = Mapping[str, Any]


class SetGoneError(ReconcileError):
    """The set was replaced by another of the same name while we looked at it."""


def min_ready_seconds(sts: Obj) -> int:
    """``updateStrategy.rollingUpdate.minReadySeconds``; 0 when unset."""
    rolling_update = ((sts.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate")
    return int((rolling_update or {}).get("minReadySeconds") or 0)


class StatefulSetReconciler:
    def __init__(self, cache: Cache, deps: Deps, *, expectation_timeout: float) -> None:
        self.cache = cache
        self.deps = deps
        self.timeout = expectation_timeout

    async def reconcile(self, request: Request) -> Result:
        key = str(request)
        sts = await self._load(request)
        if sts is None:
            return Result()
        log = _log.bind(statefulset=key)
        satisfied, waited = self.deps.resource_versions.is_satisfied(sts)
        if not satisfied:
            # Our last status write is not in the cache yet: its conditions would come back.
            log.debug("waiting for the cache to show the status written")
            return Result(requeue_after=max(self.timeout - waited, 0.1))
        try:
            selector = labels.from_label_selector((sts.get("spec") or {}).get("selector"))
        except ValueError as err:
            log.error("invalid selector; not reconciling until the set changes", error=str(err))
            return Result()
        listed = await self._adopt_revisions(sts, selector)
        pods = await self._claim_pods(sts, selector)
        waiting = self._wait_for_pod_writes(pods, log)
        if waiting is not None:
            return waiting
        revisions = await revision.set_revisions(self.deps.client, sts, listed)
        for pod in pods:
            self.deps.update_expectations.observe_updated(key, revisions.update_name, pod)
        status = sts_status.new_status(
            sts,
            current_revision=revisions.current_name,
            update_revision=revisions.update_name,
            collision_count=revisions.collision_count,
            label_selector=str(selector),
        )
        delay, error = await self._sync(key, sts, revisions, pods, status)
        sts_status.complete_rolling_update(sts, status)
        await self._write_status(sts, status)
        await self._trim_history(sts, revisions, pods)
        if error is not None:
            raise error
        return Result(requeue_after=delay)

    async def _load(self, request: Request) -> KubeObject | None:
        """The set from the cache; once it is gone, its expectations go too."""
        try:
            return await self.cache.get(STATEFULSETS, request.name, request.namespace)
        except NotFound:
            self.deps.update_expectations.delete_expectations(str(request))
            return None

    async def _fresh(self, sts: Obj) -> KubeObject:
        """The set read from the API server, which must still be the same object."""
        meta = sts["metadata"]
        fresh = await self.deps.client.get(STATEFULSETS, meta["name"], meta.get("namespace"))
        if uid_of(fresh) != uid_of(sts):
            raise SetGoneError(
                f"original StatefulSet {meta.get('namespace')}/{meta['name']} is gone: "
                f"got uid {uid_of(fresh)}, wanted {uid_of(sts)}"
            )
        return fresh

    async def _adopt_revisions(self, sts: Obj, selector: labels.Selector) -> list[Obj]:
        """The set's revisions (those it controls and orphans its selector matches), the
        orphans adopted."""
        namespace = sts["metadata"].get("namespace")
        listed = await self.cache.list(CONTROLLER_REVISIONS, namespace, label_selector=selector)
        uid = uid_of(sts)
        owned: list[Obj] = []
        orphans: list[Obj] = []
        for rev in listed:
            refs = [r for r in rev["metadata"].get("ownerReferences") or () if r.get("controller")]
            if not refs:
                orphans.append(rev)
            elif refs[0].get("uid") == uid:
                owned.append(rev)
        if orphans:
            fresh = await self._fresh(sts)
            if (fresh.get("metadata") or {}).get("deletionTimestamp"):
                return owned  # a set being deleted adopts nothing (Kubernetes' rule)
            ref = dict(new_controller_ref(sts, api_version=API_VERSION, kind=STATEFULSET_KIND))
            for orphan in orphans:
                meta = orphan["metadata"]
                body = {"metadata": {"ownerReferences": [ref], "uid": meta.get("uid")}}
                with contextlib.suppress(NotFound):
                    owned.append(
                        await self.deps.client.patch(
                            CONTROLLER_REVISIONS,
                            meta["name"],
                            body,
                            namespace,
                            patch_type=PatchType.STRATEGIC,
                        )
                    )
        return owned

    async def _claim_pods(self, sts: Obj, selector: labels.Selector) -> list[Obj]:
        """The pods the set owns after adopting and releasing (Kubernetes' ClaimPods with
        the ``<set>-<ordinal>`` name as an extra condition)."""
        namespace = sts["metadata"].get("namespace")
        uid = uid_of(sts)
        listed = await self.cache.list(PODS, namespace)
        members = [p for p in listed if is_member_of(sts, p)]
        ref = new_controller_ref(sts, api_version=API_VERSION, kind=STATEFULSET_KIND)
        claims = claim(members, sts, selector, owner_ref=ref)
        if not (sts.get("metadata") or {}).get("deletionTimestamp"):
            # Ours by reference but not by name: released like an unselected pod.
            claims.release += [
                PendingPatch(p, release_patch(p, uid), PatchType.STRATEGIC)
                for p in listed
                if not is_member_of(sts, p) and _controlled_by(p, uid)
            ]
        owned = list(claims.owned)
        client = self.deps.client
        for pending in claims.release:
            with contextlib.suppress(NotFound, Conflict):
                await client.patch(
                    PODS,
                    name_of(pending.obj),
                    pending.body,
                    namespace,
                    patch_type=pending.patch_type,
                )
        if claims.adopt:
            fresh = await self._fresh(sts)
            if (fresh.get("metadata") or {}).get("deletionTimestamp"):
                return owned
            for pending in claims.adopt:
                with contextlib.suppress(NotFound, Conflict):
                    owned.append(
                        await client.patch(
                            PODS,
                            name_of(pending.obj),
                            pending.body,
                            namespace,
                            patch_type=pending.patch_type,
                        )
                    )
        return owned

    def _wait_for_pod_writes(
        self, pods: Sequence[Obj], log: structlog.stdlib.BoundLogger
    ) -> Result | None:
        for pod in pods:
            satisfied, waited = self.deps.resource_versions.is_satisfied(pod)
            if not satisfied:
                log.debug("waiting for the cache to show a pod change", pod=name_of(pod))
                return Result(requeue_after=max(self.timeout - waited, 0.1))
        return None

    async def _sync(
        self,
        key: str,
        sts: Obj,
        revisions: revision.Revisions,
        pods: Sequence[Obj],
        status: KubeObject,
    ) -> tuple[float, Exception | None]:
        """The pod-management pass, then the rolling update; returns the requeue delay and
        the first error."""
        deps = self.deps
        now = deps.clock.wall()
        update_set = apply_revision(sts, revisions.update)
        claims = await self.cache.list(PERSISTENT_VOLUME_CLAIMS, sts["metadata"].get("namespace"))
        work = control.PassInput(
            key=key,
            set=sts,
            current_set=apply_revision(sts, revisions.current),
            update_set=update_set,
            current_revision=revisions.current_name,
            update_revision=revisions.update_name,
            pods=pods,
            claims={name_of(c): c for c in claims},
            status=status,
            min_ready_seconds=min_ready_seconds(sts),
            now=now,
        )
        result = await control.manage_pods(deps, work)
        strategy = ((sts.get("spec") or {}).get("updateStrategy") or {}).get("type")
        if not result.finished or result.error is not None or strategy == ON_DELETE:
            return result.delay, result.error
        rolling_input = RollingInput(
            key=key,
            set=sts,
            update_set=update_set,
            current_revision=revisions.current,
            update_revision=revisions.update,
            revisions=revisions.history,
            pods=_with_refreshed(pods, result.replicas),
            replicas=result.replicas,
            start=start_ordinal(sts.get("spec") or {}),
            min_ready_seconds=work.min_ready_seconds,
            status=status,
            now=now,
        )
        try:
            outcome = await rolling.rolling_update(deps, rolling_input)
        except Exception as err:
            return result.delay, err
        delays = [d for d in (result.delay, outcome.requeue_after) if d > 0]
        return min(delays, default=0.0), None

    async def _write_status(self, sts: Obj, new_status: KubeObject) -> None:
        if not sts_status.changed(sts.get("status"), new_status):
            return
        current: Obj = sts
        for attempt in range(STATUS_WRITE_ATTEMPTS):
            body = copy.deepcopy(dict(current))
            kept = {
                k: v
                for k, v in (current.get("status") or {}).items()
                if k not in new_status and k != "conditions"
            }
            body["status"] = {**kept, **new_status}
            try:
                written = await self.deps.client.update_status(STATEFULSETS, body)
                self.deps.resource_versions.expect(written)
                return
            except Conflict:
                if attempt == STATUS_WRITE_ATTEMPTS - 1:
                    raise
                current = await self._fresh(sts)
            except NotFound:
                return

    async def _trim_history(
        self, sts: Obj, revisions: revision.Revisions, pods: Sequence[Obj]
    ) -> None:
        for rev in revision.to_prune(sts, revisions, pods):
            meta = rev["metadata"]
            with contextlib.suppress(NotFound):
                await self.deps.client.delete(
                    CONTROLLER_REVISIONS, meta["name"], meta.get("namespace")
                )


def _controlled_by(pod: Obj, uid: str) -> bool:
    return any(
        r.get("controller") is True and r.get("uid") == uid
        for r in pod["metadata"].get("ownerReferences") or ()
    )


def _with_refreshed(pods: Sequence[Obj], replicas: Sequence[Mapping[str, Any] | None]) -> list[Obj]:
    """``pods`` with each replica the pod-management pass refreshed in its place, so the
    rolling update does not repeat writes from a stale copy."""
    fresh = {name_of(p): p for p in replicas if p is not None}
    return [dict(fresh.get(name_of(p), p)) for p in pods]
