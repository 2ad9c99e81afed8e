"""Handing running workloads from one manager to another (issue 14's takeover test):
the objects OpenKruise and kruise-py should both leave alone, a watch that counts every
write to pods and claims while the managers change places, and a snapshot of what the
workloads report.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.apis.apps.v1beta1 import STATEFULSETS
from kruise.runtime.client import (
    CONTROLLER_REVISIONS,
    PERSISTENT_VOLUME_CLAIMS,
    PODS,
    Client,
    Resource,
)

Obj = dict[str, Any]
WINDOW_ENV = "TAKEOVER_WINDOW_SECONDS"
DEFAULT_WINDOW = 30.0
"""Seconds each handover is watched by default; the issue's two minutes with
TAKEOVER_WINDOW_SECONDS=120."""
HOLD_LABEL = "example.com/hold"


def window_seconds() -> float:
    return float(os.environ.get(WINDOW_ENV) or DEFAULT_WINDOW)


def cloneset(name: str, image: str) -> Obj:
    """InPlaceIfPossible, a claim template, partition 50 % and a preDelete hook."""
    labels = {"app": name}
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "CloneSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": 4,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": image,
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                        }
                    ]
                },
            },
            "volumeClaimTemplates": [_claim_template()],
            "updateStrategy": {
                "type": "InPlaceIfPossible",
                "partition": "50%",
                "maxUnavailable": 2,
            },
            "lifecycle": {"preDelete": {"labelsHandler": {HOLD_LABEL: "true"}}},
        },
    }


def statefulset(name: str, image: str) -> Obj:
    """An Advanced StatefulSet (v1beta1) with ordinal 1 reserved, updated in place."""
    labels = {"app": name}
    return {
        "apiVersion": "apps.kruise.io/v1beta1",
        "kind": "StatefulSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": 3,
            "serviceName": name,
            "podManagementPolicy": "Parallel",
            "reserveOrdinals": [1],
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "readinessGates": [{"conditionType": "InPlaceUpdateReady"}],
                    "containers": [{"name": "main", "image": image}],
                },
            },
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible", "maxUnavailable": 1},
            },
        },
    }


def _claim_template() -> Obj:
    return {
        "metadata": {"name": "data"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Mi"}},
        },
    }


@dataclass(frozen=True)
class Write:
    kind: str
    event: str
    name: str
    changed: tuple[str, ...]
    """For MODIFIED: the top-level fields (``metadata.labels``, ``status``...) that differ."""

    def __str__(self) -> str:
        extra = f" ({', '.join(self.changed)})" if self.changed else ""
        return f"{self.event} {self.kind} {self.name}{extra}"


@dataclass
class WriteCounter:
    """Every pod and claim write in ``namespace`` from the moment it has listed them: a
    list, then a watch from the list's resourceVersion (reconnected from the last seen)."""

    client: Client
    namespace: str
    writes: list[Write] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def __aenter__(self) -> WriteCounter:
        synced = [asyncio.Event(), asyncio.Event()]
        for resource, ready in zip((PODS, PERSISTENT_VOLUME_CLAIMS), synced, strict=True):
            self._tasks.append(asyncio.create_task(self._watch(resource, ready)))
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in synced)), timeout=60)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            if task.done() and task.exception() is not None:
                raise AssertionError("a write watch failed") from task.exception()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def count(self, kind: str) -> int:
        return sum(1 for w in self.writes if w.kind == kind)

    async def _watch(self, resource: Resource, synced: asyncio.Event) -> None:
        listed = await self.client.list(resource, self.namespace)
        last: dict[str, Obj] = {p["metadata"]["uid"]: p for p in listed.items}
        version = listed.resource_version
        synced.set()
        while True:
            stream = self.client.watch(
                resource, self.namespace, resource_version=version, timeout_seconds=60
            )
            async with stream as events:
                async for event_type, obj in events:
                    version = obj["metadata"]["resourceVersion"]
                    if event_type == "BOOKMARK":
                        continue
                    uid = obj["metadata"]["uid"]
                    before = last.get(uid)
                    last[uid] = obj
                    changed = _changed_fields(before, obj) if event_type == "MODIFIED" else ()
                    self.writes.append(
                        Write(resource.kind, event_type, obj["metadata"]["name"], changed)
                    )


def _changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> tuple[str, ...]:
    if before is None:
        return ()
    found = []
    for section in ("metadata", "spec", "status"):
        old, new = before.get(section) or {}, after.get(section) or {}
        for key in sorted(set(old) | set(new)):
            if key in ("resourceVersion", "managedFields", "generation"):
                continue
            if old.get(key) != new.get(key):
                found.append(f"{section}.{key}")
    return tuple(found)


@dataclass(frozen=True)
class Snapshot:
    """What the workloads report and what they own, to compare across a handover."""

    cloneset_status: Obj
    statefulset_status: Obj
    pods: dict[str, tuple[str, str]]
    """name -> (uid, resourceVersion)."""
    claims: dict[str, tuple[str, str]]
    revisions: dict[str, tuple[str, str]]
    """ControllerRevisions by name."""


async def snapshot(client: Client, namespace: str, cs_name: str, sts_name: str) -> Snapshot:
    cs = await client.get(CLONESETS, cs_name, namespace)
    sts = await client.get(STATEFULSETS, sts_name, namespace)
    pods = (await client.list(PODS, namespace)).items
    claims = (await client.list(PERSISTENT_VOLUME_CLAIMS, namespace)).items
    revisions = (await client.list(CONTROLLER_REVISIONS, namespace)).items
    return Snapshot(
        cloneset_status=_stable_status(cs),
        statefulset_status=_stable_status(sts),
        pods={p["metadata"]["name"]: _version(p) for p in pods},
        claims={c["metadata"]["name"]: _version(c) for c in claims},
        revisions={r["metadata"]["name"]: _version(r) for r in revisions},
    )


def _version(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = obj["metadata"]
    return str(meta["uid"]), str(meta["resourceVersion"])


CONFLICT = "the object has been modified"


def _stable_status(obj: Mapping[str, Any]) -> Obj:
    """The status without condition timestamps, which a manager may refresh, and without
    a failure condition that only records a write conflict: OpenKruise keeps one until
    another failure replaces it, while kruise-py never records a conflict as a failure
    and drops the condition on its next good pass."""
    status = dict(obj.get("status") or {})
    conditions = [
        {k: v for k, v in c.items() if k not in ("lastTransitionTime", "lastUpdateTime")}
        for c in status.get("conditions") or []
        if not (
            c.get("type") in ("FailedScale", "FailedUpdate")
            and CONFLICT in str(c.get("message", ""))
        )
    ]
    if conditions:
        status["conditions"] = sorted(conditions, key=lambda c: str(c.get("type")))
    else:
        status.pop("conditions", None)
    return status
