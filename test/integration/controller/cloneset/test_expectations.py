"""Expectations against a real API server, with the reconcile called directly and the
pod cache held back: no double creation while the cache lags, and recovery once an
expectation that will never be observed expires."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from support.cloneset import defaulted_cloneset
from support.polling import eventually

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.controller.cloneset.handlers import ClaimEventHandler, PodEventHandler
from kruise.controller.cloneset.reconcile import OWNER_INDEX, CloneSetReconciler, owner_uids
from kruise.controller.cloneset.sync.context import Deps
from kruise.runtime.cache import Cache
from kruise.runtime.client import (
    CONTROLLER_REVISIONS,
    PERSISTENT_VOLUME_CLAIMS,
    PODS,
    Client,
    Forbidden,
)
from kruise.runtime.clock import FakeClock
from kruise.runtime.envtest import ControlPlane
from kruise.runtime.events import EventRecorder
from kruise.runtime.expectations import (
    ResourceVersionExpectations,
    ScaleAction,
    ScaleExpectations,
    UpdateExpectations,
)
from kruise.runtime.reconcile import Request
from kruise.util.inplaceupdate import InPlaceUpdater

TIMEOUT = 300.0
Obj = dict[str, Any]


class Requests:
    def __init__(self) -> None:
        self.seen: list[Request] = []

    def add(self, item: Request) -> None:
        self.seen.append(item)


@dataclass
class Direct:
    client: Client
    namespace: str
    cache: Cache
    clock: FakeClock
    deps: Deps
    reconciler: CloneSetReconciler
    registry: CollectorRegistry

    async def pods_in_api(self) -> list[Obj]:
        return (await self.client.list(PODS, self.namespace)).items

    async def cached_pods(self) -> list[Obj]:
        return await self.cache.list(PODS, self.namespace)


@pytest.fixture
async def direct(
    kruise_crds: ControlPlane, client: Client, namespace: str
) -> AsyncIterator[Direct]:
    clock = FakeClock()
    registry = CollectorRegistry()
    deps = Deps(
        client=client,
        clock=clock,
        recorder=EventRecorder(client, "cloneset-controller"),
        scale_expectations=ScaleExpectations(clock=clock, timeout=TIMEOUT, registry=registry),
        update_expectations=UpdateExpectations(clock=clock, timeout=TIMEOUT),
        resource_versions=ResourceVersionExpectations(clock=clock, timeout=TIMEOUT),
        updater=InPlaceUpdater(client, clock=clock),
    )
    cache = Cache(client, namespace=namespace)
    cache.add_index(PODS, OWNER_INDEX, owner_uids)
    cache.add_index(PERSISTENT_VOLUME_CLAIMS, OWNER_INDEX, owner_uids)
    queue = Requests()
    pods = PodEventHandler(
        deps.scale_expectations, deps.update_expectations, deps.resource_versions
    )
    claims = ClaimEventHandler(deps.scale_expectations)
    for resource, handler in ((PODS, pods), (PERSISTENT_VOLUME_CLAIMS, claims)):
        cache.informer(resource).add_event_handler(
            lambda o, h=handler: h.create(o, queue),
            lambda a, b, h=handler: h.update(a, b, queue),
            lambda o, h=handler: h.delete(o, queue),
        )
    for resource in (CLONESETS, CONTROLLER_REVISIONS):
        cache.informer(resource)
    await cache.start()
    assert await cache.wait_for_sync(30)
    yield Direct(
        client,
        namespace,
        cache,
        clock,
        deps,
        CloneSetReconciler(cache, deps, expectation_timeout=TIMEOUT),
        registry,
    )
    await cache.stop()


async def test_a_lagging_cache_does_not_cause_double_creation(direct: Direct) -> None:
    await direct.client.create(CLONESETS, defaulted_cloneset("web", 3), direct.namespace)

    async def cached() -> bool:
        return bool(await direct.cache.list(CLONESETS, direct.namespace))

    await eventually(cached, timeout=15, interval=0.05, what="the CloneSet in the cache")
    direct.cache.informer(PODS).pause_watch()
    request = Request(direct.namespace, "web")

    await direct.reconciler.reconcile(request)
    assert len(await direct.pods_in_api()) == 3
    assert await direct.cached_pods() == []  # the cache lags: it shows none of them

    result = await direct.reconciler.reconcile(request)
    assert len(await direct.pods_in_api()) == 3  # not 6
    assert result.requeue_after > 0

    direct.cache.informer(PODS).resume_watch()

    async def caught_up() -> bool:
        return len(await direct.cached_pods()) == 3

    await eventually(caught_up, timeout=15, interval=0.05, what="the cache to show the pods")
    satisfied, _, _ = direct.deps.scale_expectations.satisfied_scale(str(request))
    assert satisfied
    await direct.reconciler.reconcile(request)
    assert len(await direct.pods_in_api()) == 3


async def test_an_expectation_that_never_arrives_expires_and_the_reconcile_recovers(
    direct: Direct,
) -> None:
    await direct.client.create(CLONESETS, defaulted_cloneset("web", 2), direct.namespace)
    request = Request(direct.namespace, "web")

    async def cached() -> bool:
        return bool(await direct.cache.list(CLONESETS, direct.namespace))

    await eventually(cached, timeout=15, interval=0.05, what="the CloneSet in the cache")
    await direct.reconciler.reconcile(request)

    async def two_cached() -> bool:
        return len(await direct.cached_pods()) == 2

    await eventually(two_cached, timeout=15, interval=0.05, what="2 pods in the cache")
    # A create whose event was lost: nothing will ever observe it.
    direct.deps.scale_expectations.expect_scale(str(request), ScaleAction.CREATE, "web-ghost")
    await direct.client.patch(CLONESETS, "web", {"spec": {"replicas": 3}}, direct.namespace)

    async def scaled_in_cache() -> bool:
        cs = await direct.cache.get(CLONESETS, "web", direct.namespace)
        return bool(cs["spec"]["replicas"] == 3)

    await eventually(scaled_in_cache, timeout=15, interval=0.05, what="replicas 3 in the cache")
    blocked = await direct.reconciler.reconcile(request)
    assert len(await direct.pods_in_api()) == 2
    assert blocked.requeue_after == pytest.approx(TIMEOUT)

    await direct.clock.advance(TIMEOUT + 1)
    await direct.reconciler.reconcile(request)
    assert len(await direct.pods_in_api()) == 3
    expired = direct.registry.get_sample_value(
        "kruise_expectations_expired_total", {"kind": "scale"}
    )
    assert expired == 1


async def test_new_pods_carry_in_place_update_ready_from_their_create(direct: Direct) -> None:
    """The condition a later pass's refresh would set is set right after each create:
    here no pass can have done it, since the cache never shows the pods."""
    await direct.client.create(CLONESETS, defaulted_cloneset("web", 3), direct.namespace)

    async def cached() -> bool:
        return bool(await direct.cache.list(CLONESETS, direct.namespace))

    await eventually(cached, timeout=15, interval=0.05, what="the CloneSet in the cache")
    direct.cache.informer(PODS).pause_watch()
    await direct.reconciler.reconcile(Request(direct.namespace, "web"))
    assert await direct.cached_pods() == []
    pods = await direct.pods_in_api()
    assert len(pods) == 3
    for pod in pods:
        [condition] = [c for c in pod["status"]["conditions"] if c["type"] == "InPlaceUpdateReady"]
        assert condition["status"] == "True"
        assert condition["lastTransitionTime"]


class StatusRefused(Client):
    """The real client, but every pod status write is refused as RBAC would refuse it."""

    async def patch(self, resource: Any, name: str, body: Any, *args: Any, **kwargs: Any) -> Any:
        if resource == PODS and kwargs.get("subresource") == "status":
            raise Forbidden("pods/status is forbidden", status=403, reason="Forbidden")
        return await super().patch(resource, name, body, *args, **kwargs)


async def test_a_refused_condition_write_leaves_the_create_counted(direct: Direct) -> None:
    """Setting the condition after a create is a head start, not part of the create: a
    refusal leaves the pod created and expected, and the refresh of a later pass retries."""
    refusing = StatusRefused(direct.client.config)
    deps = dataclasses.replace(direct.deps, client=refusing)
    reconciler = CloneSetReconciler(direct.cache, deps, expectation_timeout=TIMEOUT)
    await direct.client.create(CLONESETS, defaulted_cloneset("web", 2), direct.namespace)

    async def cached() -> bool:
        return bool(await direct.cache.list(CLONESETS, direct.namespace))

    await eventually(cached, timeout=15, interval=0.05, what="the CloneSet in the cache")
    try:
        await reconciler.reconcile(Request(direct.namespace, "web"))
    finally:
        await refusing.close()
    pods = await direct.pods_in_api()
    assert len(pods) == 2
    assert all(
        c["type"] != "InPlaceUpdateReady" for p in pods for c in p["status"].get("conditions", [])
    )

    async def two_cached() -> bool:
        return len(await direct.cached_pods()) == 2

    await eventually(two_cached, timeout=15, interval=0.05, what="2 pods in the cache")
    await direct.reconciler.reconcile(Request(direct.namespace, "web"))
    pods = await direct.pods_in_api()
    assert len(pods) == 2  # the creates were counted: none made twice
    for pod in pods:
        [condition] = [c for c in pod["status"]["conditions"] if c["type"] == "InPlaceUpdateReady"]
        assert condition["status"] == "True"  # the later pass's refresh set it
