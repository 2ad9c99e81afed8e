"""The local-path provisioner's two controllers on kruise.runtime: claims (provision) and
volumes (delete the Released ones whose policy is Delete)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from pathlib import Path

from kruise.runtime import log as logs
from kruise.runtime.client import PERSISTENT_VOLUME_CLAIMS, AlreadyExists, Client, NotFound
from kruise.runtime.controller import Builder
from kruise.runtime.envtest.provisioner.volumes import (
    PERSISTENT_VOLUMES,
    PROVISIONER_NAME,
    STORAGE_CLASSES,
    Obj,
    build_volume,
    claim_class_name,
    directory_of,
    ignore_reason,
    should_delete,
    unsupported,
    volume_name,
    volume_path,
)
from kruise.runtime.events import NORMAL, WARNING, EventRecorder
from kruise.runtime.manager import Manager, ManagerOptions
from kruise.runtime.reconcile import Request, Result

log = logs.get_logger("local-path-provisioner")


class ClaimReconciler:
    """Provisions a volume for each claim assigned to this provisioner."""

    def __init__(
        self, manager: Manager, root: Path, provisioner: str, recorder: EventRecorder
    ) -> None:
        self.client, self.cache = manager.client, manager.cache
        self.root, self.provisioner, self.recorder = root, provisioner, recorder

    async def reconcile(self, request: Request) -> Result:
        """Create the claim's directory and volume once the claim is ours; no-op otherwise."""
        try:
            claim = await self.cache.get(PERSISTENT_VOLUME_CLAIMS, request.name, request.namespace)
        except NotFound:
            return Result()
        storage_class = await self._storage_class(claim)
        if ignore_reason(claim, storage_class, self.provisioner) is not None:
            return Result()
        assert storage_class is not None
        problem = unsupported(claim)
        if problem is not None:
            self.recorder.event(claim, WARNING, "ProvisioningFailed", problem)
            return Result()
        name = volume_name(claim)
        with contextlib.suppress(NotFound):
            await self.cache.get(PERSISTENT_VOLUMES, name)
            return Result()
        volume = build_volume(claim, storage_class, self.root, self.provisioner)
        directory = volume_path(self.root, claim)
        await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
        try:
            await self.client.create(PERSISTENT_VOLUMES, volume)
        except AlreadyExists:
            return Result()
        log.info("provisioned", claim=str(request), volume=name)
        message = f"Successfully provisioned volume {name}"
        self.recorder.event(claim, NORMAL, "ProvisioningSucceeded", message)
        return Result()

    async def _storage_class(self, claim: Obj) -> Obj | None:
        name = claim_class_name(claim)
        if name is None:
            return None
        try:
            return await self.cache.get(STORAGE_CLASSES, name)
        except NotFound:
            return None


class VolumeReconciler:
    """Deletes the Released volumes this provisioner made whose policy is Delete."""

    def __init__(self, manager: Manager, root: Path, provisioner: str) -> None:
        self.client, self.cache = manager.client, manager.cache
        self.root, self.provisioner = root, provisioner

    async def reconcile(self, request: Request) -> Result:
        """Remove the volume's directory, then the volume; no-op for any other volume."""
        try:
            volume = await self.cache.get(PERSISTENT_VOLUMES, request.name)
        except NotFound:
            return Result()
        if not should_delete(volume, self.provisioner):
            return Result()
        directory = directory_of(volume, self.root)
        if directory is not None:
            await asyncio.to_thread(shutil.rmtree, directory, ignore_errors=True)
        uid = volume["metadata"]["uid"]
        with contextlib.suppress(NotFound):
            await self.client.delete(PERSISTENT_VOLUMES, request.name, uid=uid)
        log.info("deleted", volume=request.name)
        return Result()


def setup(manager: Manager, root: Path, provisioner: str = PROVISIONER_NAME) -> EventRecorder:
    """Add the claim and volume controllers to ``manager``; returns their event recorder,
    for the caller to close on shutdown."""
    recorder = EventRecorder(manager.client, f"{provisioner}_local-path-provisioner")
    manager.cache.informer(STORAGE_CLASSES)  # read by the claim controller; synced before ready
    (
        Builder(manager)
        .named("local-path-provisioner")
        .for_(PERSISTENT_VOLUME_CLAIMS)
        .complete(ClaimReconciler(manager, root, provisioner, recorder))
    )
    (
        Builder(manager)
        .named("local-path-deleter")
        .for_(PERSISTENT_VOLUMES)
        .complete(VolumeReconciler(manager, root, provisioner))
    )
    return recorder


async def run(
    kubeconfig: str,
    root: Path,
    health_probe_addr: str,
    stop: asyncio.Event,
    provisioner: str = PROVISIONER_NAME,
) -> None:
    """Run the provisioner until ``stop`` is set; ``/readyz`` on ``health_probe_addr``
    answers once its caches are synced."""
    await asyncio.to_thread(root.mkdir, parents=True, exist_ok=True)
    async with await Client.connect(kubeconfig) as client:
        options = ManagerOptions(metrics_addr="0", health_probe_addr=health_probe_addr)
        manager = Manager(client, options)
        recorder = setup(manager, root, provisioner)
        try:
            await manager.run(stop)
        finally:
            await recorder.close()
