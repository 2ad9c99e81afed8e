"""The measured phases of one run: a StatefulSet scaled out from 0 (OrderedReady or
Parallel; an Advanced StatefulSet of a manager or kube-controller-manager's native one),
and an in-place image update of an Advanced StatefulSet; and the clean-up between them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from ..common.manifests import NEW_IMAGE
from ..common.observer import InPlaceTracker, ProcessMeter, ScaleTracker
from ..common.waiting import follow, say, wait_async, wait_tracker
from .manifests import statefulset
from .observer import OrderCheck
from .plan import ASTS_API, KCM, NAMES, POLICY, deadline


def workload_resource(contender: str) -> Any:
    """Where a contender's StatefulSets live: ``apps/v1`` for kube-controller-manager,
    ``apps.kruise.io/v1beta1`` for the managers."""
    from kruise.runtime.client import STATEFUL_SETS, Resource  # noqa: PLC0415

    if contender == KCM:
        return STATEFUL_SETS
    group, version = ASTS_API.split("/")
    return Resource(group, version, "statefulsets", "StatefulSet")


async def observed(client: Any, resource: Any, namespace: str, name: str, generation: int) -> bool:
    obj = await client.get(resource, name, namespace)
    return int((obj.get("status") or {}).get("observedGeneration") or 0) >= generation


async def ensure_namespace(client: Any, name: str) -> None:
    from kruise.runtime.client import NAMESPACES  # noqa: PLC0415

    with contextlib.suppress(Exception):  # it may exist
        await client.create(NAMESPACES, {"metadata": {"name": name}})


async def scale_phase(
    client: Any,
    contender: str,
    phase: str,
    pods: int,
    *,
    meter: ProcessMeter,
    alive: Callable[[], None],
) -> dict[str, float]:
    """``ordered`` or ``parallel``: the StatefulSet is created with 0 replicas and observed
    by its controller; the clock starts at the request that scales it to ``pods``."""
    from kruise.runtime.client import PODS  # noqa: PLC0415

    resource = workload_resource(contender)
    name = namespace = NAMES[phase]
    await ensure_namespace(client, namespace)
    manifest = statefulset(name, namespace, 0, policy=POLICY[phase], native=contender == KCM)
    created = await client.create(resource, manifest, namespace)
    await wait_async(
        lambda: observed(client, resource, namespace, name, created["metadata"]["generation"]),
        f"{contender} to observe the StatefulSet (status.observedGeneration)",
        60,
        alive,
    )
    listing = await client.list(PODS, namespace, label_selector=f"app={name}")
    tracker = ScaleTracker(pods)
    order = OrderCheck()

    def observe(event_type: str, pod: dict[str, Any], now: float) -> None:
        tracker.observe(event_type, pod, now)
        order.observe(event_type, pod, now)

    watch = asyncio.create_task(follow(client, PODS, namespace, listing.resource_version, observe))
    await asyncio.sleep(0.2)  # the watch is open before the clock starts
    meter.start()
    tracker.t0 = time.monotonic()
    await client.patch(resource, name, {"spec": {"replicas": pods}}, namespace)
    await wait_tracker(tracker, [watch], deadline(phase, pods), f"{contender} {phase}", alive)
    figures = {**tracker.figures(), **meter.figures()}
    if POLICY[phase] == "OrderedReady":
        early = order.out_of_order()
        figures["out_of_order_pods"] = len(early)
        if early:
            say(f"{contender}: pods created before the one below was Ready: {early[:10]}")
    say(
        f"{contender}: {POLICY[phase]} set of {pods} pods: created in "
        f"{figures['seconds_all_created']:.1f}s, Ready in {figures['seconds_all_ready']:.1f}s"
    )
    return figures


async def inplace_phase(
    client: Any, contender: str, pods: int, meter: ProcessMeter, alive: Callable[[], None]
) -> dict[str, float]:
    """A Parallel Advanced StatefulSet of ``pods`` pods, all Ready (not timed), gets a new
    image; the clock runs until its status and every pod report the update done."""
    from kruise.runtime.client import PODS, PatchType  # noqa: PLC0415

    resource = workload_resource(contender)
    name = namespace = NAMES["inplace"]
    await ensure_namespace(client, namespace)
    manifest = statefulset(name, namespace, pods, policy=POLICY["inplace"], inplace=True)
    await client.create(resource, manifest, namespace)

    async def all_ready() -> bool:
        obj = await client.get(resource, name, namespace)
        status = obj.get("status") or {}
        return (
            int(status.get("observedGeneration") or 0) >= obj["metadata"]["generation"]
            and status.get("readyReplicas") == pods
            and status.get("updatedReadyReplicas") == pods
        )

    await wait_async(
        all_ready, f"{pods} Ready pods of the in-place set", deadline("parallel", pods), alive
    )
    current = await client.get(resource, name, namespace)
    listing = await client.list(PODS, namespace, label_selector=f"app={name}")
    before = {p["metadata"]["uid"] for p in listing.items}
    tracker = InPlaceTracker(pods, NEW_IMAGE, current["metadata"]["generation"] + 1)
    now = time.monotonic()
    for pod in listing.items:
        tracker.observe_pod("ADDED", pod, now)
    sets = await client.list(resource, namespace)
    watches = [
        asyncio.create_task(
            follow(client, PODS, namespace, listing.resource_version, tracker.observe_pod)
        ),
        asyncio.create_task(
            follow(
                client,
                resource,
                namespace,
                sets.resource_version,
                lambda _t, obj, at: tracker.observe_workload(obj, at),
            )
        ),
    ]
    await asyncio.sleep(0.2)
    meter.start()
    tracker.t0 = time.monotonic()
    patch = [
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": NEW_IMAGE}
    ]
    await client.patch(resource, name, patch, namespace, patch_type=PatchType.JSON)
    limit = deadline("inplace", pods)
    await wait_tracker(tracker, watches, limit, f"{contender} in-place", alive)
    figures: dict[str, float] = {**tracker.figures(), **meter.figures()}
    after = await client.list(PODS, namespace, label_selector=f"app={name}")
    figures["recreated_pods"] = len({p["metadata"]["uid"] for p in after.items} - before)
    say(
        f"{contender}: {pods} pods updated in place and Ready in "
        f"{figures['seconds_all_updated_ready']:.1f}s ({figures['recreated_pods']:.0f} recreated)"
    )
    return figures


async def clean_up(client: Any, contender: str, phase: str, alive: Callable[[], None]) -> None:
    """Delete a phase's StatefulSet and its pods, so the nodes and the controller's cache
    hold only the next phase's. The pods are deleted here rather than left to the garbage
    collector, which may first spend seconds rediscovering the custom kinds."""
    from kruise.runtime.client import PODS  # noqa: PLC0415

    resource = workload_resource(contender)
    name = namespace = NAMES[phase]
    with contextlib.suppress(Exception):  # a failed phase may not have made it
        await client.delete(resource, name, namespace, propagation_policy="Background")
    selector = f"app={name}"

    async def pods_gone() -> bool:
        if not (await client.list(PODS, namespace, label_selector=selector)).items:
            return True
        await client.transport.request(
            "DELETE", PODS.path(namespace), params={"labelSelector": selector}
        )
        return False

    await wait_async(pods_gone, f"the {phase} phase's pods to go", 300, alive)
