"""Update-order strategies shared by CloneSet and Advanced StatefulSet."""

from __future__ import annotations

from collections.abc import Mapping

from kruise.apis.apps.validation._json import is_int, items, obj
from kruise.apis.apps.validation.field import (
    ErrorList,
    Path,
    duplicate,
    forbidden,
    invalid,
    required,
)
from kruise.apis.apps.validation.meta import (
    canonical,
    selector_is_empty,
    validate_label_selector,
)


def validate_priority_strategy(strategy: object, at: Path) -> ErrorList:
    """One of weightPriority and orderPriority; weights from 0 to 100 with a non-empty
    selector each; every orderedKey set."""
    if strategy is None:
        return []
    if not isinstance(strategy, Mapping):
        return [invalid(at, strategy, "must be an object")]
    weights, orders = items(strategy.get("weightPriority")), items(strategy.get("orderPriority"))
    errors: ErrorList = []
    if weights and orders:
        errors.append(forbidden(at, "only one of weightPriority and orderPriority can be used"))
    for i, term in enumerate(weights):
        here = at.child("weightPriority").index(i)
        weight = obj(term).get("weight")
        if not is_int(weight) or not 0 <= weight <= 100:
            errors.append(
                invalid(here.child("weight"), weight, "must be between 0 and 100, inclusive")
            )
        selector = obj(term).get("matchSelector")
        if selector_is_empty(selector):
            errors.append(required(here.child("matchSelector"), "a non-empty selector is required"))
        else:
            errors += validate_label_selector(selector, here.child("matchSelector"))
    for i, term in enumerate(orders):
        if not obj(term).get("orderedKey"):
            errors.append(required(at.child("orderPriority").index(i).child("orderedKey")))
    return errors


def validate_scatter_strategy(terms: object, at: Path) -> ErrorList:
    """Every term has a key, and no key-value pair repeats."""
    if terms is None:
        return []
    if not isinstance(terms, list):
        return [invalid(at, terms, "must be a list")]
    errors: ErrorList = []
    seen: set[str] = set()
    for i, term in enumerate(terms):
        pair = {"key": obj(term).get("key"), "value": obj(term).get("value")}
        if not pair["key"]:
            errors.append(required(at.index(i).child("key")))
            continue
        if canonical(pair) in seen:
            errors.append(duplicate(at.index(i), pair))
        seen.add(canonical(pair))
    return errors
