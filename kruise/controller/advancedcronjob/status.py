"""An AdvancedCronJob's status: ``type``, ``active`` and ``lastScheduleTime``.

``lastScheduleTime`` is the record of which runs are done, as it is for native CronJobs:
it only moves forward, and a child deleted by its TTL, by a history limit or by hand does
not move it back (OpenKruise rebuilt it from the children still there, and so re-created
deleted ones: #792, #862, #1039). Written through the status subresource, only when it
changed; a conflict re-reads the object and keeps the later ``lastScheduleTime``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from kruise.apis.apps.v1alpha1 import ADVANCEDCRONJOBS
from kruise.runtime.client import Client, Conflict, KubeObject
from kruise.runtime.meta import name_of, namespace_of
from kruise.util.pods import format_time, parse_time

WRITE_ATTEMPTS = 5


def last_schedule_time(acj: Mapping[str, Any]) -> float | None:
    """``status.lastScheduleTime`` in seconds since the epoch."""
    return parse_time((acj.get("status") or {}).get("lastScheduleTime"))


def latest(*times: float | None) -> float | None:
    """The latest of ``times`` that are set."""
    return max((t for t in times if t is not None), default=None)


def desired(
    status_type: str, active: Sequence[Mapping[str, str]], last_scheduled: float | None
) -> KubeObject:
    """The status for children ``active`` (references, sorted by name) and the latest
    scheduled run ``last_scheduled``."""
    status: KubeObject = {"type": status_type}
    if active:
        status["active"] = sorted((dict(r) for r in active), key=lambda r: r["name"])
    if last_scheduled is not None:
        status["lastScheduleTime"] = format_time(last_scheduled)
    return status


def merged(stored: Mapping[str, Any] | None, new: KubeObject) -> KubeObject:
    """``new`` over what is stored, never moving ``lastScheduleTime`` back."""
    stored = stored or {}
    out = {k: v for k, v in stored.items() if k not in ("type", "active", "lastScheduleTime")}
    out.update(copy.deepcopy(new))
    last = latest(
        parse_time(stored.get("lastScheduleTime")), parse_time(new.get("lastScheduleTime"))
    )
    if last is not None:
        out["lastScheduleTime"] = format_time(last)
    return out


async def write(client: Client, acj: KubeObject, new: KubeObject) -> KubeObject:
    """Write ``new`` as ``acj``'s status unless it is already that; returns the object as
    stored afterwards."""
    current = acj
    for attempt in range(WRITE_ATTEMPTS):
        status = merged(current.get("status"), new)
        if status == (current.get("status") or {}):
            return current
        body = copy.deepcopy(current)
        body["status"] = status
        try:
            return await client.update_status(ADVANCEDCRONJOBS, body)
        except Conflict:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            current = await client.get(ADVANCEDCRONJOBS, name_of(acj), namespace_of(acj))
    return current
