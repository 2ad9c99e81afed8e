"""A sample controller built only on kruise.runtime's public API.

Every ConfigMap labelled ``mirror: "true"`` gets a ``<name>-mirror`` ConfigMap with the
same data, owned by it. Edits to a mirror are undone; deleting the source deletes the
mirror (also without a garbage collector, as under a bare control plane).

    python examples/configmap_mirror.py --kubeconfig ~/.kube/config
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any

from kruise.runtime.client import CONFIGMAPS, Client, NotFound
from kruise.runtime.controller import Builder, Funcs
from kruise.runtime.manager import Manager, ManagerOptions
from kruise.runtime.reconcile import Request, Result

SOURCE_LABEL = "mirror"
MIRRORED_FROM = "mirrored-from"


def is_source(obj: dict[str, Any]) -> bool:
    return (obj["metadata"].get("labels") or {}).get(SOURCE_LABEL) == "true"


class MirrorReconciler:
    def __init__(self, manager: Manager) -> None:
        self.client = manager.client
        self.cache = manager.cache

    async def reconcile(self, request: Request) -> Result:
        mirror_name = f"{request.name}-mirror"
        try:
            source = await self.cache.get(CONFIGMAPS, request.name, request.namespace)
        except NotFound:
            source = None
        if source is None or not is_source(source):
            await self._delete_mirrors_of(request)
            return Result()
        desired: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": mirror_name,
                "namespace": request.namespace,
                "labels": {MIRRORED_FROM: request.name},
                "ownerReferences": [
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "name": request.name,
                        "uid": source["metadata"]["uid"],
                        "controller": True,
                    }
                ],
            },
            "data": dict(source.get("data") or {}),
        }
        try:
            current = await self.cache.get(CONFIGMAPS, mirror_name, request.namespace)
        except NotFound:
            await self.client.create(CONFIGMAPS, desired)
            return Result()
        if current.get("data") != desired["data"]:
            await self.client.update(
                CONFIGMAPS,
                {
                    **desired,
                    "metadata": {
                        **desired["metadata"],
                        "resourceVersion": current["metadata"]["resourceVersion"],
                    },
                },
            )
        return Result()

    async def _delete_mirrors_of(self, request: Request) -> None:
        mirrors = await self.cache.list(
            CONFIGMAPS, request.namespace, label_selector=f"{MIRRORED_FROM}={request.name}"
        )
        for mirror in mirrors:
            with contextlib.suppress(NotFound):
                await self.client.delete(CONFIGMAPS, mirror["metadata"]["name"], request.namespace)


def setup(manager: Manager) -> None:
    (
        Builder(manager)
        .named("configmap-mirror")
        .for_(CONFIGMAPS, Funcs(on_create=is_source))
        .owns(CONFIGMAPS)
        .with_options(workers=2)
        .complete(MirrorReconciler(manager))
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kubeconfig")
    args = parser.parse_args()
    async with await Client.connect(args.kubeconfig) as client:
        manager = Manager(client, ManagerOptions(metrics_addr="127.0.0.1:8080"))
        setup(manager)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
        await manager.run(stop)


if __name__ == "__main__":
    asyncio.run(main())
