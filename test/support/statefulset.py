"""An Advanced StatefulSet controller in this process, on the shared control plane (etcd
and kube-apiserver), and what its integration tests do with it.

No kubelet runs here: tests play it, setting pod status with ``set_pod_status`` or
``play_kubelet``. No webhook runs either, so sets are written with the fields the
defaulting webhook would fill (``defaulted_statefulset``). The manager caches only the
test's namespace, so tests do not see each other. Pods are never bound to a node, so the
API server deletes them at once, as it does pods no kubelet runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from kruise.apis.apps.defaults.statefulset import default_statefulset
from kruise.apis.apps.v1beta1 import STATEFULSETS
from kruise.controller import statefulset
from kruise.runtime.client import (
    CONTROLLER_REVISIONS,
    PERSISTENT_VOLUME_CLAIMS,
    PODS,
    Client,
    Conflict,
    NotFound,
)
from kruise.runtime.controller import Controller
from kruise.runtime.manager import Manager, ManagerOptions
from support import workloads
from support.events import events_about, wait_for_event
from support.pods import image_of, kubelet_status, live, ready_lags_gates
from support.polling import eventually

Obj = dict[str, Any]
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")


def defaulted_statefulset(
    name: str,
    replicas: int,
    image: str = "nginx:1.0",
    *,
    pod_management: str = "OrderedReady",
    rolling: Mapping[str, Any] | None = None,
    claims: Iterable[str] = (),
    **spec: Any,
) -> Obj:
    """A v1beta1 Advanced StatefulSet of ``replicas`` pods running ``image``, with what the
    defaulting webhook would fill in. ``pod_management`` is the podManagementPolicy;
    ``rolling`` overrides fields of ``updateStrategy.rollingUpdate``; ``claims`` names
    volumeClaimTemplates (1Gi, ReadWriteOnce each); ``spec`` overrides spec fields (an
    ``updateStrategy`` given there replaces the default one before defaulting)."""
    spec.setdefault("podManagementPolicy", pod_management)
    strategy = spec.pop("updateStrategy", None) or {"type": "RollingUpdate", "rollingUpdate": {}}
    if rolling:
        strategy = copy.deepcopy(strategy)
        strategy.setdefault("rollingUpdate", {}).update(rolling)
    templates = [claim_template(c) for c in claims]
    if templates:
        spec.setdefault("volumeClaimTemplates", templates)
    obj = workloads.statefulset(
        name, replicas, image=image, updateStrategy=strategy, revisionHistoryLimit=10, **spec
    )
    return default_statefulset(obj)


def claim_template(name: str, storage: str = "1Gi") -> Obj:
    """A volumeClaimTemplates entry called ``name``."""
    return {
        "metadata": {"name": name},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": storage}},
        },
    }


def ordinal_of(pod: Mapping[str, Any]) -> int:
    """The ordinal in a pod's name; -1 when it has none."""
    match = _ORDINAL.match(str(pod["metadata"]["name"]))
    return int(match.group(2)) if match else -1


def is_member(name: str, pod: Mapping[str, Any]) -> bool:
    """Whether the pod is named ``<name>-<ordinal>``."""
    match = _ORDINAL.match(str(pod["metadata"]["name"]))
    return match is not None and match.group(1) == name


def ordinals(pods: Iterable[Mapping[str, Any]]) -> list[int]:
    """The pods' ordinals, ascending."""
    return sorted(ordinal_of(p) for p in pods)


class Harness:
    """A running StatefulSet controller and helpers to drive pods through their lives."""

    def __init__(self, client: Client, namespace: str, manager: Manager) -> None:
        self.client = client
        self.namespace = namespace
        self.manager = manager
        self.controller: Controller | None = None

    # --- the set ----------------------------------------------------------------------

    async def create(self, obj: Obj) -> Obj:
        return await self.client.create(STATEFULSETS, obj, self.namespace)

    async def get(self, name: str) -> Obj:
        return await self.client.get(STATEFULSETS, name, self.namespace)

    async def patch(self, name: str, body: Obj) -> Obj:
        """A JSON merge patch of set ``name``."""
        return await self.client.patch(STATEFULSETS, name, body, self.namespace)

    async def delete(self, name: str, propagation_policy: str | None = None) -> None:
        with contextlib.suppress(NotFound):
            await self.client.delete(
                STATEFULSETS, name, self.namespace, propagation_policy=propagation_policy
            )

    async def scale(self, name: str, replicas: int) -> Obj:
        """Set ``replicas`` through the scale subresource, as ``kubectl scale`` does; read
        again when the controller's status write got in between (409)."""
        for _ in range(5):
            scale = await self.client.get_scale(STATEFULSETS, name, self.namespace)
            scale["spec"]["replicas"] = replicas
            try:
                return await self.client.update_scale(STATEFULSETS, scale)
            except Conflict:
                continue
        raise AssertionError(f"scaling {name} kept conflicting with the controller")

    async def status(self, name: str, check: Callable[[Obj], bool], within: float = 30.0) -> Obj:
        """The set once ``check(status)`` holds."""

        async def probe() -> Obj | None:
            obj = await self.get(name)
            return obj if check(obj.get("status") or {}) else None

        return await eventually(probe, timeout=within, what=f"status of {name}")

    # --- pods -------------------------------------------------------------------------

    async def pods(self, name: str | None = None) -> list[Obj]:
        """Pods labelled ``app=<name>`` (all pods with no name), by name."""
        selector = None if name is None else f"app={name}"
        listed = await self.client.list(PODS, self.namespace, label_selector=selector)
        return sorted(listed.items, key=lambda p: (ordinal_of(p), p["metadata"]["name"]))

    async def pod(self, pod_name: str) -> Obj:
        return await self.client.get(PODS, pod_name, self.namespace)

    async def members(self, name: str) -> list[Obj]:
        """The live pods named ``<name>-<ordinal>`` (pods of other names are left out)."""
        return [p for p in live(await self.pods(name)) if is_member(name, p)]

    async def live_ordinals(self, name: str) -> list[int]:
        return ordinals(await self.members(name))

    async def wait_ordinals(
        self, name: str, expected: Iterable[int], within: float = 30.0
    ) -> list[Obj]:
        """The live pods of set ``name`` once their ordinals are exactly ``expected``."""
        wanted = sorted(expected)

        async def check() -> tuple[list[Obj]] | None:
            pods = await self.members(name)
            return (pods,) if ordinals(pods) == wanted else None

        (found,) = await eventually(check, timeout=within, what=f"pods {wanted} of {name}")
        return found

    async def pod_count(self, name: str, count: int, within: float = 30.0) -> list[Obj]:
        """The live pods of set ``name`` once there are ``count`` of them."""

        async def check() -> list[Obj] | None:
            pods = live(await self.pods(name))
            return pods if len(pods) == count else None

        return await eventually(check, timeout=within, what=f"{count} pods of {name}")

    async def set_pod_status(
        self,
        pod_name: str,
        *,
        ready: bool = True,
        image: str | None = None,
        phase: str = "Running",
    ) -> Obj:
        """Play the kubelet: PodScheduled, ``phase``, containers reporting their spec images
        (or ``image``), Ready as ``ready`` and the readiness gates allow."""
        for _ in range(50):
            pod = await self.pod(pod_name)
            body = copy.deepcopy(pod)
            body["status"] = kubelet_status(body, ready=ready, image=image, phase=phase)
            try:
                return await self.client.update_status(PODS, body)
            except Conflict:
                await asyncio.sleep(0.05)
        pytest.fail(f"pod {pod_name} kept conflicting")

    async def ready(self, name: str, ordinal: int) -> Obj:
        """Wait for pod ``<name>-<ordinal>`` and make it Running and Ready."""
        pod_name = f"{name}-{ordinal}"

        async def exists() -> Obj | None:
            with contextlib.suppress(NotFound):
                pod = await self.pod(pod_name)
                return None if pod["metadata"].get("deletionTimestamp") else pod
            return None

        await eventually(exists, timeout=30, what=f"pod {pod_name}")
        return await self.set_pod_status(pod_name)

    async def all_ready(self, name: str, count: int, within: float = 30.0) -> list[Obj]:
        """Wait for ``count`` pods and mark each Running and Ready (for OrderedReady sets
        use ``play_kubelet``: each pod appears only once the one before is ready)."""
        pods = await self.pod_count(name, count, within)
        for pod in pods:
            await self.set_pod_status(pod["metadata"]["name"])
        return pods

    async def drop_finalizers(self, pod_name: str) -> None:
        """Let a pod held by finalizers (from its template) go."""
        with contextlib.suppress(NotFound):
            await self.client.patch(
                PODS, pod_name, {"metadata": {"finalizers": None}}, self.namespace
            )

    async def terminating(self, name: str) -> list[int]:
        """The ordinals of set ``name``'s pods being deleted."""
        return ordinals(p for p in await self.pods(name) if p["metadata"].get("deletionTimestamp"))

    # --- claims, revisions, events ----------------------------------------------------

    async def claims(self, name: str | None = None) -> list[Obj]:
        """Claims labelled ``app=<name>`` (all claims with no name), by name."""
        selector = None if name is None else f"app={name}"
        listed = await self.client.list(
            PERSISTENT_VOLUME_CLAIMS, self.namespace, label_selector=selector
        )
        return sorted(listed.items, key=lambda c: c["metadata"]["name"])

    async def revisions(self, name: str) -> list[Obj]:
        """ControllerRevisions labelled ``app=<name>``, oldest first."""
        listed = await self.client.list(
            CONTROLLER_REVISIONS, self.namespace, label_selector=f"app={name}"
        )
        return sorted(listed.items, key=lambda r: int(r.get("revision") or 0))

    async def events(self, name: str) -> list[Obj]:
        """Events about object ``name``."""
        return await events_about(self.client, self.namespace, name)

    async def reasons(self, name: str) -> set[str]:
        """The reasons of the events about object ``name``."""
        return {e["reason"] for e in await self.events(name)}

    async def wait_reason(self, name: str, reason: str, within: float = 30.0) -> Obj:
        """The first event about ``name`` with ``reason``, once there is one."""
        return await wait_for_event(self.client, self.namespace, name, reason, within)


@contextlib.asynccontextmanager
async def running_harness(
    client: Client, namespace: str, *, workers: int = 3
) -> AsyncIterator[Harness]:
    """A StatefulSet controller running until the block ends (the ``harness`` fixture of
    the StatefulSet integration tests is this)."""
    manager = Manager(
        client,
        ManagerOptions(metrics_addr="0", health_probe_addr="0", namespace=namespace),
        registry=CollectorRegistry(),
    )
    harness = Harness(client, namespace, manager)
    harness.controller = await statefulset.setup(manager, workers=workers)
    assert harness.controller is not None
    stop = asyncio.Event()
    task = asyncio.create_task(manager.run(stop))
    try:
        yield harness
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)


async def set_image(harness: Harness, name: str, image: str) -> None:
    """Change the image of the first container of set ``name``'s template."""
    sts = await harness.get(name)
    containers = sts["spec"]["template"]["spec"]["containers"]
    containers[0]["image"] = image
    await harness.patch(name, {"spec": {"template": {"spec": {"containers": containers}}}})


async def play_kubelet(
    harness: Harness,
    name: str,
    stop: asyncio.Event,
    *,
    ready: Callable[[Obj], bool] = lambda pod: True,
) -> None:
    """Until ``stop``: bring every new pod of set ``name`` to Running (and Ready, unless
    ``ready(pod)`` says otherwise), and report images changed in place."""
    while not stop.is_set():
        for pod in live(await harness.pods(name)):
            status = pod.get("status") or {}
            statuses = status.get("containerStatuses") or []
            running = status.get("phase") == "Running"
            stale = statuses and statuses[0]["image"] != image_of(pod)
            lags = ready(pod) and ready_lags_gates(pod)
            if not running or stale or lags:
                with contextlib.suppress(NotFound):
                    await harness.set_pod_status(pod["metadata"]["name"], ready=ready(pod))
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def kubelet(
    harness: Harness, name: str, *, ready: Callable[[Obj], bool] = lambda pod: True
) -> AsyncIterator[None]:
    """``play_kubelet`` for set ``name`` while the block runs."""
    stop = asyncio.Event()
    task = asyncio.create_task(play_kubelet(harness, name, stop, ready=ready))
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
