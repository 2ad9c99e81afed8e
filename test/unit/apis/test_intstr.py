"""Int-or-percent parsing and each field's rounding, with the reference's worked examples."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kruise.apis.apps.intstr import (
    MAX_INT32,
    IntOrPercent,
    IntOrPercentError,
    broadcastjob_parallelism,
    cloneset_max_surge,
    cloneset_max_unavailable,
    cloneset_partition,
    is_deprecated_int_or_percent,
    parse_int_or_percent,
    parse_stored_int_or_percent,
    scaled_value,
    statefulset_max_unavailable,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, IntOrPercent(5, is_percent=False)),
        (0, IntOrPercent(0, is_percent=False)),
        (-1, IntOrPercent(-1, is_percent=False)),
        ("20%", IntOrPercent(20, is_percent=True)),
        ("0%", IntOrPercent(0, is_percent=True)),
        ("120%", IntOrPercent(120, is_percent=True)),
        ("-5%", IntOrPercent(-5, is_percent=True)),
    ],
)
def test_parse_reports_count_or_percentage_and_leaves_ranges_to_validation(
    value: int | str, expected: IntOrPercent
) -> None:
    assert parse_int_or_percent(value) == expected


def test_a_string_without_percent_sign_is_rejected_with_the_fix_in_the_message() -> None:
    with pytest.raises(IntOrPercentError) as caught:
        parse_int_or_percent("5")
    assert caught.value.value == "5"
    assert caught.value.detail == (
        'a string must be a percentage such as "5%"; write a count as the number 5, without quotes'
    )
    assert "invalid int-or-percent '5'" in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "value", ["", "abc", "5.5%", " 5%", "5 %", "%", "+5%", "5%%", True, None, 1.5]
)
def test_other_forms_are_rejected(value: object) -> None:
    with pytest.raises(IntOrPercentError, match="must be an integer or a percentage"):
        parse_int_or_percent(value)


def test_str_gives_the_json_form_back() -> None:
    assert str(parse_int_or_percent("20%")) == "20%"
    assert str(parse_int_or_percent(3)) == "3"


def test_cloneset_partition_rounds_up_and_defaults_to_zero() -> None:
    assert cloneset_partition("80%", 10) == 8
    assert cloneset_partition("25%", 10) == 3
    assert cloneset_partition("1%", 10) == 1
    assert cloneset_partition(3, 10) == 3
    assert cloneset_partition(None, 10) == 0


# OpenKruise v1.9's cases (CalculatePartitionReplicas): a percentage under 100% of more
# than one replica updates at least one pod; the result lies within 0 and replicas.
@pytest.mark.parametrize(
    ("partition", "replicas", "expected"),
    [
        pytest.param("99%", 4, 3, id="99%-of-4-updates-one"),
        pytest.param("99%", 9, 8, id="99%-of-9"),
        pytest.param("90%", 10, 9, id="90%-of-10"),
        pytest.param("99%", 99, 98, id="99%-of-99"),
        pytest.param("100%", 99, 99, id="100%-keeps-all"),
        pytest.param("0%", 99, 0, id="0%"),
        pytest.param("99%", 0, 0, id="no-replicas"),
        pytest.param("99%", 1, 1, id="one-replica-rounds-up"),
        pytest.param(10, 10, 10, id="count-equal-to-replicas"),
        pytest.param(12, 10, 10, id="count-capped-at-replicas"),
        pytest.param(5, 10, 5, id="count"),
    ],
)
def test_cloneset_partition_like_openkruise_v1_9(
    partition: int | str, replicas: int, expected: int
) -> None:
    assert cloneset_partition(partition, replicas) == expected


@given(st.integers(0, 100), st.integers(0, 10_000))
def test_cloneset_partition_percent_keeps_and_updates_at_least_one(
    percent: int, replicas: int
) -> None:
    kept = cloneset_partition(f"{percent}%", replicas)
    assert 0 <= kept <= replicas
    if percent > 0 and replicas > 0:
        assert kept >= 1, "any percentage above 0% keeps an old pod"
    if percent < 100 and replicas > 1:
        assert kept <= replicas - 1, "any percentage below 100% updates a pod"
    if percent == 100:
        assert kept == replicas


def test_cloneset_max_surge_rounds_up_and_defaults_to_zero() -> None:
    assert cloneset_max_surge("50%", 3) == 2
    assert cloneset_max_surge("10%", 3) == 1
    assert cloneset_max_surge(None, 3) == 0


def test_cloneset_max_unavailable_defaults_to_twenty_percent_rounded_up() -> None:
    assert cloneset_max_unavailable(None, None, 10) == 2
    assert cloneset_max_unavailable("20%", None, 10) == 2
    assert cloneset_max_unavailable(None, None, 3) == 1
    assert cloneset_max_unavailable("20%", 0, 3) == 1
    assert cloneset_max_unavailable(2, None, 10) == 2


def test_cloneset_max_unavailable_rounds_down_when_max_surge_resolves_above_zero() -> None:
    assert cloneset_max_unavailable("20%", 1, 3) == 0
    # 10% of 3 surges ceil(0.3) = 1 pod, so 20% of 3 rounds down to 0.
    assert cloneset_max_unavailable("20%", "10%", 3) == 0
    assert cloneset_max_unavailable("50%", 2, 5) == 2
    # A surge percentage that resolves to 0 keeps rounding up.
    assert cloneset_max_unavailable("20%", "0%", 3) == 1


def test_statefulset_max_unavailable_rounds_down_with_a_floor_of_one() -> None:
    assert statefulset_max_unavailable("50%", 3) == 1
    assert statefulset_max_unavailable("50%", 10) == 5
    assert statefulset_max_unavailable("10%", 3) == 1
    assert statefulset_max_unavailable(0, 3) == 1
    assert statefulset_max_unavailable(2, 5) == 2
    assert statefulset_max_unavailable(None, 5) == 1


def test_broadcastjob_parallelism_rounds_up_and_defaults_to_unlimited() -> None:
    assert broadcastjob_parallelism(None, 5) == MAX_INT32
    assert broadcastjob_parallelism("50%", 5) == 3
    assert broadcastjob_parallelism(2, 5) == 2


def test_stored_quoted_integer_is_a_percentage_as_openkruise_read_it() -> None:
    """Issue 14 item 1: a stored ``"2"`` is 2 %, where the webhook's parser refuses it."""
    assert parse_stored_int_or_percent("2") == IntOrPercent(2, is_percent=True)
    assert parse_stored_int_or_percent(3) == IntOrPercent(3, is_percent=False)
    assert parse_stored_int_or_percent("30%") == IntOrPercent(30, is_percent=True)
    assert is_deprecated_int_or_percent("2")
    assert not is_deprecated_int_or_percent("2%")
    assert not is_deprecated_int_or_percent(2)
    with pytest.raises(IntOrPercentError):
        parse_stored_int_or_percent("two")


def test_cloneset_fields_read_a_stored_quoted_integer_as_a_percentage() -> None:
    assert cloneset_partition("50", 10) == 5
    assert cloneset_partition("5", 10) == cloneset_partition("5%", 10) == 1
    assert cloneset_max_surge("20", 10) == 2
    assert cloneset_max_unavailable(None, "1", 10) == cloneset_max_unavailable(None, "1%", 10)
    assert cloneset_max_unavailable("30", None, 10) == 3


@given(st.integers(-200, 200), st.integers(0, 100_000))
def test_percentages_round_like_kubernetes_float_arithmetic(percent: int, total: int) -> None:
    exact = float(percent) * float(total) / 100
    value = f"{percent}%"
    assert scaled_value(value, total, round_up=True) == math.ceil(exact)
    assert scaled_value(value, total, round_up=False) == math.floor(exact)


@given(st.integers(-(2**31), 2**31), st.integers(0, 100_000), st.booleans())
def test_counts_ignore_the_total(count: int, total: int, round_up: bool) -> None:
    assert scaled_value(count, total, round_up=round_up) == count
