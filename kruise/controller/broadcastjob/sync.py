"""Creating and deleting a BroadcastJob's pods, with scale expectations named by node.

Creations go in slow-start batches (1, 2, 4, ...), each batch concurrently, and stop after
a batch in which a create failed, so a quota that refuses every pod is asked only a few
times; the next reconcile starts over. Deletions go concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from kruise.controller.broadcastjob.calculate import slow_start_batches
from kruise.controller.broadcastjob.context import Deps
from kruise.controller.broadcastjob.pods import Pod, assigned_node, new_pod
from kruise.runtime.client import PODS, NotFound, is_timeout
from kruise.runtime.expectations import ScaleAction
from kruise.runtime.meta import name_of
from kruise.runtime.reconcile import ReconcileError

# Kubernetes' controller event reasons.
SUCCESSFUL_CREATE = "SuccessfulCreate"
FAILED_CREATE = "FailedCreate"
SUCCESSFUL_DELETE = "SuccessfulDelete"

_log = structlog.get_logger("kruise.controller.broadcastjob")


class PodsError(ReconcileError):
    """Some pods could not be created or deleted (the API server refused)."""


@dataclass(frozen=True)
class Outcome:
    done: int
    """Pods created, or deleted."""
    error: Exception | None = None


async def create_pods(
    deps: Deps, key: str, job: Mapping[str, Any], nodes: Sequence[str]
) -> Outcome:
    """Create the job's pod on each of ``nodes``, in slow-start batches."""
    created, start, first_error = 0, 0, None
    for size in slow_start_batches(len(nodes)):
        batch = nodes[start : start + size]
        start += size
        results = await asyncio.gather(*(_create(deps, key, job, node) for node in batch))
        created += sum(1 for r in results if r is None)
        errors = [r for r in results if isinstance(r, Exception)]
        if errors:
            first_error = first_error or errors[0]
            break
    if first_error is not None:
        return Outcome(created, PodsError(f"creating pods: {first_error}"))
    return Outcome(created)


async def _create(
    deps: Deps, key: str, job: Mapping[str, Any], node: str
) -> Exception | bool | None:
    """None when created; False when the outcome is unknown (a timeout: the cache will
    tell, or the expectation expires); the error when refused."""
    pod = new_pod(job, node, by_scheduler=deps.assign_by_scheduler)
    deps.scale_expectations.expect_scale(key, ScaleAction.CREATE, node)
    try:
        created = await deps.client.create(PODS, pod)
    except Exception as err:
        if is_timeout(err):
            return False
        deps.scale_expectations.observe_scale(key, ScaleAction.CREATE, node)
        deps.recorder.event(dict(job), "Warning", FAILED_CREATE, f"Error creating: {err}")
        return err
    deps.recorder.event(dict(job), "Normal", SUCCESSFUL_CREATE, f"Created pod: {name_of(created)}")
    return None


async def delete_pods(deps: Deps, key: str, job: Mapping[str, Any], pods: Sequence[Pod]) -> Outcome:
    """Delete ``pods`` concurrently; a pod already gone counts as deleted."""
    results = await asyncio.gather(*(_delete(deps, key, job, pod) for pod in pods))
    errors = [r for r in results if r is not None]
    error = PodsError(f"deleting pods: {errors[0]}") if errors else None
    return Outcome(len(pods) - len(errors), error)


async def _delete(deps: Deps, key: str, job: Mapping[str, Any], pod: Pod) -> Exception | None:
    node = assigned_node(pod)
    meta = pod["metadata"]
    deps.scale_expectations.expect_scale(key, ScaleAction.DELETE, node)
    try:
        await deps.client.delete(PODS, meta["name"], meta.get("namespace"), uid=meta.get("uid"))
    except NotFound:
        deps.scale_expectations.observe_scale(key, ScaleAction.DELETE, node)
    except Exception as err:
        deps.scale_expectations.observe_scale(key, ScaleAction.DELETE, node)
        _log.info("could not delete a pod", pod=meta["name"], error=str(err))
        return err
    else:
        deps.recorder.event(dict(job), "Normal", SUCCESSFUL_DELETE, f"Delete pod: {meta['name']}")
    return None
