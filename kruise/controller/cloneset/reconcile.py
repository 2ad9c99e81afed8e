"""Reconcile one CloneSet: read what it owns, scale, update, and report status.

The order follows OpenKruise v0.7.0 (``cloneset_controller.go``): wait for expectations,
claim pods (``claim``: adopt, keep or release), settle revisions, resolve the strategy once
(``sync/strategy.py``), scale (and stop there if anything changed), update, then trim
``podsToDelete``, write status and trim the history.
Where v0.7.0 blocked forever on an expectation that never arrives, ours expire, log and
let the reconcile go on.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from kruise.apis.apps.v1alpha1 import CLONESET_FAILED_SCALE, CLONESET_FAILED_UPDATE, CLONESETS
from kruise.controller.cloneset import status as cs_status
from kruise.controller.cloneset.claim import claim_pods
from kruise.controller.cloneset.revision import Revisions, active_revisions, to_prune
from kruise.controller.cloneset.sync.context import Deps, SyncInput
from kruise.controller.cloneset.sync.scale import ScaleResult, scale
from kruise.controller.cloneset.sync.strategy import (
    deprecated_int_or_percent_fields,
    resolve_strategy,
)
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
)
from kruise.runtime.meta import name_of
from kruise.runtime.reconcile import ReconcileError, Request, Result
from kruise.util.controllerref import owned_or_orphaned
from kruise.util.pods import filter_active, is_terminating
from kruise.util.revision import apply_revision
from kruise.util.rollout import min_ready_seconds_of

OWNER_INDEX = "ownerRefUID"
DEPRECATED_INT_OR_PERCENT_REASON = "DeprecatedIntOrString"
STATUS_WRITE_ATTEMPTS = 5
_log = structlog.get_logger("kruise.controller.cloneset")


class InvalidSpecError(ReconcileError):
    """The stored spec cannot be resolved into a strategy (the webhook never saw it)."""


def owner_uids(obj: Mapping[str, Any]) -> list[str]:
    """Index function: the UIDs of every owner of ``obj``, controller or not."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or ()
    return [str(r["uid"]) for r in refs if r.get("uid")]


@dataclass(frozen=True)
class Owned:
    """What a CloneSet owns, as the cache shows it at the start of a reconcile."""

    all_pods: Sequence[Mapping[str, Any]]
    """Every pod, in any phase."""
    active: Sequence[Mapping[str, Any]]
    """Pods neither finished nor terminating that the selector still matches."""
    claims: Sequence[Mapping[str, Any]]
    """Claims not terminating."""


class CloneSetReconciler:
    def __init__(self, cache: Cache, deps: Deps, *, expectation_timeout: float) -> None:
        self.cache = cache
        self.deps = deps
        self.timeout = expectation_timeout
        self._warned_generation: dict[str, int] = {}
        """The generation each CloneSet was last warned about deprecated values at."""

    async def reconcile(self, request: Request) -> Result:
        key = str(request)
        cloneset = await self._load(request)
        if cloneset is None:
            return Result()
        log = _log.bind(cloneset=key)
        selector = _selector_of(cloneset, log)
        if selector is None:
            return Result()
        waiting = self._wait_for_scale(key, log)
        if waiting is not None:
            return waiting

        owned = await self._list_owned(cloneset, selector)
        revisions = await self._revisions(cloneset, selector, owned.active)
        waiting = self._wait_for_updates(key, revisions, owned.active, log)
        if waiting is not None:
            return waiting

        new_status = cs_status.calculate(
            cloneset,
            owned.active,
            current_revision=revisions.current_name,
            update_revision=revisions.update_name,
            collision_count=revisions.collision_count,
            now=self.deps.clock.wall(),
        )
        delay, error = 0.0, None
        if not _is_deleting(cloneset):
            delay, error = await self._sync(key, cloneset, revisions, owned, new_status)
        deadline = cs_status.progressing(cloneset, new_status, self.deps.clock.wall())

        await self._trim_pods_to_delete(cloneset, owned.active)
        await self._write_status(cloneset, new_status)
        await self._trim_history(cloneset, revisions, owned.active)
        if error is not None:
            raise error
        return Result(requeue_after=_requeue_after(delay, cloneset, new_status, deadline))

    async def _load(self, request: Request) -> KubeObject | None:
        """The CloneSet from the cache; once it is gone, its expectations go too."""
        try:
            return await self.cache.get(CLONESETS, request.name, request.namespace)
        except NotFound:
            key = str(request)
            self.deps.scale_expectations.delete_expectations(key)
            self.deps.update_expectations.delete_expectations(key)
            self._warned_generation.pop(key, None)
            return None

    def _wait_for_scale(self, key: str, log: structlog.stdlib.BoundLogger) -> Result | None:
        satisfied, waited, pending = self.deps.scale_expectations.satisfied_scale(key)
        if satisfied:
            return None
        log.debug("waiting for the cache to show creations and deletions", pending=pending)
        return self._wait(waited)

    def _wait_for_updates(
        self,
        key: str,
        revisions: Revisions,
        active: Sequence[Mapping[str, Any]],
        log: structlog.stdlib.BoundLogger,
    ) -> Result | None:
        """Wait until the cache shows our in-place updates and every pod write we made."""
        deps = self.deps
        # Both scans are skipped when nothing is expected, which is most of the time.
        if key in deps.update_expectations:
            for pod in active:
                deps.update_expectations.observe_updated(key, revisions.update_name, pod)
        satisfied, waited, pods = deps.update_expectations.is_satisfied(key)
        if not satisfied:
            log.debug("waiting for the cache to show in-place updates", pods=pods)
            return self._wait(waited)
        if not deps.resource_versions.has_pending():
            return None
        for pod in active:
            satisfied, waited = deps.resource_versions.is_satisfied(pod)
            if not satisfied:
                log.debug("waiting for the cache to show a pod change", pod=name_of(pod))
                return self._wait(waited)
        return None

    async def _list_owned(self, cloneset: KubeObject, selector: labels.Selector) -> Owned:
        namespace = cloneset["metadata"].get("namespace")
        by_owner = (OWNER_INDEX, str(cloneset["metadata"]["uid"]))
        all_pods = await self.cache.list(PODS, namespace, index=by_owner)
        active = await claim_pods(self.deps.client, cloneset, filter_active(all_pods), selector)
        claims = await self.cache.list(PERSISTENT_VOLUME_CLAIMS, namespace, index=by_owner)
        return Owned(all_pods, active, [c for c in claims if not is_terminating(c)])

    async def _revisions(
        self,
        cloneset: KubeObject,
        selector: labels.Selector,
        active: Sequence[Mapping[str, Any]],
    ) -> Revisions:
        namespace = cloneset["metadata"].get("namespace")
        listed = await self.cache.list(CONTROLLER_REVISIONS, namespace, label_selector=selector)
        return await active_revisions(
            self.deps.client, cloneset, owned_or_orphaned(listed, cloneset), active
        )

    def _wait(self, waited: float) -> Result:
        # Events settle expectations and wake us; the requeue is the deadline for the
        # expectations' expiry, after which the reconcile goes on without them.
        return Result(requeue_after=max(self.timeout - waited, 0.1))

    async def _sync(
        self,
        key: str,
        cloneset: KubeObject,
        revisions: Revisions,
        owned: Owned,
        new_status: KubeObject,
    ) -> tuple[float, Exception | None]:
        """Resolve the strategy, then scale and update. Returns the update phase's delay
        and the first error; failures become conditions in ``new_status``."""
        self._warn_deprecated(key, cloneset)
        try:
            strategy = resolve_strategy(
                cloneset.get("spec") or {},
                (cloneset.get("metadata") or {}).get("labels"),
                self.deps.options,
            )
        except (ValueError, TypeError) as err:
            # Only a spec the validating webhook never saw gets here; neither phase can run.
            error = InvalidSpecError(str(err))
            wall = self.deps.clock.wall()
            _record(new_status, CLONESET_FAILED_SCALE, error, wall)
            _record(new_status, CLONESET_FAILED_UPDATE, error, wall)
            return 0.0, error
        sync = SyncInput(
            key=key,
            cloneset=cloneset,
            strategy=strategy,
            current=apply_revision(cloneset, revisions.current),
            update=apply_revision(cloneset, revisions.update),
            revisions=revisions,
            active=owned.active,
            all_pods=owned.all_pods,
            claims=owned.claims,
        )
        return await self._scale_then_update(sync, new_status)

    def _warn_deprecated(self, key: str, cloneset: KubeObject) -> None:
        """One Warning per generation for bare numeric strings in int-or-percent fields,
        which are read as percentages as OpenKruise read them."""
        fields = deprecated_int_or_percent_fields(cloneset.get("spec") or {})
        generation = int((cloneset.get("metadata") or {}).get("generation") or 0)
        if not fields or self._warned_generation.get(key) == generation:
            return
        self._warned_generation[key] = generation
        spec = cloneset.get("spec") or {}
        described = ", ".join(f'{f}: "{_field_value(spec, f)}"' for f in fields)
        self.deps.recorder.event(
            dict(cloneset),
            "Warning",
            DEPRECATED_INT_OR_PERCENT_REASON,
            f"{described}: a number in quotes is read as a percentage; this form is "
            'deprecated, write "N%" for a percentage or the bare number N for a count',
        )

    async def _scale_then_update(
        self, sync: SyncInput, new_status: KubeObject
    ) -> tuple[float, Exception | None]:
        """Scale, then (unless scaling changed something) update."""
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


def _selector_of(
    cloneset: Mapping[str, Any], log: structlog.stdlib.BoundLogger
) -> labels.Selector | None:
    try:
        return labels.from_label_selector((cloneset.get("spec") or {}).get("selector"))
    except ValueError as err:
        log.error("invalid selector; not reconciling until the CloneSet changes", error=str(err))
        return None


def _field_value(spec: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` ("spec.updateStrategy.partition") in ``spec``."""
    _, parent, name = path.split(".")
    return (spec.get(parent) or {}).get(name)


def _is_deleting(cloneset: Mapping[str, Any]) -> bool:
    return bool((cloneset.get("metadata") or {}).get("deletionTimestamp"))


def _requeue_after(
    delay: float,
    cloneset: Mapping[str, Any],
    new_status: KubeObject,
    progress_deadline: float | None = None,
) -> float:
    """The soonest of: the update phase's ``delay``; when a pod is ready but not yet
    available, the time ``minReadySeconds`` makes it available; and the time the rollout's
    progress deadline passes. 0 when none applies."""
    waits = [delay]
    min_ready = min_ready_seconds_of(cloneset.get("spec") or {})
    if min_ready > 0 and new_status["availableReplicas"] != new_status["readyReplicas"]:
        waits.append(float(min_ready))
    if progress_deadline is not None:
        waits.append(progress_deadline)
    return min((w for w in waits if w > 0), default=0.0)


def _record(status: KubeObject, cond_type: str, error: Exception | None, wall: float) -> None:
    # A conflict only means the cache was behind; the retry sorts it out.
    if not isinstance(error, Conflict):
        cs_status.set_condition(status, cond_type, error, wall)
