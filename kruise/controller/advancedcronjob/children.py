"""The children an AdvancedCronJob creates: batch/v1 Jobs from ``jobTemplate`` or
BroadcastJobs from ``broadcastJobTemplate``, built, named and read the same way.

A child is named ``<acj>-<scheduled time in Unix seconds>``, so the API server refuses a
second child for the same run. It carries the template's labels and annotations, the
annotation ``apps.kruise.io/scheduled-at`` (the scheduled time, RFC 3339 in the
schedule's time zone) and a controller reference to the AdvancedCronJob.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kruise.apis.apps.v1alpha1 import (
    ADVANCEDCRONJOBS,
    BROADCASTJOBS,
    SCHEDULED_AT_ANNOTATION,
    TEMPLATE_KIND_BROADCASTJOB,
    TEMPLATE_KIND_JOB,
)
from kruise.runtime.client import JOBS, KubeObject, Resource
from kruise.runtime.meta import metadata, name_of, namespace_of, uid_of
from kruise.util.controllerref import new_controller_ref
from kruise.util.pods import parse_time

ACJ_KIND = "AdvancedCronJob"
COMPLETE = "Complete"
FAILED = "Failed"


@dataclass(frozen=True)
class ChildKind:
    """One kind of child: where it lives and which template makes it."""

    resource: Resource
    template: str
    """The field of ``spec.template`` that holds its template."""
    status_type: str
    """``status.type`` of an AdvancedCronJob with this kind of child."""


JOB = ChildKind(JOBS, "jobTemplate", TEMPLATE_KIND_JOB)
BROADCAST_JOB = ChildKind(BROADCASTJOBS, "broadcastJobTemplate", TEMPLATE_KIND_BROADCASTJOB)
KINDS = (JOB, BROADCAST_JOB)


def kind_of(acj: Mapping[str, Any]) -> ChildKind | None:
    """The kind of child ``acj`` creates; None when it has neither template."""
    template = (acj.get("spec") or {}).get("template") or {}
    return next((k for k in KINDS if template.get(k.template) is not None), None)


def child_name(acj_name: str, scheduled: float) -> str:
    """``<acj>-<unix seconds>``: one name per scheduled run."""
    return f"{acj_name}-{int(scheduled)}"


def format_scheduled(scheduled: float, zone: ZoneInfo) -> str:
    """RFC 3339 to the second in ``zone``, ``Z`` for UTC, as Go formats a local time."""
    local = datetime.fromtimestamp(int(scheduled), zone)
    offset = local.utcoffset() or timedelta()
    if not offset:
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    sign, minutes = ("-", -offset) if offset < timedelta() else ("+", offset)
    hours, rest = divmod(int(minutes.total_seconds()) // 60, 60)
    return f"{local.strftime('%Y-%m-%dT%H:%M:%S')}{sign}{hours:02d}:{rest:02d}"


def build_child(
    acj: Mapping[str, Any], kind: ChildKind, scheduled: float, zone: ZoneInfo
) -> KubeObject:
    """The child for the run scheduled at ``scheduled``."""
    template = ((acj.get("spec") or {}).get("template") or {}).get(kind.template) or {}
    meta = template.get("metadata") or {}
    annotations = dict(meta.get("annotations") or {})
    annotations[SCHEDULED_AT_ANNOTATION] = format_scheduled(scheduled, zone)
    owner = new_controller_ref(acj, api_version=ADVANCEDCRONJOBS.api_version, kind=ACJ_KIND)
    return {
        "apiVersion": kind.resource.api_version,
        "kind": kind.resource.kind,
        "metadata": {
            "name": child_name(name_of(acj), scheduled),
            "namespace": namespace_of(acj),
            "labels": dict(meta.get("labels") or {}),
            "annotations": annotations,
            "ownerReferences": [dict(owner)],
        },
        "spec": copy.deepcopy(template.get("spec") or {}),
    }


def finished_as(child: Mapping[str, Any]) -> str | None:
    """``Complete`` or ``Failed`` once a True condition says so; None while it runs (a
    BroadcastJob that never completes is always running)."""
    for condition in (child.get("status") or {}).get("conditions") or ():
        if condition.get("type") in (COMPLETE, FAILED) and condition.get("status") == "True":
            return str(condition["type"])
    return None


def scheduled_time_of(child: Mapping[str, Any]) -> float | None:
    """The run a child was created for, from its ``apps.kruise.io/scheduled-at``."""
    return parse_time((metadata(child).get("annotations") or {}).get(SCHEDULED_AT_ANNOTATION))


def reference(child: Mapping[str, Any], kind: ChildKind) -> dict[str, str]:
    """An ObjectReference to ``child`` for ``status.active``."""
    return {
        "apiVersion": kind.resource.api_version,
        "kind": kind.resource.kind,
        "name": name_of(child),
        "namespace": namespace_of(child),
        "uid": uid_of(child),
    }


def age_key(child: Mapping[str, Any]) -> tuple[float, float, str]:
    """Oldest first, for history trimming: by start time (children that never started
    last, as Kubernetes sorts them), then scheduled time, then name."""
    started = parse_time((child.get("status") or {}).get("startTime"))
    scheduled = scheduled_time_of(child)
    return (
        float("inf") if started is None else started,
        float("inf") if scheduled is None else scheduled,
        name_of(child),
    )
