"""Events on the real API server: repeats counted, similar ones combined, floods cut."""

from __future__ import annotations

from typing import Any

from kruise.runtime.client import CONFIGMAPS, EVENTS, Client
from kruise.runtime.clock import FakeClock
from kruise.runtime.events import WARNING, EventRecorder


async def subject(client: Client, namespace: str) -> dict[str, Any]:
    return await client.create(
        CONFIGMAPS, {"metadata": {"name": "subject", "namespace": namespace}}
    )


async def events_about(client: Client, namespace: str) -> list[dict[str, Any]]:
    listed = await client.list(EVENTS, namespace)
    return [e for e in listed.items if e["involvedObject"]["name"] == "subject"]


async def test_repeated_event_bumps_count(client: Client, namespace: str) -> None:
    obj = await subject(client, namespace)
    recorder = EventRecorder(client, "kruise-manager", clock=FakeClock())
    for _ in range(3):
        recorder.event(obj, WARNING, "FailedCreate", "quota exceeded")
    await recorder.close()
    events = await events_about(client, namespace)
    assert len(events) == 1
    event = events[0]
    assert event["count"] == 3
    assert event["reason"] == "FailedCreate"
    assert event["type"] == "Warning"
    assert event["source"]["component"] == "kruise-manager"
    assert event["involvedObject"]["uid"] == obj["metadata"]["uid"]
    assert event["involvedObject"]["kind"] == "ConfigMap"


async def test_many_similar_messages_are_combined(client: Client, namespace: str) -> None:
    obj = await subject(client, namespace)
    recorder = EventRecorder(client, "kruise-manager", clock=FakeClock())
    for i in range(15):
        recorder.event(obj, WARNING, "FailedCreate", f"pod {i} failed")
    await recorder.close()
    events = await events_about(client, namespace)
    combined = [e for e in events if e["message"].startswith("(combined from similar events)")]
    assert len(events) == 11  # ten distinct messages, then one combined event
    assert len(combined) == 1
    assert combined[0]["count"] == 5


async def test_a_flood_is_cut_by_the_per_object_bucket(client: Client, namespace: str) -> None:
    obj = await subject(client, namespace)
    clock = FakeClock()
    recorder = EventRecorder(client, "kruise-manager", clock=clock)
    for _ in range(40):
        recorder.event(obj, WARNING, "Flood", "same thing")
    await recorder.flush()
    assert (await events_about(client, namespace))[0]["count"] == 25
    await clock.advance(300)  # one token back
    recorder.event(obj, WARNING, "Flood", "same thing")
    await recorder.close()
    assert (await events_about(client, namespace))[0]["count"] == 26
