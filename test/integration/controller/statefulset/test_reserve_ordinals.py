"""reserveOrdinals as the release states it, in both pod management policies: ``replicas``
is the number of pods that run, on the ordinals from the start that are not reserved."""

from __future__ import annotations

import asyncio

import pytest
from support.polling import eventually
from support.statefulset import Harness, defaulted_statefulset, kubelet

POLICIES = ["OrderedReady", "Parallel"]


async def _steady(harness: Harness, name: str, expected: list[int]) -> None:
    await harness.wait_ordinals(name, expected)
    await harness.status(
        name,
        lambda s: s.get("readyReplicas") == len(expected) and s.get("replicas") == len(expected),
    )


@pytest.mark.parametrize("policy", POLICIES)
async def test_the_three_steps_of_the_release(harness: Harness, policy: str) -> None:
    async with kubelet(harness, "rel"):
        await harness.create(
            defaulted_statefulset("rel", 4, pod_management=policy, reserveOrdinals=[1])
        )
        await _steady(harness, "rel", [0, 2, 3, 4])
        await harness.patch("rel", {"spec": {"reserveOrdinals": [1, 3]}})
        await _steady(harness, "rel", [0, 2, 4, 5])
        await harness.patch("rel", {"spec": {"reserveOrdinals": [1], "replicas": 4}})
        await _steady(harness, "rel", [0, 2, 3, 4])
        await harness.patch("rel", {"spec": {"reserveOrdinals": [1, 3], "replicas": 3}})
        await _steady(harness, "rel", [0, 2, 4])


@pytest.mark.parametrize("policy", POLICIES)
async def test_a_reserved_ordinal_beyond_the_range_has_no_effect(
    harness: Harness, policy: str
) -> None:
    # OpenKruise v0.7.0 ran 0, 1, 2, 3 here (issue #746).
    async with kubelet(harness, "far"):
        await harness.create(
            defaulted_statefulset("far", 3, pod_management=policy, reserveOrdinals=[5])
        )
        await _steady(harness, "far", [0, 1, 2])
        await asyncio.sleep(1)
        assert await harness.live_ordinals("far") == [0, 1, 2]


@pytest.mark.parametrize("policy", POLICIES)
async def test_a_range_reserves_every_ordinal_in_it(harness: Harness, policy: str) -> None:
    async with kubelet(harness, "rng"):
        await harness.create(
            defaulted_statefulset("rng", 3, pod_management=policy, reserveOrdinals=["1-2", 4])
        )
        await _steady(harness, "rng", [0, 3, 5])


async def test_ordered_creation_is_ascending_skipping_reserved_ordinals(harness: Harness) -> None:
    await harness.create(defaulted_statefulset("asc", 4, reserveOrdinals=[1]))
    created: list[int] = []
    for ordinal in (0, 2, 3, 4):
        await harness.wait_ordinals("asc", [*created, ordinal])
        created.append(ordinal)
        await harness.ready("asc", ordinal)


async def test_ordered_replacement_is_ready_before_the_reserved_pod_goes(
    harness: Harness,
) -> None:
    async with kubelet(harness, "mig"):
        await harness.create(defaulted_statefulset("mig", 4, reserveOrdinals=[1]))
        await _steady(harness, "mig", [0, 2, 3, 4])
    # Reserving 3 moves its pod to 5: 5 comes first, and 3 stays until 5 is ready.
    await harness.patch("mig", {"spec": {"reserveOrdinals": [1, 3]}})
    await harness.wait_ordinals("mig", [0, 2, 3, 4, 5])
    await asyncio.sleep(1.5)
    assert await harness.live_ordinals("mig") == [0, 2, 3, 4, 5]
    await harness.ready("mig", 5)
    await harness.wait_ordinals("mig", [0, 2, 4, 5])


async def test_ordered_deletion_is_highest_first_one_at_a_time(harness: Harness) -> None:
    sts = defaulted_statefulset("del", 5, reserveOrdinals=[1])
    sts["spec"]["template"]["metadata"]["finalizers"] = ["test.kruise.io/hold"]
    async with kubelet(harness, "del"):
        await harness.create(sts)
        await _steady(harness, "del", [0, 2, 3, 4, 5])
    await harness.patch("del", {"spec": {"replicas": 2}})
    for ordinal in (5, 4, 3):

        async def only_one_terminating(expected: int = ordinal) -> bool:
            return await harness.terminating("del") == [expected]

        await eventually(only_one_terminating, timeout=30, what=f"pod {ordinal} terminating")
        await asyncio.sleep(0.5)
        assert await harness.terminating("del") == [ordinal]
        await harness.drop_finalizers(f"del-{ordinal}")
    await harness.wait_ordinals("del", [0, 2])
    for ordinal in (0, 2):
        await harness.drop_finalizers(f"del-{ordinal}")
