"""Issue 14: kruise-py takes over workloads OpenKruise v1.9.0 created and rolled out, and
hands them back, without touching a pod or a claim.

On a local cluster of its own, OpenKruise's Go manager (``hack/build-openkruise.sh
--manager-only``) creates and rolls out a CloneSet (InPlaceIfPossible, a claim template,
``partition: 50%``, a preDelete hook) and an Advanced StatefulSet with
``reserveOrdinals``. It stops and kruise-py's manager starts: for the watch window no pod
or claim is written (a watch counts writes), revisions and status stay what OpenKruise
left, and a following image change rolls out in place under kruise-py. Then the same
the other way round.

Each handover is watched for TAKEOVER_WINDOW_SECONDS (30 by default, to keep ``make
e2e`` short; the issue's two minutes with TAKEOVER_WINDOW_SECONDS=120). The counts of
writes are printed (``-s`` shows them) and must be 0.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import takeover
from support.managers import (
    KRUISE_PY,
    OPENKRUISE,
    ManagerOptions,
    ManagerProcess,
    create_namespace,
    start_manager,
)
from support.paths import REPO_ROOT
from support.polling import eventually

from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.apis.apps.v1beta1 import STATEFULSETS
from kruise.runtime.client import PODS, Client, kubeconfig_config
from kruise.runtime.envtest import LocalCluster, LocalClusterOptions, NodeSpec

Obj = dict[str, Any]
CS, STS = "web", "db"
IMAGES = ("nginx:1.25", "nginx:1.26", "nginx:1.27", "nginx:1.28")
pytestmark = pytest.mark.timeout(900 + 4 * takeover.window_seconds())


@pytest.fixture(scope="module")
def openkruise_dir() -> Path:
    script = REPO_ROOT / "hack" / "build-openkruise.sh"
    subprocess.run([str(script), "--manager-only"], check=True, timeout=3600)
    out = subprocess.run(
        [str(script), "--print-dir"], check=True, capture_output=True, text=True
    ).stdout.strip()
    return Path(out)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    nodes = [NodeSpec(f"takeover-node-{i}") for i in range(2)]
    with LocalCluster(LocalClusterOptions(nodes=nodes, start_timeout=120)) as local:
        assert isinstance(local, LocalCluster)
        yield local


@pytest.fixture
async def kube(cluster: LocalCluster) -> AsyncIterator[Client]:
    config = await kubeconfig_config(cluster.kubeconfig_path)
    async with Client(config.with_options(qps=-1)) as client:
        yield client


class Managers:
    """One manager at a time on ``cluster``, each start with its own log."""

    def __init__(self, cluster: LocalCluster, workdir: Path, openkruise_dir: Path) -> None:
        self.cluster, self.workdir, self.openkruise_dir = cluster, workdir, openkruise_dir
        self.running: ManagerProcess | None = None
        self.starts = 0

    async def start(self, flavour: str) -> None:
        self.starts += 1
        options = ManagerOptions(
            flavour=flavour,
            workdir=self.workdir,
            openkruise_dir=self.openkruise_dir,
            name=f"{self.starts}-{flavour}",
        )
        self.running = await asyncio.to_thread(start_manager, self.cluster, options)

    async def stop(self) -> None:
        if self.running is not None:
            await asyncio.to_thread(self.running.stop)
            self.running = None


async def _set_image(client: Client, resource: Any, name: str, ns: str, image: str) -> None:
    obj = await client.get(resource, name, ns)
    containers = obj["spec"]["template"]["spec"]["containers"]
    containers[0]["image"] = image
    body = {"spec": {"template": {"spec": {"containers": containers}}}}
    await client.patch(resource, name, body, ns)


def _observed(obj: Obj) -> bool:
    status = obj.get("status") or {}
    return status.get("observedGeneration") == obj["metadata"]["generation"]


async def _cloneset_rolled(client: Client, ns: str, image: str) -> Obj:
    """Partition 50 %: two of four pods at ``image``, all four ready."""

    async def check() -> Obj | None:
        cs = await client.get(CLONESETS, CS, ns)
        status = cs.get("status") or {}
        pods = (await client.list(PODS, ns, label_selector=f"app={CS}")).items
        at_image = [p for p in pods if p["spec"]["containers"][0]["image"] == image]
        done = (
            _observed(cs)
            and status.get("readyReplicas") == 4
            and status.get("updatedReadyReplicas") == 2
            and status.get("availableReplicas") == 4
            and len(pods) == 4
            and len(at_image) == 2
        )
        return cs if done else None

    return await eventually(check, timeout=300, interval=1, what=f"CloneSet at {image}")


async def _statefulset_rolled(client: Client, ns: str, image: str) -> Obj:
    async def check() -> Obj | None:
        sts = await client.get(STATEFULSETS, STS, ns)
        status = sts.get("status") or {}
        pods = (await client.list(PODS, ns, label_selector=f"app={STS}")).items
        names = sorted(p["metadata"]["name"] for p in pods)
        done = (
            _observed(sts)
            and status.get("readyReplicas") == 3
            and status.get("updatedReplicas") == 3
            and status.get("currentRevision") == status.get("updateRevision")
            and names == [f"{STS}-0", f"{STS}-2", f"{STS}-3"]
            and all(p["spec"]["containers"][0]["image"] == image for p in pods)
        )
        return sts if done else None

    return await eventually(check, timeout=300, interval=1, what=f"StatefulSet at {image}")


async def _uids(client: Client, ns: str) -> dict[str, str]:
    pods = (await client.list(PODS, ns)).items
    return {p["metadata"]["name"]: p["metadata"]["uid"] for p in pods}


async def _handover(
    client: Client, ns: str, managers: Managers, to: str, counts: dict[str, dict[str, int]]
) -> None:
    """Stop the running manager, start ``to`` and watch the window: no pod or claim
    write, status and revisions unchanged."""
    before = await takeover.snapshot(client, ns, CS, STS)
    await managers.stop()
    async with takeover.WriteCounter(client, ns) as writes:
        await managers.start(to)
        await asyncio.sleep(takeover.window_seconds())
    after = await takeover.snapshot(client, ns, CS, STS)
    counts[to] = {
        "Pod": writes.count("Pod"),
        "PersistentVolumeClaim": writes.count("PersistentVolumeClaim"),
    }
    print(f"handover to {to}: {counts[to]} writes: {[str(w) for w in writes.writes]}")
    assert [str(w) for w in writes.writes] == [], f"writes during the handover to {to}"
    assert after.pods == before.pods
    assert after.claims == before.claims
    assert after.revisions == before.revisions
    assert after.cloneset_status == before.cloneset_status
    assert after.statefulset_status == before.statefulset_status


async def test_openkruise_and_kruise_py_hand_workloads_over_without_writes(
    cluster: LocalCluster, kube: Client, openkruise_dir: Path, tmp_path: Path
) -> None:
    ns = f"takeover-{uuid.uuid4().hex[:6]}"
    await asyncio.to_thread(create_namespace, cluster, ns)
    managers = Managers(cluster, tmp_path, openkruise_dir)
    counts: dict[str, dict[str, int]] = {}
    try:
        await managers.start(OPENKRUISE)
        await kube.create(CLONESETS, takeover.cloneset(CS, IMAGES[0]), ns)
        await kube.create(STATEFULSETS, takeover.statefulset(STS, IMAGES[0]), ns)
        await _statefulset_rolled(kube, ns, IMAGES[0])
        await _set_image(kube, CLONESETS, CS, ns, IMAGES[1])
        await _set_image(kube, STATEFULSETS, STS, ns, IMAGES[1])
        await _cloneset_rolled(kube, ns, IMAGES[1])
        await _statefulset_rolled(kube, ns, IMAGES[1])

        for step, (to, image) in enumerate(((KRUISE_PY, IMAGES[2]), (OPENKRUISE, IMAGES[3]))):
            await _handover(kube, ns, managers, to, counts)
            uids = await _uids(kube, ns)
            async with takeover.WriteCounter(kube, ns) as rollout:
                await _set_image(kube, CLONESETS, CS, ns, image)
                await _set_image(kube, STATEFULSETS, STS, ns, image)
                await _cloneset_rolled(kube, ns, image)
                await _statefulset_rolled(kube, ns, image)
            assert await _uids(kube, ns) == uids, f"step {step}: pods recreated, not in place"
            # The same watch sees the rollout's writes: a zero above is no blind spot.
            assert rollout.count("Pod") > 0
    finally:
        await managers.stop()
        print(f"takeover write counts: {counts}")
