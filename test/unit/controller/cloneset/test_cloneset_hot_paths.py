"""The per-pod shortcuts a reconcile takes over thousands of pods give the answers the
long way gives: settled pods are not handed to the in-place updater, the status counts
match their definitions, and a claim that changes nothing keeps every pod."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from support.cloneset_fakes import NEW, NOW, OLD, make_pod

from kruise.controller.cloneset.claim import claim_pods
from kruise.controller.cloneset.revision import Revisions
from kruise.controller.cloneset.status import calculate
from kruise.controller.cloneset.sync.calculate import is_update_ready, revision_of
from kruise.controller.cloneset.sync.context import Deps, SyncInput
from kruise.controller.cloneset.sync.strategy import resolve_strategy
from kruise.controller.cloneset.sync.update import update
from kruise.runtime import labels
from kruise.runtime.clock import FakeClock
from kruise.runtime.expectations import (
    ResourceVersionExpectations,
    ScaleExpectations,
    UpdateExpectations,
)
from kruise.util.inplaceupdate import RefreshResult
from kruise.util.pods import is_running_and_ready

Obj = dict[str, Any]
GRACE = "apps.kruise.io/inplace-update-grace"
CLONESET: Obj = {
    "metadata": {"name": "sample", "namespace": "default", "uid": "cs-uid", "generation": 1},
    "spec": {
        "replicas": 4,
        "selector": {"matchLabels": {"app": "sample"}},
        "updateStrategy": {"type": "InPlaceIfPossible"},
    },
}


class RecordingUpdater:
    """Answers every refresh with the pod as it is, and records which pods it was given."""

    def __init__(self) -> None:
        self.refreshed: list[str] = []

    async def refresh(self, pod: Obj) -> RefreshResult:
        self.refreshed.append(pod["metadata"]["name"])
        return RefreshResult(pod)


class NoClient:
    async def patch(self, *args: Any, **kwargs: Any) -> Obj:
        raise AssertionError("no write expected")


class PatchingClient:
    """Answers a patch with the pod at a new resourceVersion."""

    def __init__(self) -> None:
        self.patched: list[str] = []

    async def patch(self, resource: Any, name: str, body: Obj, namespace: Any, **_: Any) -> Obj:
        self.patched.append(name)
        return {"metadata": {"name": name, "uid": name, "resourceVersion": "2"}}


class Recorder:
    def event(self, *args: Any) -> None:
        return None


def _deps(updater: Any, client: Any = None) -> Deps:
    clock = FakeClock(wall_start=NOW)
    return Deps(
        client=client or NoClient(),
        clock=clock,
        recorder=Recorder(),  # type: ignore[arg-type]
        scale_expectations=ScaleExpectations(clock=clock),
        update_expectations=UpdateExpectations(clock=clock),
        resource_versions=ResourceVersionExpectations(clock=clock),
        updater=updater,
    )


def _sync(pods: list[Obj]) -> SyncInput:
    revision = {"metadata": {"name": NEW}}
    return SyncInput(
        key="default/sample",
        cloneset=CLONESET,
        strategy=resolve_strategy(CLONESET["spec"]),
        current=CLONESET,
        update=CLONESET,
        revisions=Revisions(revision, revision, 0, [revision]),
        active=pods,
        all_pods=pods,
        claims=[],
    )


def test_only_pods_with_something_to_refresh_reach_the_updater() -> None:
    pods = [
        make_pod("settled", revision=NEW, in_place_ready="True"),
        make_pod("updating", revision=NEW, in_place_ready="False"),
        make_pod("no-condition", revision=NEW),
        make_pod("grace", revision=NEW, in_place_ready="True", annotations={GRACE: "{}"}),
        make_pod("preparing", revision=NEW, in_place_ready="True", state="PreparingNormal"),
    ]
    updater = RecordingUpdater()
    client = PatchingClient()
    asyncio.run(update(_deps(updater, client), _sync(pods)))
    assert sorted(updater.refreshed) == ["grace", "no-condition", "preparing", "updating"]
    assert client.patched == ["preparing"]  # on to Normal, as before


def test_a_pass_over_settled_pods_refreshes_none_and_updates_none() -> None:
    pods = [make_pod(f"p-{i}", revision=NEW, in_place_ready="True") for i in range(50)]
    updater = RecordingUpdater()
    assert asyncio.run(update(_deps(updater), _sync(pods))) == 0.0
    assert updater.refreshed == []


def _variety() -> list[Obj]:
    pods = []
    combos = itertools.product(
        (OLD, NEW),
        ("Running", "Pending"),
        (True, False, None),
        ("Normal", "PreparingNormal", None),
        ("True", "False", None),
        (3600, 5),
    )
    for i, (rev, phase, ready, state, in_place, ready_for) in enumerate(combos):
        pods.append(
            make_pod(
                f"p-{i}",
                revision=rev,
                phase=phase,
                ready=ready,
                state=state,
                in_place_ready=in_place,
                ready_for=ready_for,
            )
        )
    return pods


def test_status_counts_match_their_definitions() -> None:
    pods = _variety()
    for min_ready in (0, 60):
        cloneset = {**CLONESET, "spec": {**CLONESET["spec"], "minReadySeconds": min_ready}}
        status = calculate(
            cloneset,
            pods,
            current_revision=OLD,
            update_revision=NEW,
            collision_count=0,
            now=NOW,
        )
        updated = [p for p in pods if revision_of(p) == NEW]
        assert status["readyReplicas"] == sum(map(is_running_and_ready, pods))
        assert status["availableReplicas"] == sum(is_update_ready(p, min_ready, NOW) for p in pods)
        assert status["updatedReplicas"] == len(updated)
        assert status["updatedReadyReplicas"] == sum(map(is_running_and_ready, updated))
        assert status["updatedAvailableReplicas"] == sum(
            is_update_ready(p, min_ready, NOW) for p in updated
        )
        assert 0 < status["availableReplicas"] < status["readyReplicas"] < len(pods)


def _owned(name: str) -> Obj:
    pod = make_pod(name)
    pod["metadata"]["uid"] = f"uid-{name}"
    pod["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "CloneSet",
            "name": "sample",
            "uid": "cs-uid",
            "controller": True,
        }
    ]
    return pod


def test_a_claim_that_changes_nothing_keeps_every_pod_in_order() -> None:
    pods = [_owned(f"p-{i}") for i in (3, 1, 2)]
    selector = labels.from_label_selector(CLONESET["spec"]["selector"])
    kept = asyncio.run(claim_pods(NoClient(), CLONESET, pods, selector))  # type: ignore[arg-type]
    assert kept == pods
    assert all(a is b for a, b in zip(kept, pods, strict=True))


def test_a_claim_leaves_out_pods_of_another_controller() -> None:
    pods = [_owned("mine"), _owned("theirs")]
    pods[1]["metadata"]["ownerReferences"][0]["uid"] = "other"
    selector = labels.from_label_selector(CLONESET["spec"]["selector"])
    kept = asyncio.run(claim_pods(NoClient(), CLONESET, pods, selector))  # type: ignore[arg-type]
    assert [p["metadata"]["name"] for p in kept] == ["mine"]
