"""Lifecycle hooks: preDelete holds a pod in PreparingDelete until the hook lets go, and
inPlaceUpdate holds it in PreparingUpdate; then Updated until the hook takes it back."""

from __future__ import annotations

import asyncio

from support.cloneset import Harness, defaulted_cloneset, play_kubelet, set_image
from support.pods import image_of, names
from support.polling import eventually

from kruise.runtime.client import PODS

STATE = "lifecycle.apps.kruise.io/state"
HOOK = {"labelsHandler": {"example.com/hold": "true"}}


def state(pod: dict) -> str:
    return str(pod["metadata"]["labels"].get(STATE))


async def hold(harness: Harness, pod: str, on: bool) -> None:
    value = "true" if on else None
    body = {"metadata": {"labels": {"example.com/hold": value}}}
    await harness.client.patch(PODS, pod, body, harness.namespace)


async def test_pre_delete_hook_holds_a_pod_until_released(harness: Harness) -> None:
    obj = defaulted_cloneset("web", 2)
    obj["spec"]["lifecycle"] = {"preDelete": HOOK}
    await harness.create(obj)
    pods = await harness.all_ready("web", 2)
    for pod in pods:
        await hold(harness, pod["metadata"]["name"], True)
    await harness.patch("web", {"spec": {"replicas": 1}})

    async def preparing() -> list[dict] | None:
        found = [p for p in await harness.pods("web") if state(p) == "PreparingDelete"]
        return found if found else None

    [held] = await eventually(preparing, what="a pod in PreparingDelete")
    await asyncio.sleep(1)
    assert len(await harness.pods("web")) == 2  # held, not deleted
    await hold(harness, held["metadata"]["name"], False)
    left = await harness.pod_count("web", 1)
    assert held["metadata"]["name"] not in names(left)


async def test_in_place_update_hook_holds_and_then_marks_updated(harness: Harness) -> None:
    obj = defaulted_cloneset("web", 1, type="InPlaceIfPossible", maxUnavailable=1)
    obj["spec"]["lifecycle"] = {"inPlaceUpdate": HOOK}
    await harness.create(obj)
    [pod] = await harness.all_ready("web", 1)
    name = pod["metadata"]["name"]
    await hold(harness, name, True)
    await asyncio.sleep(0.3)
    await set_image(harness, "web", "nginx:2.0")

    async def in_state(wanted: str) -> dict | None:
        [now] = await harness.pods("web")
        return now if state(now) == wanted else None

    held = await eventually(lambda: in_state("PreparingUpdate"), what="PreparingUpdate")
    assert image_of(held) == "nginx:1.0"
    stop = asyncio.Event()
    kubelet = asyncio.create_task(play_kubelet(harness, "web", stop))
    try:
        await hold(harness, name, False)
        updated = await eventually(lambda: in_state("Updated"), what="Updated")
        assert image_of(updated) == "nginx:2.0"
        await hold(harness, name, True)
        await eventually(lambda: in_state("Normal"), what="back to Normal")
    finally:
        stop.set()
        await kubelet
