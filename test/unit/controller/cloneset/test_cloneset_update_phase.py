"""The update phase when a pod changes under the controller: that pod is skipped for this
pass (its own event brings the next one) and the others still update."""

from __future__ import annotations

import asyncio
from typing import Any

from support.cloneset_fakes import NEW, NOW, OLD, make_pod

from kruise.controller.cloneset.revision import Revisions
from kruise.controller.cloneset.sync.context import Deps, SyncInput
from kruise.controller.cloneset.sync.strategy import resolve_strategy
from kruise.controller.cloneset.sync.update import update
from kruise.runtime.client import Conflict
from kruise.runtime.clock import FakeClock
from kruise.runtime.expectations import (
    ResourceVersionExpectations,
    ScaleExpectations,
    UpdateExpectations,
)
from kruise.util.inplaceupdate import RefreshResult

Obj = dict[str, Any]


class Updater:
    """Refreshes every pod as it is, except ``conflicting``, which changed meanwhile."""

    def __init__(self, conflicting: str) -> None:
        self.conflicting = conflicting

    async def refresh(self, pod: Obj) -> RefreshResult:
        if pod["metadata"]["name"] == self.conflicting:
            raise Conflict("the object has been modified")
        return RefreshResult(pod)


class Client:
    """Records the patches the recreate path sends."""

    def __init__(self) -> None:
        self.patched: list[str] = []

    async def patch(self, resource: Any, name: str, body: Obj, namespace: Any, **_: Any) -> Obj:
        self.patched.append(name)
        return {"metadata": {"name": name, "uid": name, "resourceVersion": "2"}}


class Recorder:
    def event(self, *args: Any) -> None:
        return None


def test_a_conflicting_pod_is_skipped_and_the_rest_update() -> None:
    clock = FakeClock(wall_start=NOW)
    client = Client()
    deps = Deps(
        client=client,  # type: ignore[arg-type]
        clock=clock,
        recorder=Recorder(),  # type: ignore[arg-type]
        scale_expectations=ScaleExpectations(clock=clock),
        update_expectations=UpdateExpectations(clock=clock),
        resource_versions=ResourceVersionExpectations(clock=clock),
        updater=Updater("web-a"),  # type: ignore[arg-type]
    )
    pods = [make_pod(f"web-{x}", revision=OLD, resource_version="1") for x in "abcd"]
    revision = {"metadata": {"name": NEW}}
    cloneset: Obj = {
        "metadata": {"name": "web", "namespace": "default", "uid": "u"},
        "spec": {
            "replicas": 4,
            "updateStrategy": {"type": "ReCreate", "maxUnavailable": 2, "maxSurge": 0},
        },
    }
    sync = SyncInput(
        key="default/web",
        cloneset=cloneset,
        strategy=resolve_strategy(cloneset["spec"]),
        current=cloneset,
        update=cloneset,
        revisions=Revisions(revision, revision, 0, [revision]),
        active=pods,
        all_pods=pods,
        claims=[],
    )
    asyncio.run(update(deps, sync))
    # web-a could not be refreshed: not updated, and counted as unavailable, so of the
    # two pods maxUnavailable allows, one is left for the others.
    assert client.patched == ["web-b"]
