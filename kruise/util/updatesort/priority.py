"""Priority sort: the ``priorityStrategy`` of an update decides which candidates go first.

``weightPriority``: a pod weighs the sum of the weights of the terms whose selector matches
its labels; heavier pods go first. ``orderPriority`` (only looked at when there are no
weight terms): a pod's level is the position of the first ``orderedKey`` among its labels,
and its value is the number the label's value ends in; lower levels go first, then higher
values. Every tie goes to the higher index, and pods with none of the keys get level -1, so
they go before every pod that has one: both are OpenKruise v0.7.0's behaviour, kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kruise.runtime.labels import Selector, from_label_selector
from kruise.runtime.meta import labels_of

_INT64_MAX = 2**63 - 1

WeightTerm = tuple[int, Selector]


def sort_by_priority(
    pods: Sequence[Mapping[str, Any] | None],
    indexes: list[int],
    strategy: Mapping[str, Any] | None,
) -> list[int]:
    """The candidates ``indexes`` (into ``pods``) in a new list, highest priority first.

    Go sorts with a comparison that falls back on "higher index first" for every tie, which
    makes it a total order: so whether the sort is stable cannot show (older versions use
    ``sort.Slice``, later ones ``sort.SliceStable``), and a key sort gives the same list.
    """
    strategy = strategy or {}
    weight_terms = list(strategy.get("weightPriority") or ())
    order_terms = list(strategy.get("orderPriority") or ())
    key: Callable[[int], tuple[int, ...]]
    if weight_terms:
        terms = weight_selectors(weight_terms)

        def key(i: int) -> tuple[int, ...]:
            return (-pod_weight(labels_of(pods[i]), terms), -i)

    elif order_terms:
        ordered_keys = [str(term.get("orderedKey") or "") for term in order_terms]

        def key(i: int) -> tuple[int, ...]:
            level, value = pod_order(labels_of(pods[i]), ordered_keys)
            return (level, -value, -i)

    else:
        return list(indexes)
    return sorted(indexes, key=key)


def weight_selectors(terms: Sequence[Mapping[str, Any]]) -> list[WeightTerm]:
    """Each term's weight and selector. Go skips a term whose selector does not parse; an
    absent selector is Go's zero LabelSelector, which matches every pod."""
    selectors: list[WeightTerm] = []
    for term in terms:
        try:
            selector = from_label_selector(term.get("matchSelector") or {})
        except ValueError:
            continue
        selectors.append((int(term.get("weight") or 0), selector))
    return selectors


def pod_weight(labels: Mapping[str, str], terms: Sequence[WeightTerm]) -> int:
    """The sum of the weights of the terms matching ``labels``."""
    return sum(weight for weight, selector in terms if selector.matches(labels))


def pod_order(labels: Mapping[str, str], ordered_keys: Sequence[str]) -> tuple[int, int]:
    """(level, value) of a pod: the first ordered key it has, and the number its value ends
    in; (-1, 0) when it has none of them (which sorts it first: Go's quirk)."""
    for level, ordered_key in enumerate(ordered_keys):
        if ordered_key in labels:
            return level, int_suffix(str(labels[ordered_key]))
    return -1, 0


def int_suffix(value: str) -> int:
    """The number made of the ASCII digits ``value`` ends in: ``"sts-10"`` is 10. No digits,
    or a number beyond int64 (which Go's ParseInt rejects), is 0."""
    start = len(value)
    while start > 0 and "0" <= value[start - 1] <= "9":
        start -= 1
    if start == len(value):
        return 0
    number = int(value[start:])
    return number if number <= _INT64_MAX else 0
