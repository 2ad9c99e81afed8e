"""The two measured phases of one run: scaling out (a CloneSet of a manager, kcm's
Deployment, or the raw creator) and an in-place update of a CloneSet."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..common.manifests import NEW_IMAGE
from ..common.waiting import RunError, follow, say, tail, wait_async, wait_tracker
from .manifests import cloneset, deployment, pod_template
from .observer import InPlaceTracker, ScaleTracker
from .plan import (
    API_VERSIONS,
    CLONESET_API,
    INPLACE_NAME,
    KCM,
    MANAGERS,
    RAW_GATED,
    SCALE_NAME,
    inplace_deadline,
    scale_deadline,
)


def cloneset_resource(contender: str) -> Any:
    from kruise.runtime.client import Resource  # noqa: PLC0415

    version = API_VERSIONS.get(contender, CLONESET_API).split("/")[1]
    return Resource("apps.kruise.io", version, "clonesets", "CloneSet")


async def scale_phase(
    client: Any,
    contender: str,
    args: argparse.Namespace,
    workdir: Path,
    alive: Callable[[], None],
) -> dict[str, float]:
    from kruise.runtime.client import DEPLOYMENTS, NAMESPACES, PODS  # noqa: PLC0415

    clonesets = cloneset_resource(contender)
    pods, namespace, name = args.pods, SCALE_NAME, SCALE_NAME
    with contextlib.suppress(Exception):
        await client.create(NAMESPACES, {"metadata": {"name": namespace}})
    raw: subprocess.Popen[str] | None = None
    if contender in MANAGERS:
        manifest = cloneset(name, namespace, 0, api_version=API_VERSIONS[contender])
        created = await client.create(clonesets, manifest, namespace)
        generation = created["metadata"]["generation"]
        await wait_async(
            lambda: observed(client, clonesets, namespace, name, generation),
            f"{contender} to reconcile the CloneSet (status.observedGeneration)",
            60,
            alive,
        )
        scale: Callable[[], Any] = lambda: client.patch(  # noqa: E731
            clonesets, name, {"spec": {"replicas": pods}}, namespace
        )
    elif contender == KCM:
        created = await client.create(DEPLOYMENTS, deployment(name, namespace, 0), namespace)
        generation = created["metadata"]["generation"]
        await wait_async(
            lambda: observed(client, DEPLOYMENTS, namespace, name, generation),
            "kube-controller-manager to observe the Deployment",
            60,
            alive,
        )
        scale = lambda: client.patch(  # noqa: E731
            DEPLOYMENTS, name, {"spec": {"replicas": pods}}, namespace
        )
    else:
        raw = start_rawcreator(args, workdir, namespace, name, pods, gated=contender == RAW_GATED)
        assert raw.stdout is not None
        assert raw.stdin is not None
        line = await asyncio.to_thread(raw.stdout.readline)
        if line.strip() != "ready":
            raw.kill()
            raise RunError(f"rawcreator did not start: {tail(workdir / 'rawcreator.log')}")
        stdin = raw.stdin

        async def scale() -> None:
            stdin.write("go\n")
            stdin.flush()

    listing = await client.list(PODS, namespace, label_selector=f"app={name}")
    tracker = ScaleTracker(pods)
    now = time.monotonic()
    for pod in listing.items:
        tracker.observe("ADDED", pod, now)
    watch = asyncio.create_task(
        follow(client, PODS, namespace, listing.resource_version, tracker.observe)
    )
    await asyncio.sleep(0.2)  # the watch is open before the clock starts
    tracker.t0 = time.monotonic()
    await scale()
    await wait_tracker(tracker, [watch], scale_deadline(pods), f"{contender} scale", alive)
    figures = tracker.figures()
    if raw is not None:
        out, _ = await asyncio.to_thread(raw.communicate)
        if raw.returncode != 0:
            raise RunError(f"rawcreator exited {raw.returncode}: {out.strip()[-300:]}")
        done = json.loads(out.strip().splitlines()[-1])
        figures["rawcreator_seconds"] = done["seconds_all_created"]
        if done.get("gated"):
            figures["conditions_set"] = done["conditions_set"]
    say(
        f"{contender}: {pods} pods created in {figures['seconds_all_created']:.1f}s, "
        f"Ready in {figures['seconds_all_ready']:.1f}s"
    )
    return figures


def rawcreator_command(
    args: argparse.Namespace, template: Path, namespace: str, name: str, pods: int, *, gated: bool
) -> list[str]:
    """bench/go/rawcreator's command line; ``gated``: the raw-creator-gated peer (the
    readiness gate on every pod, its condition set True after each create)."""
    command = [
        args.rawcreator,
        f"-kubeconfig={args.kubeconfig}",
        f"-namespace={namespace}",
        f"-template={template}",
        f"-prefix={name}",
        f"-count={pods}",
        f"-qps={args.qps:g}",
        f"-burst={args.burst}",
    ]
    if gated:
        command.append("-gate")
    return command


def start_rawcreator(
    args: argparse.Namespace,
    workdir: Path,
    namespace: str,
    name: str,
    pods: int,
    *,
    gated: bool = False,
) -> subprocess.Popen[str]:
    template = workdir / "template.json"
    template.write_text(json.dumps(pod_template(name)))
    with (workdir / "rawcreator.log").open("w") as log:
        return subprocess.Popen(
            rawcreator_command(args, template, namespace, name, pods, gated=gated),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )


async def observed(client: Any, resource: Any, namespace: str, name: str, generation: int) -> bool:
    obj = await client.get(resource, name, namespace)
    return int((obj.get("status") or {}).get("observedGeneration") or 0) >= generation


async def count_pods(client: Any, namespace: str, selector: str) -> int:
    from kruise.runtime.client import PODS  # noqa: PLC0415

    return len((await client.list(PODS, namespace, label_selector=selector)).items)


async def inplace_phase(
    client: Any, contender: str, args: argparse.Namespace, alive: Callable[[], None]
) -> dict[str, float]:
    from kruise.runtime.client import NAMESPACES, PODS, PatchType  # noqa: PLC0415

    clonesets = cloneset_resource(contender)
    pods, namespace, name = args.inplace_pods, INPLACE_NAME, INPLACE_NAME
    # The scale phase's pods go first, so the nodes and the manager's cache hold only
    # this CloneSet's pods. The driver deletes them itself once their CloneSet is gone:
    # the garbage collector would first wait (up to 30 s) to rediscover the CRD's kinds.
    with contextlib.suppress(Exception):
        await client.delete(clonesets, SCALE_NAME, SCALE_NAME, propagation_policy="Background")
    pods_path = PODS.path(SCALE_NAME)

    async def scale_pods_gone() -> bool:
        if await count_pods(client, SCALE_NAME, f"app={SCALE_NAME}") == 0:
            return True
        await client.transport.request(
            "DELETE", pods_path, params={"labelSelector": f"app={SCALE_NAME}"}
        )
        return False

    await wait_async(scale_pods_gone, "the scale phase's pods to go", 300, alive)
    with contextlib.suppress(Exception):
        await client.create(NAMESPACES, {"metadata": {"name": namespace}})
    manifest = cloneset(name, namespace, pods, inplace=True, api_version=API_VERSIONS[contender])
    await client.create(clonesets, manifest, namespace)

    async def all_ready() -> bool:
        obj = await client.get(clonesets, name, namespace)
        status = obj.get("status") or {}
        return (
            int(status.get("observedGeneration") or 0) >= obj["metadata"]["generation"]
            and status.get("readyReplicas") == pods
            and status.get("updatedReadyReplicas") == pods
        )

    await wait_async(
        all_ready, f"{pods} Ready pods of the in-place CloneSet", scale_deadline(pods), alive
    )
    current = await client.get(clonesets, name, namespace)
    listing = await client.list(PODS, namespace, label_selector=f"app={name}")
    before = {p["metadata"]["uid"] for p in listing.items}
    gates = sum(
        1
        for p in listing.items
        if any(
            g.get("conditionType") == "InPlaceUpdateReady"
            for g in (p.get("spec") or {}).get("readinessGates") or []
        )
    )
    tracker = InPlaceTracker(pods, NEW_IMAGE, current["metadata"]["generation"] + 1)
    now = time.monotonic()
    for pod in listing.items:
        tracker.observe_pod("ADDED", pod, now)
    sets = await client.list(clonesets, namespace)
    watches = [
        asyncio.create_task(
            follow(client, PODS, namespace, listing.resource_version, tracker.observe_pod)
        ),
        asyncio.create_task(
            follow(
                client,
                clonesets,
                namespace,
                sets.resource_version,
                lambda _t, obj, at: tracker.observe_cloneset(obj, at),
            )
        ),
    ]
    await asyncio.sleep(0.2)
    tracker.t0 = time.monotonic()
    patch = [
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": NEW_IMAGE}
    ]
    await client.patch(clonesets, name, patch, namespace, patch_type=PatchType.JSON)
    await wait_tracker(tracker, watches, inplace_deadline(pods), f"{contender} in-place", alive)
    figures: dict[str, float] = dict(tracker.figures())
    after = {
        p["metadata"]["uid"]
        for p in (await client.list(PODS, namespace, label_selector=f"app={name}")).items
    }
    figures["recreated_pods"] = len(after - before)
    figures["pods_with_inplace_gate"] = gates
    say(
        f"{contender}: {pods} pods updated in place and Ready in "
        f"{figures['seconds_all_updated_ready']:.1f}s ({len(after - before)} recreated)"
    )
    return figures
