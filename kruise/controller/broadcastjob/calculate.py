"""The numbers behind a BroadcastJob's reconcile: how many pods to start, in which
batches, and when its deadline and its time to live run out. Times are seconds since
the epoch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.intstr import BROADCASTJOB_DEFAULT_PARALLELISM, scaled_value
from kruise.apis.apps.v1alpha1 import COMPLETION_NEVER, JOB_COMPLETE, JOB_FAILED
from kruise.util.pods import parse_time

SLOW_START_INITIAL_BATCH = 1


def parallelism(spec: Mapping[str, Any], desired: int) -> int:
    """``spec.parallelism`` as a count: a percentage of the desired nodes rounded up.

    Raises ``ValueError`` for a value the webhook would refuse."""
    value = spec.get("parallelism")
    if value is None:
        value = BROADCASTJOB_DEFAULT_PARALLELISM
    return max(scaled_value(value, desired, round_up=True), 0)


def to_create(limit: int, active: int, waiting: int) -> int:
    """Pods to start now: up to ``limit`` running at once, ``active`` already are, and
    ``waiting`` nodes still lack one."""
    return max(min(limit - active, waiting), 0)


def slow_start_batches(count: int, initial: int = SLOW_START_INITIAL_BATCH) -> list[int]:
    """Batch sizes for ``count`` creations: ``initial``, then doubling, the last one cut
    to what remains (1, 2, 4, ...), so a create that keeps failing fails only a few times."""
    batches = []
    size = min(count, initial)
    while count > 0:
        batches.append(size)
        count -= size
        size = min(2 * size, count)
    return batches


def completion_policy(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    return spec.get("completionPolicy") or {}


def never_completes(spec: Mapping[str, Any]) -> bool:
    """``completionPolicy.type`` Never: the job runs until deleted."""
    return completion_policy(spec).get("type") == COMPLETION_NEVER


def is_finished(job: Mapping[str, Any]) -> bool:
    """A job that can finish and has: a True ``Complete`` or ``Failed`` condition."""
    if never_completes(job.get("spec") or {}):
        return False
    return any(
        c.get("type") in (JOB_COMPLETE, JOB_FAILED) and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or ()
    )


def deadline_left(spec: Mapping[str, Any], start_time: object, now: float) -> float | None:
    """Seconds until ``activeDeadlineSeconds`` passes (0 or less once it has); None when
    the job has no deadline (or never completes, where the deadline does not apply)."""
    deadline = completion_policy(spec).get("activeDeadlineSeconds")
    start = parse_time(start_time)
    if deadline is None or start is None or never_completes(spec):
        return None
    return start + int(deadline) - now


def ttl_left(spec: Mapping[str, Any], completion_time: object, now: float) -> float | None:
    """Seconds until a finished job is to be deleted (0 or less once due); None when it
    has no ``ttlSecondsAfterFinished`` or no completion time."""
    ttl = completion_policy(spec).get("ttlSecondsAfterFinished")
    finished = parse_time(completion_time)
    if ttl is None or finished is None:
        return None
    return finished + int(ttl) - now
