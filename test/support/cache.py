"""Helpers for the cache's integration tests: restarting the API server, compacting etcd,
recording what event handlers hear."""

from __future__ import annotations

import asyncio
import base64
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp

from kruise.runtime.cache import Informer, object_key
from kruise.runtime.envtest import ControlPlane

# envtest's components get PR_SET_PDEATHSIG, which follows the *thread* that started them:
# an API server restarted from a short-lived worker (asyncio.to_thread's pool is shut down
# with each test's loop) would be killed when that thread exits. This one lives as long
# as the test session.
_RESTARTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="apiserver-restart")


async def restart_apiserver(plane: ControlPlane) -> None:
    """Restart the API server while the event loop (and the informers) keep running."""
    await asyncio.get_running_loop().run_in_executor(_RESTARTER, plane.restart_apiserver)


async def compact_etcd(etcd_port: int) -> int:
    """Compact etcd at its current revision through the v3 JSON gateway."""
    url = f"http://127.0.0.1:{etcd_port}/v3/kv"
    key, range_end = base64.b64encode(b"/").decode(), base64.b64encode(b"0").decode()
    async with aiohttp.ClientSession() as session:
        query = {"key": key, "range_end": range_end, "limit": 1}
        async with session.post(f"{url}/range", json=query) as response:
            response.raise_for_status()
            revision = int((await response.json())["header"]["revision"])
        compaction = {"revision": revision, "physical": True}
        async with session.post(f"{url}/compaction", json=compaction) as response:
            response.raise_for_status()
    return revision


class View:
    """What an event handler learns: key -> resourceVersion, plus the event log. Fails on
    an update or delete of something it never heard of (a phantom)."""

    def __init__(self, informer: Informer) -> None:
        self.objects: dict[str, str] = {}
        self.log: list[tuple[str, str]] = []
        self.phantoms: list[tuple[str, str]] = []
        informer.add_event_handler(self.add, self.update, self.delete)

    def add(self, obj: dict[str, Any]) -> None:
        key = object_key(obj)
        if key in self.objects:
            self.phantoms.append(("add", key))
        self.objects[key] = obj["metadata"]["resourceVersion"]
        self.log.append(("add", obj["metadata"]["name"]))

    def update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        key = object_key(new)
        if key not in self.objects:
            self.phantoms.append(("update", key))
        self.objects[key] = new["metadata"]["resourceVersion"]
        self.log.append(("update", new["metadata"]["name"]))

    def delete(self, obj: dict[str, Any]) -> None:
        key = object_key(obj)
        if self.objects.pop(key, None) is None:
            self.phantoms.append(("delete", key))
        self.log.append(("delete", obj["metadata"]["name"]))

    def take(self) -> list[tuple[str, str]]:
        log, self.log = self.log, []
        return log
