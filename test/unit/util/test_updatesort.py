"""Update order: priority and scatter sorts, ported case by case from OpenKruise's
``pkg/util/updatesort`` unit tests (v0.7.0 expectations), plus the quirks we keep."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kruise.util.updatesort import sort_by_priority, sort_by_scatter
from kruise.util.updatesort.priority import int_suffix, pod_order
from kruise.util.updatesort.scatter import (
    _group_by_density,
    _ratio32,
    _round_div,
    scatter_by_term,
    scatter_terms,
)

Labels = dict[str, str]


def pod(labels: Labels | None, name: str = "") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "default"}
    if labels is not None:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta}


def pods_of(*labels: Labels) -> list[dict[str, Any]]:
    return [pod(one, str(i)) for i, one in enumerate(labels)]


def weights(*terms: tuple[int, Labels]) -> dict[str, Any]:
    return {
        "weightPriority": [
            {"weight": weight, "matchSelector": {"matchLabels": match}} for weight, match in terms
        ]
    }


def orders(*keys: str) -> dict[str, Any]:
    return {"orderPriority": [{"orderedKey": key} for key in keys]}


def compare(strategy: dict[str, Any], pod_i: Labels, pod_j: Labels) -> bool:
    """Go's ``compare(podI, podJ, true)``: does pod I sort before pod J, ties going to I?

    Ties go to the higher index, so I sits at index 1 and J at index 0."""
    return sort_by_priority(pods_of(pod_j, pod_i), [0, 1], strategy) == [1, 0]


# ---- priority: TestCompare ---------------------------------------------------------------

FOO_BAR = weights((20, {"key": "foo"}), (10, {"key": "bar"}))
KEY1_KEY2 = orders("key1", "key2")


@pytest.mark.parametrize(
    ("strategy", "pod_i", "pod_j", "expected"),
    [
        pytest.param(FOO_BAR, {}, {}, True, id="weight-both-unmatched-tie"),
        pytest.param(FOO_BAR, {"key": "foo"}, {"key": "foo"}, True, id="weight-equal-tie"),
        pytest.param(FOO_BAR, {"key": "bar"}, {"key": "foo"}, False, id="weight-lighter"),
        pytest.param(FOO_BAR, {}, {"key": "bar"}, False, id="weight-none-vs-bar"),
        pytest.param(FOO_BAR, {}, {"key": "foo"}, False, id="weight-none-vs-foo"),
        pytest.param(
            weights((20, {"key1": "foo"}), (10, {"key2": "bar"}), (15, {"key3": "baz"})),
            {"key1": "foo"},
            {"key2": "bar", "key3": "baz"},
            False,
            id="weight-sum-of-two-terms-wins",
        ),
        pytest.param(
            weights((20, {"key1": "foo"}), (10, {"key2": "bar"}), (5, {"key3": "baz"})),
            {"key2": "bar", "key3": "baz"},
            {"key1": "foo"},
            False,
            id="weight-sum-of-two-terms-loses",
        ),
        pytest.param(KEY1_KEY2, {}, {}, True, id="order-both-keyless-tie"),
        pytest.param(KEY1_KEY2, {"key1": "o-10"}, {"key1": "o-5"}, True, id="order-higher-value"),
        pytest.param(KEY1_KEY2, {"key1": "o-10"}, {"key1": "o-10"}, True, id="order-equal-tie"),
        pytest.param(KEY1_KEY2, {"key1": "o-10"}, {"key1": "o-20"}, False, id="order-lower-value"),
        pytest.param(KEY1_KEY2, {"key2": "o-20"}, {"key1": "o-10"}, False, id="order-later-key"),
        pytest.param(KEY1_KEY2, {"key2": "o-20"}, {"key2": "o-10"}, True, id="order-same-key"),
    ],
)
def test_compare(strategy: dict[str, Any], pod_i: Labels, pod_j: Labels, expected: bool) -> None:
    assert compare(strategy, pod_i, pod_j) is expected


# ---- priority: Test_prioritySort_Sort (added upstream after v0.7.0) ----------------------


def test_sort_empty_priority_strategy_keeps_order() -> None:
    pods = pods_of({}, {}, {})
    assert sort_by_priority(pods, [0, 1, 2], {}) == [0, 1, 2]


def test_sort_ties_go_to_the_higher_index() -> None:
    """Upstream's later test expects [2, 0, 1, 3] here (ties keep their order); v0.7.0
    breaks ties by the higher index, which we keep."""
    strategy = weights((100, {"foo": "bar"}), (90, {"hello": "world"}))
    pods = pods_of({"hello": "world"}, {}, {"foo": "bar"}, {})
    assert sort_by_priority(pods, [0, 1, 2, 3], strategy) == [2, 0, 3, 1]


def test_sort_no_pod_matching_any_term_reverses_order() -> None:
    """Upstream's later test expects [0, 1, 2, 3]; v0.7.0 gives the reverse."""
    strategy = weights((100, {"not": "match"}), (90, {"not1": "match1"}))
    pods = pods_of({"hello": "world"}, {}, {"foo": "bar"}, {})
    assert sort_by_priority(pods, [0, 1, 2, 3], strategy) == [3, 2, 1, 0]


# ---- priority: our own cases -------------------------------------------------------------


def test_order_priority_sorts_keyless_pods_first() -> None:
    """Pods with none of the keys get level -1, ahead of the rest (as OpenKruise v0.7.0 sorts)."""
    pods = pods_of({"key1": "a-1"}, {}, {"key2": "b-9"}, {"other": "x-3"}, {"key1": "a-7"})
    assert sort_by_priority(pods, [0, 1, 2, 3, 4], KEY1_KEY2) == [3, 1, 4, 0, 2]


def test_order_priority_uses_the_first_key_the_pod_has() -> None:
    assert pod_order({"key2": "x-5", "key1": "y-2"}, ["key1", "key2"]) == (0, 2)
    assert pod_order({"key2": "x-5"}, ["key1", "key2"]) == (1, 5)
    assert pod_order({"key1": ""}, ["key1"]) == (0, 0)
    assert pod_order({}, ["key1"]) == (-1, 0)


def test_weight_priority_wins_over_order_priority() -> None:
    """With weight terms, orderPriority is never read, even when every weight ties."""
    strategy = {**weights((10, {"never": "matches"})), **orders("key1")}
    pods = pods_of({"key1": "a-1"}, {"key1": "a-9"}, {})
    assert sort_by_priority(pods, [0, 1, 2], strategy) == [2, 1, 0]


def test_weight_priority_selector_forms() -> None:
    strategy: dict[str, Any] = {
        "weightPriority": [
            {
                "weight": 50,
                "matchSelector": {"matchExpressions": [{"key": "zone", "operator": "Exists"}]},
            },
            # Go skips a term whose selector does not parse.
            {"weight": 1000, "matchSelector": {"matchLabels": {"bad key!": "x"}}},
            # An absent selector is Go's zero LabelSelector: it matches every pod.
            {"weight": 5},
        ]
    }
    pods = pods_of({"bad key!": "x"}, {"zone": "a"}, {}, {"zone": "b"})
    assert sort_by_priority(pods, [0, 1, 2, 3], strategy) == [3, 1, 2, 0]


def test_sort_candidates_subset_and_pod_without_labels() -> None:
    pods = [pod({"key": "foo"}), pod(None), pod({"key": "bar"}), pod({"key": "foo"})]
    assert sort_by_priority(pods, [2, 1, 3], FOO_BAR) == [3, 2, 1]


def test_priority_none_or_empty_strategy_returns_a_copy() -> None:
    indexes = [2, 0, 1]
    strategy: dict[str, Any] | None
    for strategy in (None, {}, {"weightPriority": [], "orderPriority": []}):
        result = sort_by_priority(pods_of({}, {}, {}), indexes, strategy)
        assert result == [2, 0, 1]
        assert result is not indexes


def test_priority_does_not_change_its_arguments() -> None:
    pods = pods_of({"key": "bar"}, {"key": "foo"})
    before = copy.deepcopy(pods)
    indexes = [0, 1]
    assert sort_by_priority(pods, indexes, FOO_BAR) == [1, 0]
    assert indexes == [0, 1]
    assert pods == before


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sts-10", 10),
        ("o-5", 5),
        ("10", 10),
        ("007", 7),
        ("abc", 0),
        ("", 0),
        ("1a", 0),
        ("a-1-2", 2),
        ("x-" + "9" * 19, 0),  # beyond int64: Go's ParseInt fails
        (f"x-{2**63 - 1}", 2**63 - 1),
        ("x-\u0663", 0),  # a non-ASCII digit is not a digit to Go
    ],
)
def test_int_suffix(value: str, expected: int) -> None:
    assert int_suffix(value) == expected


# ---- scatter: TestGenerateRules ----------------------------------------------------------

A = {"key": "labelA", "value": "AAA"}
B = {"key": "labelB", "value": "BBB"}
C = {"key": "labelC", "value": "CCC"}


@pytest.mark.parametrize(
    ("labels", "strategy", "expected"),
    [
        pytest.param(
            [{}, {}, {}, {}, {"labelA": "AAA"}, {"labelA": "AAA"}],
            [A],
            [("labelA", "AAA")],
            id="one pod one label",
        ),
        pytest.param(
            [{}, {}, {"labelB": "B"}, {"labelB": "BBB"}, {"labelA": "AAA"}, {"labelA": "AAA"}],
            [A, B],
            [("labelA", "AAA"), ("labelB", "BBB")],
            id="same pods a label",
        ),
    ],
)
def test_generate_rules(
    labels: list[Labels], strategy: list[dict[str, str]], expected: list[tuple[str, str]]
) -> None:
    pods = pods_of(*labels)
    assert scatter_terms(pods, range(len(pods)), strategy) == expected


# ---- scatter: TestScatterPodsByRule ------------------------------------------------------


def parse_labels(text: str) -> Labels:
    """The Go test's "k=v,k2=v2" form; parts without "=" are ignored."""
    labels: Labels = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if sep:
            labels[key] = value
    return labels


SA = "labelA=AAA"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        pytest.param([""], [0], id="no label"),
        pytest.param(["labelA=AAA"], [0], id="only one scattered pod"),
        pytest.param(["labelA=AAA", "bbb"], [0, 1], id="odd scattered + odd ordinary"),
        pytest.param(
            ["", "", "", "", "labelA=AAA", "labelA=AAA"],
            [4, 0, 1, 2, 3, 5],
            id="even scattered + even ordinary",
        ),
        pytest.param(
            ["", "", "", "labelA=AAA", "labelA=AAA", "labelA=AAA"],
            [3, 0, 1, 4, 2, 5],
            id="odd scattered + odd ordinary",
        ),
        pytest.param(
            ["", "", "", "labelA=AAA", "", "", "labelA=AAA"],
            [3, 0, 1, 2, 4, 5, 6],
            id="even scattered + odd ordinary",
        ),
        pytest.param(
            ["", "", "", "", "", "", "labelA=AAA", "labelA=AAA", "labelA=AAA"],
            [6, 0, 1, 2, 7, 3, 4, 5, 8],
            id="odd scattered + even ordinary",
        ),
        # v0.7.0's expectation; upstream's later algorithm gives [2, 0, 3, 1, 4, 5].
        pytest.param(
            ["", "", "labelA=AAA", "labelA=AAA", "labelA=AAA", "labelA=AAA"],
            [2, 3, 0, 4, 1, 5],
            id="even scattered + even ordinary + more scattered",
        ),
        pytest.param(
            ["", "", "", "labelA=AAA", "labelA=AAA", "labelA=AAA", "labelA=AAA", "labelA=AAA"],
            [3, 0, 1, 4, 2, 5],
            id="odd scattered + odd ordinary + more scattered",
        ),
        # v0.7.0's expectation; upstream's later algorithm gives [2, 0, 4, 1, 5, 3, 6, 7, 8].
        pytest.param(
            ["", "", SA, "", SA, SA, SA, SA, SA],
            [2, 4, 0, 5, 6, 1, 7, 3, 8],
            id="even scattered + odd ordinary + more scattered",
        ),
        pytest.param(
            ["", SA, "", SA, "", "", SA, SA, SA],
            [1, 0, 3, 2, 6, 4, 7, 5, 8],
            id="odd scattered + even ordinary + more scattered",
        ),
        pytest.param(
            ["", "", "", "", "ee", "a", "", "labelA=AAA", "labelA=AAA", "labelA=AAA,labelB=BBB"],
            [7, 0, 1, 2, 3, 8, 4, 5, 6, 9],
            id="invalid label",
        ),
    ],
)
def test_scatter_pods_by_rule(labels: list[str], expected: list[int]) -> None:
    # As in Go, the pods are the first len(expected) entries, all of them candidates.
    pods = [pod(parse_labels(text), str(i)) for i, text in enumerate(labels[: len(expected)])]
    assert scatter_by_term(("labelA", "AAA"), pods, list(range(len(pods)))) == expected


# ---- scatter: TestSort -------------------------------------------------------------------

AB: Labels = {"labelA": "AAA", "labelB": "BBB"}
LA: Labels = {"labelA": "AAA"}
LB: Labels = {"labelB": "BBB"}
LC: Labels = {"labelC": "CCC"}
X: Labels = {"sdfb": "eee"}
Y: Labels = {"dsf": "same"}


@pytest.mark.parametrize(
    ("labels", "strategy", "expected"),
    [
        pytest.param([AB], [A], [0], id="a scattered pod + a ordinary pod"),
        pytest.param([{}] * 6, [], [0, 1, 2, 3, 4, 5], id="all ordinary pods"),
        pytest.param([{}, {}, {}, {}, LA, LA], [A], [4, 0, 1, 2, 3, 5], id="one pod one label"),
        pytest.param(
            [{}, {}, {}, {}, X, Y, LB, LA, LA, AB],
            [B],
            [6, 0, 1, 2, 3, 4, 5, 7, 8, 9],
            id="one pod more labels",
        ),
        pytest.param(
            [LB, LB, {}, {}, LA, LA], [A, B], [0, 4, 2, 3, 5, 1], id="2 dims + one pod one label"
        ),
        pytest.param(
            [{}, {}, {}, LB, AB, LA], [A, B], [4, 0, 1, 2, 5, 3], id="2 dims + one pod more labels"
        ),
        pytest.param(
            [{}, {}, {}, {}, X, Y, LB, LA, LA, LB],
            [B, A],
            [7, 6, 0, 1, 2, 3, 4, 5, 9, 8],
            id="2 dims + same label + sequence: A + B",
        ),
        pytest.param(
            [{}, {}, {}, {}, X, Y, LB, LA, LA, LB],
            [A, B],
            [6, 7, 0, 1, 2, 3, 4, 5, 8, 9],
            id="2 dims + same label + sequence: B + A",
        ),
        pytest.param(
            [{}, {}, {}, {}, X, Y, AB, {}, {}, AB],
            [A, B],
            [6, 0, 1, 2, 3, 4, 5, 7, 8, 9],
            id="2 dims + same pod same label + even scatter + even ordinary",
        ),
        pytest.param(
            [{}, {}, {}, X, Y, AB, {}, {}, AB],
            [A, B],
            [5, 0, 1, 2, 3, 4, 6, 7, 8],
            id="2 dims + same pod same label + even scatter + odd ordinary",
        ),
        pytest.param(
            [{}, {}, {}, LA, X, Y, AB, {}, {}, {}],
            [A, B],
            [3, 0, 1, 2, 4, 5, 7, 6],
            id="2 dims + same pod same label + odd scatter + odd ordinary",
        ),
        pytest.param(
            [{}, {}, {}, LA, {}, {}, X, Y, AB, {}, {}, AB],
            [A, B],
            [0, 1, 2, 4, 3, 5, 6, 7, 9, 10, 8],
            id="2 dims + same pod same label + odd scatter + odd ordinary (2)",
        ),
        pytest.param(
            [{}, {}, {}, LA, {**X, **LA}, Y, AB, {}, {}, AB],
            [A, B],
            [6, 3, 0, 1, 4, 2, 5, 7, 8, 9],
            id="2 dims + same pod same label + even scatter + even ordinary + more scattered",
        ),
        pytest.param(
            [{}, LA, LA, X, Y, AB, {}, {}, AB],
            [A, B],
            [5, 1, 0, 3, 2, 4, 6, 7, 8],
            id="2 dims + same pod same label + even scatter + odd ordinary + more scattered",
        ),
        pytest.param(
            [LA, {}, {}, LA, {**X, **LA}, Y, AB, {}, {}, AB],
            [A, B],
            [1, 0, 2, 3, 5, 4, 7, 6],
            id="2 dims + same pod same label + odd scatter + odd ordinary + more scattered",
        ),
        pytest.param(
            [{}, {}, LA, LA, {}, LA, X, Y, AB, {}, {}, AB],
            [A, B],
            [0, 2, 1, 4, 3, 6, 7, 5, 9, 10, 8],
            id="2 dims + same pod same label + odd scatter + odd ordinary + more scattered (2)",
        ),
        pytest.param(
            [{}, LA, LA, LB, LB, LC, LC, LC, LC, LC],
            [A, B, C],
            [3, 1, 5, 0, 6, 7, 8, 9, 2, 4],
            id="3 dims + one pod one label",
        ),
        pytest.param(
            [{}, LA, {**LA, **LC}, {**LB, **LC}, LB, {}, {}, LC, LC, LC],
            [A, B, C],
            [3, 2, 0, 7, 8, 5, 6, 9, 1, 4],
            id="3 dims + one pod more label",
        ),
        pytest.param([{}, {}, {}, {}, LA, LA, LA], [A], [0, 1, 4, 2, 3, 5], id="continuous sort 1"),
        pytest.param(
            [LA, LA, {}, {}, {}, {}, {}, {}, {}, LA],
            [A],
            [2, 0, 3, 4, 5, 6, 1],
            id="continuous sort 2",
        ),
        pytest.param(
            [{}, LA, {**LA, **LC}, {**LB, **LC}, LB, None, {}, {}, LC, LC, LC],
            [A, B, C],
            [3, 2, 0, 8, 9, 6, 7, 10, 1, 4],
            id="reserveOrdinals nil in slice",
        ),
    ],
)
def test_sort(
    labels: list[Labels | None], strategy: list[dict[str, str]], expected: list[int]
) -> None:
    # As in Go: the candidates are the first len(expected) pods that exist (None is a
    # reserved ordinal, a hole), and any pods after them are in the set but not candidates.
    pods = [None if one is None else pod(one, str(i)) for i, one in enumerate(labels)]
    indexes = [i for i, one in enumerate(pods) if one is not None][: len(expected)]
    assert sort_by_scatter(pods, indexes, strategy) == expected


# ---- scatter: our own cases --------------------------------------------------------------


def test_scatter_terms_order_by_candidates_matched() -> None:
    pods = pods_of(LA, LB, LB, LC, LC, LC, {})
    strategy = [A, B, C, {"key": "labelD", "value": "DDD"}]
    # Most matches first; the term matching nobody is dropped.
    assert scatter_terms(pods, range(7), strategy) == [
        ("labelC", "CCC"),
        ("labelB", "BBB"),
        ("labelA", "AAA"),
    ]
    # Equal counts keep strategy order; only candidates count.
    assert scatter_terms(pods, [0, 1, 3], [C, B, A]) == [
        ("labelC", "CCC"),
        ("labelB", "BBB"),
        ("labelA", "AAA"),
    ]


def test_scatter_terms_single_term_kept_even_unmatched() -> None:
    assert scatter_terms(pods_of({}, {}), [0, 1], [C]) == [("labelC", "CCC")]


def test_scatter_terms_repeated_term_applied_once() -> None:
    pods = pods_of(LA, LB, LB)
    assert scatter_terms(pods, [0, 1, 2], [A, B, A]) == [("labelA", "AAA"), ("labelB", "BBB")]


def test_scatter_empty_value_matches_pods_without_the_key() -> None:
    """Go reads a missing label as "" when splitting candidates: here 1, 2 and 4 match."""
    pods = pods_of(LA, {}, {}, LA, {}, LA)
    assert scatter_by_term(("labelA", ""), pods, range(6)) == [1, 0, 3, 2, 5, 4]


def test_scatter_none_strategy_and_single_candidate() -> None:
    pods = pods_of(LA, {}, LA, {})
    assert sort_by_scatter(pods, [3, 2, 1, 0], None) == [3, 2, 1, 0]
    assert sort_by_scatter(pods, [2], [A]) == [2]


def test_scatter_does_not_change_its_arguments() -> None:
    pods = pods_of({}, {}, {}, {}, LA, LA)
    before = copy.deepcopy(pods)
    indexes = [0, 1, 2, 3, 4, 5]
    strategy = [A]
    result = sort_by_scatter(pods, indexes, strategy)
    assert result == [4, 0, 1, 2, 3, 5]
    assert result is not indexes
    assert indexes == [0, 1, 2, 3, 4, 5]
    assert pods == before
    assert strategy == [A]


def test_round_div_rounds_halves_up_like_go() -> None:
    assert [_round_div(a, 2) for a in (1, 3, 5, 7)] == [1, 2, 3, 4]
    assert _round_div(4, 3) == 1
    assert _round_div(5, 3) == 2


def test_ratio32_matches_go_float32() -> None:
    assert _ratio32(2, 3) == _ratio32(4, 6)
    assert _ratio32(1, 3) != 1 / 3  # float32, not float64
    assert _ratio32(3, 0) == float("inf")
    ratio = _ratio32(0, 0)
    assert ratio != ratio  # NaN


def test_group_by_density_uses_workload_sizes_for_excess_unmatched() -> None:
    # Workload: 3 labelled, 3 unlabelled; candidates: 1 labelled, 4 unlabelled. The
    # candidates are thinner in labels than the workload, so its 1:1 groups are used and
    # the 3 unlabelled candidates beyond them go first.
    group = _group_by_density(3, 3, 1, 4)
    assert (group.count, group.matched_size, group.unmatched_size) == (1, 1, 1)
    assert group.unmatched_remainder == 3


# ---- both: properties --------------------------------------------------------------------

label_sets = st.fixed_dictionaries(
    {},
    optional={
        "labelA": st.sampled_from(["AAA", "x"]),
        "labelB": st.sampled_from(["BBB", "y"]),
        "key1": st.sampled_from(["o-1", "o-10", "o"]),
    },
)


@given(
    labels=st.lists(label_sets, max_size=30),
    data=st.data(),
)
def test_sorts_return_a_permutation_of_the_candidates(
    labels: list[Labels], data: st.DataObject
) -> None:
    pods = pods_of(*labels)
    indexes = data.draw(st.permutations(range(len(pods))))
    candidates = indexes[: data.draw(st.integers(0, len(indexes)))]
    by_priority = sort_by_priority(
        pods, candidates, data.draw(st.sampled_from([FOO_BAR, KEY1_KEY2, {}]))
    )
    assert sorted(by_priority) == sorted(candidates)
    scatter = data.draw(st.lists(st.sampled_from([A, B]), max_size=2, unique_by=lambda t: t["key"]))
    by_scatter = sort_by_scatter(pods, candidates, scatter)
    assert sorted(by_scatter) == sorted(candidates)
