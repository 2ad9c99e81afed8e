"""A CloneSet's strategy resolved once from its spec: replicas, partition, maxSurge and
maxUnavailable with the CloneSet's rounding, and the fields the sync reads as they are."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.apis.apps.intstr import IntOrPercentError
from kruise.controller.cloneset.sync.strategy import (
    CloneSetStrategy,
    deprecated_int_or_percent_fields,
    resolve_strategy,
)
from kruise.util.rollout import Rollout, min_ready_seconds_of, replicas_of

Obj = dict[str, Any]


def spec_of(replicas: int | None = None, **update_strategy: Any) -> Obj:
    spec: Obj = {"updateStrategy": update_strategy}
    if replicas is not None:
        spec["replicas"] = replicas
    return spec


def test_replicas_default_to_one_but_zero_is_zero() -> None:
    assert replicas_of({}) == 1
    assert replicas_of({"replicas": None}) == 1
    assert replicas_of({"replicas": 0}) == 0
    assert replicas_of({"replicas": 7}) == 7
    assert resolve_strategy({}).replicas == 1


def test_min_ready_seconds_defaults_to_zero() -> None:
    assert min_ready_seconds_of({}) == 0
    assert min_ready_seconds_of({"minReadySeconds": None}) == 0
    assert min_ready_seconds_of({"minReadySeconds": 30}) == 30


def test_defaults_when_every_field_is_absent() -> None:
    assert resolve_strategy({"replicas": 10}) == CloneSetStrategy(
        replicas=10,
        partition=0,
        max_unavailable=2,  # 20% of 10
        max_surge=0,
        min_ready_seconds=0,
        paused=False,
        update_type="ReCreate",
        in_place_grace_seconds=0,
        pods_to_delete=(),
    )


def test_an_empty_spec_resolves_like_one_replica_with_defaults() -> None:
    # 20% of 1 rounds up to 1 while maxSurge is 0.
    strategy = resolve_strategy({"updateStrategy": None, "scaleStrategy": None})
    assert (strategy.replicas, strategy.partition, strategy.max_unavailable) == (1, 0, 1)
    assert strategy.max_surge == 0


@pytest.mark.parametrize(
    ("partition", "replicas", "expected"),
    [
        pytest.param("80%", 5, 4, id="80%-of-5"),
        pytest.param("50%", 5, 3, id="50%-of-5-rounds-up"),
        pytest.param("1%", 5, 1, id="1%-of-5-rounds-up"),
        pytest.param("0%", 5, 0, id="0%"),
        pytest.param(3, 5, 3, id="count"),
        pytest.param(8, 5, 5, id="count-above-replicas-capped"),
        pytest.param("99%", 4, 3, id="99%-of-4-updates-one"),
        pytest.param("99%", 1, 1, id="99%-of-1-rounds-up"),
    ],
)
def test_partition_percent_rounds_up(partition: int | str, replicas: int, expected: int) -> None:
    assert resolve_strategy(spec_of(replicas, partition=partition)).partition == expected


@pytest.mark.parametrize(
    ("max_surge", "replicas", "expected"),
    [
        pytest.param("10%", 3, 1, id="10%-of-3-rounds-up"),
        pytest.param("50%", 3, 2, id="50%-of-3-rounds-up"),
        pytest.param("25%", 8, 2, id="25%-of-8"),
        pytest.param("0%", 3, 0, id="0%"),
        pytest.param(2, 3, 2, id="count"),
    ],
)
def test_max_surge_percent_rounds_up(max_surge: int | str, replicas: int, expected: int) -> None:
    assert resolve_strategy(spec_of(replicas, maxSurge=max_surge)).max_surge == expected


@pytest.mark.parametrize(
    ("replicas", "unavailable", "surge", "expected"),
    [
        pytest.param(3, None, None, 1, id="default-20%-of-3-rounds-up"),
        pytest.param(10, None, None, 2, id="default-20%-of-10"),
        pytest.param(11, None, None, 3, id="default-20%-of-11-rounds-up"),
        pytest.param(11, None, 1, 2, id="default-rounds-down-with-surge"),
        pytest.param(3, None, 1, 0, id="20%-of-3-down-to-0-with-surge"),
        pytest.param(10, "25%", "1%", 2, id="surge-percent-above-0-rounds-down"),
        pytest.param(10, "25%", "0%", 3, id="surge-resolving-to-0-rounds-up"),
        pytest.param(10, "25%", 0, 3, id="surge-0-rounds-up"),
        pytest.param(10, 4, 2, 4, id="count-as-is"),
        pytest.param(10, 0, 2, 0, id="zero"),
    ],
)
def test_max_unavailable(
    replicas: int, unavailable: int | str | None, surge: int | str | None, expected: int
) -> None:
    fields = {"maxUnavailable": unavailable, "maxSurge": surge}
    spec = spec_of(replicas, **{k: v for k, v in fields.items() if v is not None})
    assert resolve_strategy(spec).max_unavailable == expected


def test_the_rest_is_read_as_it_is() -> None:
    spec: Obj = {
        "replicas": 4,
        "minReadySeconds": 15,
        "updateStrategy": {
            "type": "InPlaceIfPossible",
            "paused": True,
            "inPlaceUpdateStrategy": {"gracePeriodSeconds": 10},
        },
        "scaleStrategy": {"podsToDelete": ["web-a", "web-b"]},
    }
    strategy = resolve_strategy(spec)
    assert strategy.min_ready_seconds == 15
    assert strategy.paused is True
    assert strategy.update_type == "InPlaceIfPossible"
    assert strategy.in_place_grace_seconds == 10
    assert strategy.pods_to_delete == ("web-a", "web-b")


def test_a_strategy_is_a_rollout_and_frozen() -> None:
    strategy = resolve_strategy(spec_of(3))
    assert isinstance(strategy, Rollout)
    with pytest.raises(AttributeError):
        strategy.replicas = 5  # type: ignore[misc]


@pytest.mark.parametrize("field", ["partition", "maxSurge", "maxUnavailable"])
def test_a_malformed_int_or_percent_fails_the_resolution(field: str) -> None:
    with pytest.raises(IntOrPercentError):
        resolve_strategy(spec_of(3, **{field: "five"}))


def test_a_stored_quoted_integer_resolves_as_a_percentage() -> None:
    """Issue 14 item 1: ``"50"`` in a stored CloneSet is 50 %, as OpenKruise read it."""
    strategy = resolve_strategy(spec_of(10, partition="50", maxSurge="20", maxUnavailable="30"))
    assert (strategy.partition, strategy.max_surge, strategy.max_unavailable) == (5, 2, 3)
    assert deprecated_int_or_percent_fields(
        spec_of(10, partition="50", maxSurge=1, maxUnavailable="30%")
    ) == ["spec.updateStrategy.partition"]
