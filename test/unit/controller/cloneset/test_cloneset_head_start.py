"""The InPlaceUpdateReady write right after a create goes out at once only while the
client's rate limit has room for it beside the creates still to come; otherwise after the
last create, newest pod first, so it never holds a create back."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from kruise.controller.cloneset.sync.context import Deps
from kruise.controller.cloneset.sync.scale import _HeadStart
from kruise.runtime.client import Forbidden
from kruise.runtime.clock import FakeClock
from kruise.runtime.expectations import (
    ResourceVersionExpectations,
    ScaleExpectations,
    UpdateExpectations,
)

Obj = dict[str, Any]
GATE = {"conditionType": "InPlaceUpdateReady"}


class LimitedClient:
    """Reports ``spare`` requests under its rate limit and records status patches."""

    def __init__(self, spare: float, refuse: bool = False) -> None:
        self.spare = spare
        self.refuse = refuse
        self.patched: list[tuple[str, Obj]] = []

    def spare_requests(self) -> float:
        return self.spare

    async def patch(self, resource: Any, name: str, body: Obj, namespace: Any, **kw: Any) -> Obj:
        assert kw.get("subresource") == "status"
        self.patched.append((name, body))
        if self.refuse:
            raise Forbidden("pods/status is forbidden", status=403)
        return {"metadata": {"name": name, "uid": f"uid-{name}", "resourceVersion": "9"}}


def _deps(client: LimitedClient) -> Deps:
    clock = FakeClock(wall_start=1_700_000_000.0)
    return Deps(
        client=client,  # type: ignore[arg-type]
        clock=clock,
        recorder=None,  # type: ignore[arg-type]
        scale_expectations=ScaleExpectations(clock=clock),
        update_expectations=UpdateExpectations(clock=clock),
        resource_versions=ResourceVersionExpectations(clock=clock),
        updater=None,  # type: ignore[arg-type]
    )


def _pod(name: str, gated: bool = True) -> Obj:
    spec: Obj = {"containers": [{"name": "main"}]}
    if gated:
        spec["readinessGates"] = [GATE]
    return {"metadata": {"name": name, "namespace": "default"}, "spec": spec}


async def test_with_room_to_spare_the_write_follows_its_create_at_once() -> None:
    client = LimitedClient(spare=math.inf)
    async with _HeadStart(_deps(client)) as head_start:
        head_start.created(_pod("a"), creates_to_come=500)
        await asyncio.sleep(0)
        assert [name for name, _ in client.patched] == ["a"]
    [(_, body)] = client.patched
    [condition] = body["status"]["conditions"]
    assert condition["type"] == "InPlaceUpdateReady"
    assert condition["status"] == "True"
    assert condition["lastTransitionTime"] == "2023-11-14T22:13:20Z"


async def test_without_room_the_writes_wait_for_the_last_create() -> None:
    client = LimitedClient(spare=3)  # fewer than the 4 creates still to come
    async with _HeadStart(_deps(client)) as head_start:
        head_start.created(_pod("a"), creates_to_come=4)
        head_start.created(_pod("b"), creates_to_come=4)
        await asyncio.sleep(0)
        assert client.patched == []
    assert sorted(name for name, _ in client.patched) == ["a", "b"]


async def test_the_deferred_writes_go_newest_pod_first() -> None:
    client = LimitedClient(spare=0)
    async with _HeadStart(_deps(client)) as head_start:
        for name in ("oldest", "middle", "newest"):
            head_start.created(_pod(name), creates_to_come=1)
    assert [name for name, _ in client.patched] == ["newest", "middle", "oldest"]


async def test_the_next_pass_waits_for_the_cache_to_show_the_writes() -> None:
    client = LimitedClient(spare=math.inf)
    deps = _deps(client)
    async with _HeadStart(deps) as head_start:
        head_start.created(_pod("a"), creates_to_come=0)
    cached = {"metadata": {"name": "a", "uid": "uid-a", "resourceVersion": "8"}}
    assert deps.resource_versions.is_satisfied(cached)[0] is False
    cached["metadata"]["resourceVersion"] = "9"
    assert deps.resource_versions.is_satisfied(cached)[0] is True


async def test_pods_without_the_gate_and_refusals_are_left_alone() -> None:
    client = LimitedClient(spare=math.inf, refuse=True)
    async with _HeadStart(_deps(client)) as head_start:
        head_start.created(_pod("plain", gated=False), creates_to_come=0)
        head_start.created(_pod("refused"), creates_to_come=0)
    assert [name for name, _ in client.patched] == ["refused"]  # tried once, no error


async def test_a_failure_in_the_block_drops_the_deferred_writes() -> None:
    client = LimitedClient(spare=0)
    try:
        async with _HeadStart(_deps(client)) as head_start:
            head_start.created(_pod("a"), creates_to_come=1)
            raise RuntimeError("the create loop failed")
    except RuntimeError:
        pass
    assert client.patched == []
