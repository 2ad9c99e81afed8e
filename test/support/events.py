"""Events about an object, read from the API server.

The event recorder writes in a background task, after the change an event describes, so
a test that has just seen the change waits for the event (``wait_for_event``) instead of
reading the events once.
"""

from __future__ import annotations

from typing import Any

from kruise.runtime.client import EVENTS, Client
from support.polling import eventually

Obj = dict[str, Any]


async def events_about(client: Client, namespace: str, name: str) -> list[Obj]:
    """The Events in ``namespace`` whose involved object is called ``name``."""
    listed = await client.list(EVENTS, namespace)
    return [e for e in listed.items if e["involvedObject"].get("name") == name]


async def wait_for_event(
    client: Client, namespace: str, name: str, reason: str, within: float = 30.0
) -> Obj:
    """The first Event about ``name`` with ``reason``, once there is one."""

    async def check() -> Obj | None:
        events = await events_about(client, namespace, name)
        return next((e for e in events if e["reason"] == reason), None)

    return await eventually(check, timeout=within, what=f"event {reason} on {name}")
