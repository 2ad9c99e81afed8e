"""Whether a rollout is done, read from a workload's status: one progress line, or done,
or ``RolloutFailed``. Pure functions; ``rollout status`` calls them on every read.

A CloneSet's rollout fails on a True ``FailedScale`` or ``FailedUpdate`` condition (the
API server refused a pod, or an update could not be made) and on a ``Progressing``
condition that says ``ProgressDeadlineExceeded``; an Advanced StatefulSet's on a True
``FailedCreatePod`` or ``FailedUpdatePod``. The lines follow kubectl's for Deployments
and StatefulSets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubectl_kruise.resources import ADVANCED_STATEFULSET, CLONESET, Kind

CLONESET_FAILURES = ("FailedScale", "FailedUpdate")
STATEFULSET_FAILURES = ("FailedCreatePod", "FailedUpdatePod")
PROGRESSING = "Progressing"
DEADLINE_EXCEEDED = "ProgressDeadlineExceeded"


class RolloutFailed(Exception):
    """The rollout cannot finish as things stand."""


@dataclass(frozen=True)
class Progress:
    """One look at a rollout."""

    message: str
    done: bool


def _int(value: Any) -> int:
    return int(value or 0)


def _replicas(spec: Mapping[str, Any]) -> int:
    replicas = spec.get("replicas")
    return 1 if replicas is None else int(replicas)


def _observed(obj: Mapping[str, Any]) -> bool:
    observed = _int((obj.get("status") or {}).get("observedGeneration"))
    return observed > 0 and observed >= _int((obj.get("metadata") or {}).get("generation"))


def _check_conditions(obj: Mapping[str, Any], failures: tuple[str, ...], what: str) -> None:
    name = (obj.get("metadata") or {}).get("name", "")
    for condition in (obj.get("status") or {}).get("conditions") or ():
        kind, state = condition.get("type"), condition.get("status")
        if kind in failures and state == "True":
            message = condition.get("message") or condition.get("reason") or ""
            raise RolloutFailed(f'{what} "{name}" rollout failed: {kind}: {message}'.rstrip(": "))
        if kind == PROGRESSING and condition.get("reason") == DEADLINE_EXCEEDED:
            raise RolloutFailed(f'{what} "{name}" exceeded its progress deadline')


def cloneset_progress(cs: Mapping[str, Any]) -> Progress:
    """A CloneSet's rollout: every pod outside the partition updated and available, and
    no pod left over from a scale-in or surge."""
    name = (cs.get("metadata") or {}).get("name", "")
    if not _observed(cs):
        return Progress("Waiting for CloneSet spec update to be observed...", False)
    _check_conditions(cs, CLONESET_FAILURES, "CloneSet")
    spec, status = cs.get("spec") or {}, cs.get("status") or {}
    replicas = _replicas(spec)
    expected = _int(status.get("expectedUpdatedReplicas", replicas))
    updated = _int(status.get("updatedReplicas"))
    updated_available = _int(
        status.get("updatedAvailableReplicas", status.get("updatedReadyReplicas"))
    )
    waiting = f'Waiting for CloneSet "{name}" rollout to finish: '
    if updated < expected:
        return Progress(
            f"{waiting}{updated} out of {expected} new pods have been updated...", False
        )
    extra = _int(status.get("replicas")) - replicas
    if extra > 0:
        return Progress(f"{waiting}{extra} old pods are pending termination...", False)
    if updated_available < expected:
        return Progress(
            f"{waiting}{updated_available} of {expected} updated pods are available...", False
        )
    available = _int(status.get("availableReplicas"))
    if available < replicas:
        return Progress(f"{waiting}{available} of {replicas} pods are available...", False)
    if expected < replicas:
        return Progress(
            f"partitioned roll out complete: {updated} new pods have been updated...", True
        )
    return Progress(f'CloneSet "{name}" successfully rolled out', True)


def statefulset_progress(sts: Mapping[str, Any]) -> Progress:
    """An Advanced StatefulSet's rollout, as kubectl judges a StatefulSet's: every pod
    ready, the pods outside the partition updated, the update revision current."""
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise RolloutFailed("rollout status is only available for RollingUpdate strategy type")
    if not _observed(sts):
        return Progress("Waiting for statefulset spec update to be observed...", False)
    _check_conditions(sts, STATEFULSET_FAILURES, "statefulset")
    replicas = _replicas(spec)
    ready = _int(status.get("readyReplicas"))
    if ready < replicas:
        return Progress(f"Waiting for {replicas - ready} pods to be ready...", False)
    updated = _int(status.get("updatedReplicas"))
    partition = _int((strategy.get("rollingUpdate") or {}).get("partition"))
    if partition > 0:
        expected = max(replicas - partition, 0)
        if updated < expected:
            return Progress(
                "Waiting for partitioned roll out to finish: "
                f"{updated} out of {expected} new pods have been updated...",
                False,
            )
        return Progress(
            f"partitioned roll out complete: {updated} new pods have been updated...", True
        )
    revision = status.get("updateRevision", "")
    if revision != status.get("currentRevision"):
        return Progress(
            "waiting for statefulset rolling update to complete "
            f"{updated} pods at revision {revision}...",
            False,
        )
    current = _int(status.get("currentReplicas"))
    return Progress(
        f"statefulset rolling update complete {current} pods at revision {revision}...", True
    )


def progress(kind: Kind, obj: Mapping[str, Any]) -> Progress:
    """The rollout's progress for a CloneSet or an Advanced StatefulSet."""
    if kind is CLONESET:
        return cloneset_progress(obj)
    if kind is ADVANCED_STATEFULSET:
        return statefulset_progress(obj)
    raise RolloutFailed(f"no status viewer has been implemented for {kind.qualified}")
