"""No input makes a validator or a defaulter raise: every problem is a field error.

Objects are the valid samples with one value anywhere inside replaced by arbitrary JSON,
and arbitrary JSON documents outright; each is validated on create and as an update of
the sample, and defaulted.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from support.validation import advancedcronjob, broadcastjob, cloneset, statefulset

from kruise.apis.apps.defaults import (
    default_advancedcronjob,
    default_broadcastjob,
    default_cloneset,
    default_statefulset,
)
from kruise.apis.apps.validation.advancedcronjob import validate_advancedcronjob
from kruise.apis.apps.validation.broadcastjob import validate_broadcastjob
from kruise.apis.apps.validation.cloneset import PodLookup, pods_to_look_up, validate_cloneset
from kruise.apis.apps.validation.field import FieldError
from kruise.apis.apps.validation.statefulset import validate_statefulset

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.sampled_from(["", "5", "5%", "120%", "-1%", "Always", "a b", "InPlaceOnly", "* * * * *"])
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)

KINDS: list[
    tuple[Callable[[], dict[str, Any]], Callable[..., list[FieldError]], Callable[..., Any]]
] = [
    (cloneset, validate_cloneset, default_cloneset),
    (statefulset, validate_statefulset, default_statefulset),
    (broadcastjob, validate_broadcastjob, default_broadcastjob),
    (advancedcronjob, validate_advancedcronjob, default_advancedcronjob),
    (
        lambda: advancedcronjob("broadcastJobTemplate"),
        validate_advancedcronjob,
        default_advancedcronjob,
    ),
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> tuple[int, dict[str, Any]]:
    kind = draw(st.integers(0, len(KINDS) - 1))
    obj = KINDS[kind][0]()
    target = draw(st.sampled_from(_paths(obj)[1:]))
    node: Any = obj
    for key in target[:-1]:
        node = node[key]
    node[target[-1]] = draw(JSON)
    return kind, obj


def _exercise(kind: int, obj: dict[str, Any]) -> None:
    sample, validate, default = KINDS[kind]
    errors = validate(copy.deepcopy(obj))
    assert all(isinstance(e, FieldError) and str(e) for e in errors)
    old = sample()
    if validate is validate_cloneset:
        lookups = {name: PodLookup() for name in pods_to_look_up(obj, old)}
        validate(obj, old, lookups)
        validate(old, obj, {})
    else:
        validate(obj, old)
        validate(old, obj)
    default(obj)


@settings(max_examples=400, deadline=None)
@given(mutated())
def test_one_bad_value_anywhere(case: tuple[int, dict[str, Any]]) -> None:
    _exercise(*case)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, len(KINDS) - 1),
    st.dictionaries(st.sampled_from(["metadata", "spec", "status"]), JSON),
)
def test_arbitrary_documents(kind: int, obj: dict[str, Any]) -> None:
    _exercise(kind, obj)
