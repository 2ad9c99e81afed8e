"""In-place update on the local cluster: the kwok kubelet restarts a container with its
new image (new imageID and containerID) and keeps Ready False while a readiness gate
is not True, so the whole flow runs as it would on real nodes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from support.polling import eventually

from kruise.runtime.client import PODS, Client, Conflict
from kruise.runtime.envtest import LocalCluster
from kruise.util.inplaceupdate import (
    STATE_ANNOTATION,
    InPlaceUpdater,
    Outcome,
    check_completed,
    diff_templates,
    get_condition,
    inject_readiness_gate,
    mark_not_ready,
)

Obj = dict[str, Any]
T = TypeVar("T")


def status_of(pod: Obj, kind: str) -> str | None:
    found = get_condition(pod, kind)
    return None if found is None else str(found.get("status"))


def container_statuses(pod: Obj) -> dict[str, Obj]:
    return {s["name"]: s for s in pod["status"].get("containerStatuses", [])}


def template(app_image: str, tier: str) -> Obj:
    tmpl: Obj = {
        "metadata": {"labels": {"app": "web", "tier": tier}},
        "spec": {
            "containers": [
                {"name": "app", "image": app_image},
                {"name": "side", "image": "redis:7"},
            ]
        },
    }
    inject_readiness_gate(tmpl)
    return tmpl


async def with_fresh_pod(
    client: Client, ns: str, name: str, act: Callable[[Obj], Awaitable[T]]
) -> T:
    """Run ``act`` on a freshly read pod, again whenever it loses a Conflict (the kwok
    kubelet writes the same pod), as a controller's retry would."""
    for _ in range(20):
        pod = await client.get(PODS, name, ns)
        try:
            return await act(pod)
        except Conflict:
            await asyncio.sleep(0.1)
    pytest.fail(f"pod {name} kept conflicting")


async def running_ready_pod(client: Client, updater: InPlaceUpdater, ns: str, name: str) -> Obj:
    """Create a pod from the old template and let the updater mark its gate True, as a
    controller's refresh does for new pods."""
    old = template("nginx:1.25", "front")
    pod = {
        "metadata": {
            "name": name,
            "labels": {**old["metadata"]["labels"], "controller-revision-hash": "web-1"},
        },
        "spec": old["spec"],
    }
    await client.create(PODS, pod, ns)

    async def running() -> Obj | None:
        current = await client.get(PODS, name, ns)
        return current if current["status"].get("phase") == "Running" else None

    await eventually(running, timeout=60, interval=0.2, what=f"pod {name} Running")
    assert status_of(await client.get(PODS, name, ns), "Ready") == "False"
    await with_fresh_pod(client, ns, name, updater.refresh)

    async def ready() -> Obj | None:
        current = await client.get(PODS, name, ns)
        return current if status_of(current, "Ready") == "True" else None

    ready_pod: Obj = await eventually(ready, timeout=60, interval=0.2, what=f"pod {name} Ready")
    assert status_of(ready_pod, "InPlaceUpdateReady") == "True"
    return ready_pod


async def refresh_until_ready(client: Client, updater: InPlaceUpdater, ns: str, name: str) -> Obj:
    """Refresh as a controller does on every pod event until the gate is True again."""

    async def marked() -> Obj | None:
        refreshed = await with_fresh_pod(client, ns, name, updater.refresh)
        return refreshed.pod if refreshed.marked_ready else None

    result: Obj = await eventually(
        marked, timeout=60, interval=0.2, what=f"pod {name} in-place update to complete"
    )
    return result


async def test_images_change_in_place_and_readiness_follows(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    ns, name = cluster_namespace, "inplace-web"
    async with await Client.connect(local_cluster.kubeconfig_path) as client:
        updater = InPlaceUpdater(client)
        before = await running_ready_pod(client, updater, ns, name)
        old_status = container_statuses(before)

        spec = diff_templates(
            template("nginx:1.25", "front"), template("nginx:1.26", "back"), "web-2"
        )
        assert spec is not None
        assert spec.container_images == {"app": "nginx:1.26"}

        async def start(pod: Obj) -> Any:
            return await updater.apply(pod, spec)

        result = await with_fresh_pod(client, ns, name, start)
        assert result.outcome is Outcome.UPDATED
        started = result.pod
        assert status_of(started, "InPlaceUpdateReady") == "False"
        assert get_condition(started)["reason"] == "StartInPlaceUpdate"  # type: ignore[index]
        assert status_of(started, "Ready") == "False"
        assert started["spec"]["containers"][0]["image"] == "nginx:1.26"
        assert started["metadata"]["labels"]["controller-revision-hash"] == "web-2"
        assert started["metadata"]["labels"]["tier"] == "back"
        assert STATE_ANNOTATION in started["metadata"]["annotations"]
        assert not check_completed(started).done

        after = await refresh_until_ready(client, updater, ns, name)
        assert after["metadata"]["uid"] == before["metadata"]["uid"]
        assert after["metadata"]["name"] == name
        assert status_of(after, "InPlaceUpdateReady") == "True"
        assert status_of(after, "Ready") == "True"
        assert check_completed(after).done
        new_status = container_statuses(after)
        assert new_status["app"]["image"] == "nginx:1.26"
        assert new_status["app"]["imageID"] != old_status["app"]["imageID"]
        assert new_status["app"]["containerID"] != old_status["app"]["containerID"]
        assert new_status["side"] == old_status["side"]

        # Writes carry the resourceVersion they were computed from: a stale pod loses.
        with pytest.raises(Conflict):
            await mark_not_ready(client, before)
        assert status_of(await client.get(PODS, name, ns), "InPlaceUpdateReady") == "True"


async def test_a_grace_period_holds_the_pod_not_ready_before_images_change(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    ns, name = cluster_namespace, "inplace-grace"
    async with await Client.connect(local_cluster.kubeconfig_path) as client:
        updater = InPlaceUpdater(client)
        before = await running_ready_pod(client, updater, ns, name)
        spec = diff_templates(
            template("nginx:1.25", "front"), template("nginx:1.26", "front"), "web-2"
        )
        assert spec is not None

        async def start(pod: Obj) -> Any:
            return await updater.apply(pod, spec, grace_seconds=2)

        result = await with_fresh_pod(client, ns, name, start)
        assert result.outcome is Outcome.GRACE_PENDING
        assert result.requeue_after == 2
        assert status_of(result.pod, "InPlaceUpdateReady") == "False"
        assert result.pod["spec"]["containers"][0]["image"] == "nginx:1.25"

        waiting = await with_fresh_pod(client, ns, name, updater.refresh)
        assert not waiting.images_changed
        assert 0 < waiting.requeue_after <= 2
        await asyncio.sleep(waiting.requeue_after)

        async def grace_over() -> Any:
            refreshed = await with_fresh_pod(client, ns, name, updater.refresh)
            return refreshed if refreshed.images_changed else None

        changed = await eventually(
            grace_over, timeout=10, interval=0.2, what="the grace period to end"
        )
        assert changed.pod["spec"]["containers"][0]["image"] == "nginx:1.26"
        with pytest.raises(Conflict):
            await updater.refresh(result.pod)  # stale: its image patch must not land

        after = await refresh_until_ready(client, updater, ns, name)
        assert after["metadata"]["uid"] == before["metadata"]["uid"]
        assert container_statuses(after)["app"]["image"] == "nginx:1.26"
        assert status_of(after, "Ready") == "True"
