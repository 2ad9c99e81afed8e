"""The Advanced StatefulSet's update order and strategy (OpenKruise v1.9 sortPodsToUpdate)."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.apis.apps.intstr import IntOrPercentError
from kruise.controller.statefulset.update_order import RollingStrategy, pods_to_update, resolve

Obj = dict[str, Any]
NEW = "web-new"


def pod(ordinal: int, revision: str = "web-old", **labels: str) -> Obj:
    return {
        "metadata": {
            "name": f"web-{ordinal}",
            "labels": {"controller-revision-hash": revision, **labels},
        }
    }


def terminating(obj: Obj) -> Obj:
    obj["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    return obj


def test_ordered_goes_down_from_the_highest_ordinal_to_the_partition() -> None:
    replicas = [pod(i) for i in range(5)]
    assert pods_to_update(RollingStrategy(replicas=5, partition=3), NEW, replicas) == [4, 3]
    assert pods_to_update(RollingStrategy(replicas=5), NEW, replicas) == [4, 3, 2, 1, 0]


def test_ordered_lists_updated_pods_too_so_the_caller_skips_them() -> None:
    replicas = [pod(0), pod(1, NEW), pod(2)]
    assert pods_to_update(RollingStrategy(replicas=3), NEW, replicas) == [2, 1, 0]


def test_partition_counts_pods_not_ordinals_around_reserved_ordinals() -> None:
    # replicas 4 with ordinal 1 reserved: pods 0, 2, 3, 4.
    replicas: list[Obj | None] = [pod(0), None, pod(2), pod(3), pod(4)]
    assert pods_to_update(RollingStrategy(replicas=4, partition=2), NEW, replicas) == [4, 3]
    assert pods_to_update(RollingStrategy(replicas=4, partition=1), NEW, replicas) == [4, 3, 2]
    assert pods_to_update(RollingStrategy(replicas=4, partition=0), NEW, replicas) == [4, 3, 2, 0]


def test_a_partition_of_all_replicas_or_more_updates_nothing() -> None:
    replicas = [pod(i) for i in range(3)]
    assert pods_to_update(RollingStrategy(replicas=3, partition=3), NEW, replicas) == []
    assert pods_to_update(RollingStrategy(replicas=3, partition=7), NEW, replicas) == []


def test_unordered_puts_updated_and_terminating_pods_first_within_the_quota() -> None:
    replicas = [pod(0), pod(1, NEW), pod(2), terminating(pod(3)), pod(4)]
    strategy = RollingStrategy(replicas=5, unordered=True)
    assert pods_to_update(strategy, NEW, replicas) == [3, 1, 4, 2, 0]
    # The quota of 3 (partition 2) is used up by the two updated pods first.
    strategy = RollingStrategy(replicas=5, partition=2, unordered=True)
    assert pods_to_update(strategy, NEW, replicas) == [3, 1, 4]


def test_unordered_weight_priority_goes_first_ties_highest_ordinal_first() -> None:
    replicas = [pod(0), pod(1, tier="db"), pod(2), pod(3, tier="db"), pod(4)]
    priority = {
        "weightPriority": [{"weight": 50, "matchSelector": {"matchLabels": {"tier": "db"}}}]
    }
    strategy = RollingStrategy(replicas=5, unordered=True, priority=priority)
    assert pods_to_update(strategy, NEW, replicas) == [3, 1, 4, 2, 0]


def test_unordered_order_priority_by_the_number_in_the_value() -> None:
    replicas = [pod(0, rank="r-2"), pod(1, rank="r-9"), pod(2, rank="r-5")]
    priority = {"orderPriority": [{"orderedKey": "rank"}]}
    strategy = RollingStrategy(replicas=3, unordered=True, priority=priority)
    assert pods_to_update(strategy, NEW, replicas) == [1, 2, 0]


def test_resolve_without_rolling_update_is_one_at_a_time_from_the_top() -> None:
    strategy = resolve({"replicas": 4, "updateStrategy": {"type": "RollingUpdate"}})
    assert strategy == RollingStrategy(replicas=4)
    assert resolve({"updateStrategy": {"type": "OnDelete"}}).on_delete


@pytest.mark.parametrize(
    ("value", "replicas", "expected"),
    [
        (None, 10, 1),
        (3, 10, 3),
        ("50%", 5, 2),  # rounds down
        ("50%", 10, 5),
        ("10%", 5, 1),  # at least 1
        ("0%", 5, 1),
        ("100%", 7, 7),
    ],
)
def test_max_unavailable_rounds_down_and_is_at_least_one(
    value: object, replicas: int, expected: int
) -> None:
    rolling: Obj = {} if value is None else {"maxUnavailable": value}
    spec = {"replicas": replicas, "updateStrategy": {"rollingUpdate": rolling}}
    assert resolve(spec).max_unavailable == expected


def test_resolve_reads_every_rolling_field() -> None:
    priority = {"weightPriority": [{"weight": 1, "matchSelector": {}}]}
    spec = {
        "replicas": 6,
        "updateStrategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {
                "partition": 2,
                "maxUnavailable": "50%",
                "podUpdatePolicy": "InPlaceIfPossible",
                "paused": True,
                "inPlaceUpdateStrategy": {"gracePeriodSeconds": 7},
                "unorderedUpdate": {"priorityStrategy": priority},
            },
        },
    }
    assert resolve(spec) == RollingStrategy(
        replicas=6,
        partition=2,
        max_unavailable=3,
        pod_update_policy="InPlaceIfPossible",
        paused=True,
        grace_seconds=7,
        unordered=True,
        priority=priority,
    )


def test_resolve_refuses_a_malformed_max_unavailable() -> None:
    with pytest.raises(IntOrPercentError):
        resolve({"updateStrategy": {"rollingUpdate": {"maxUnavailable": "5"}}})
