"""Raw watches: events in order, bookmarks, 410 Gone after compaction, read timeouts."""

from __future__ import annotations

import asyncio
import base64

import aiohttp
import pytest

from kruise.runtime.client import CONFIGMAPS, EVENTS, Client, Gone, Timeout, WatchEvent, WatchStream
from kruise.runtime.envtest import ControlPlane


async def test_watch_sees_added_modified_deleted_and_a_bookmark(
    client: Client, namespace: str
) -> None:
    start = await client.list(CONFIGMAPS, namespace)
    events: list[WatchEvent] = []

    async def collect() -> None:
        # The server ends the stream after timeoutSeconds and sends a bookmark
        # about two seconds before that.
        stream = client.watch(
            CONFIGMAPS, namespace, resource_version=start.resource_version, timeout_seconds=4
        )
        async with stream as watched:
            async for event in watched:
                events.append(event)

    watcher = asyncio.create_task(collect())
    created = await client.create(CONFIGMAPS, {"metadata": {"name": "w"}}, namespace)
    await client.patch(CONFIGMAPS, "w", {"data": {"k": "v"}}, namespace)
    await client.delete(CONFIGMAPS, "w", namespace)
    await asyncio.wait_for(watcher, 30)

    changes = [(t, o["metadata"]["name"]) for t, o in events if t != "BOOKMARK"]
    assert changes == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")]
    assert events[0].object["metadata"]["uid"] == created["metadata"]["uid"]
    assert events[1].object["data"] == {"k": "v"}
    assert all(o["kind"] == "ConfigMap" for _, o in events)

    bookmarks = [o for t, o in events if t == "BOOKMARK"]
    assert bookmarks, [t for t, _ in events]
    deleted_rv = int(events[2].object["metadata"]["resourceVersion"])
    assert int(bookmarks[-1]["metadata"]["resourceVersion"]) >= deleted_rv


async def test_watch_with_selectors(client: Client, namespace: str) -> None:
    start = await client.list(CONFIGMAPS, namespace)
    stream = client.watch(
        CONFIGMAPS,
        namespace,
        resource_version=start.resource_version,
        label_selector="pick=yes",
        field_selector="metadata.name!=skipped-too",
        allow_bookmarks=False,
    )
    async with stream:
        for name, labels in (
            ("skipped", {}),
            ("skipped-too", {"pick": "yes"}),
            ("picked", {"pick": "yes"}),
        ):
            await client.create(
                CONFIGMAPS, {"metadata": {"name": name, "labels": labels}}, namespace
            )
        event_type, obj = await asyncio.wait_for(anext(stream), 10)
    assert (event_type, obj["metadata"]["name"]) == ("ADDED", "picked")


async def test_watch_from_a_compacted_version_is_gone(
    client: Client, control_plane: ControlPlane, namespace: str
) -> None:
    # kube-apiserver keeps no watch cache for events, so this watch reaches etcd, which
    # has compacted revision 1 away.
    await _compact_etcd(control_plane.etcd_port)
    with pytest.raises(Gone) as caught:
        await _drain(client.watch(EVENTS, namespace, resource_version="1"))
    assert caught.value.status == 410


async def test_a_silent_watch_times_out_on_the_client(client: Client, namespace: str) -> None:
    start = await client.list(CONFIGMAPS, namespace)
    stream = client.watch(
        CONFIGMAPS,
        namespace,
        resource_version=start.resource_version,
        allow_bookmarks=False,
        read_timeout=0.5,
    )
    with pytest.raises(Timeout) as caught:
        async with stream:
            await anext(stream)
    assert caught.value.client_side


async def _drain(stream: WatchStream) -> None:
    async with stream:
        async for _ in stream:
            pass


async def _compact_etcd(etcd_port: int) -> None:
    """Compact etcd at its current revision through the v3 JSON gateway."""
    url = f"http://127.0.0.1:{etcd_port}/v3/kv"
    async with aiohttp.ClientSession() as session:
        key = base64.b64encode(b"/").decode()
        async with session.post(f"{url}/range", json={"key": key, "limit": 1}) as response:
            response.raise_for_status()
            revision = int((await response.json())["header"]["revision"])
        async with session.post(f"{url}/compaction", json={"revision": revision}) as response:
            response.raise_for_status()
