"""The RFC 6902 diff: applying it to the original always gives the mutated document."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kruise.runtime.webhook import jsonpatch
from kruise.runtime.webhook.jsonpatch import JsonPatchError

# Keys made to collide with pointer syntax: "~", "/", "~0", "~1", "", digits.
keys = st.one_of(
    st.sampled_from(["", "~", "/", "~0", "~1", "a/b", "~01", "0", "-", "name", "x"]),
    st.text(max_size=4),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "a", "b", "~1"]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


@st.composite
def edited(draw: st.DrawFn, doc: Any, depth: int = 0) -> Any:
    """``doc`` with a few random edits: mostly alike, as a mutating webhook leaves it."""
    if depth > 4 or draw(st.integers(0, 9)) == 0:
        return draw(documents)
    if isinstance(doc, dict):
        out = {}
        for key, value in doc.items():
            choice = draw(st.integers(0, 5))
            if choice == 0:
                continue  # removed
            out[key] = draw(edited(value, depth + 1)) if choice == 1 else value
        for key in draw(st.lists(keys, max_size=2)):
            out[key] = draw(documents)
        return out
    if isinstance(doc, list):
        out_list = [draw(edited(v, depth + 1)) if draw(st.booleans()) else v for v in doc]
        for _ in range(draw(st.integers(0, 2))):
            remove: bool = draw(st.booleans())
            if out_list and remove:
                del out_list[draw(st.integers(0, len(out_list) - 1))]
            else:
                out_list.insert(draw(st.integers(0, len(out_list))), draw(documents))
        return out_list
    return draw(scalars)


@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_diff_of_an_edited_document_applies(data: st.DataObject) -> None:
    original = data.draw(documents)
    mutated = data.draw(edited(original))
    patch = jsonpatch.diff(original, mutated)
    assert jsonpatch.same(jsonpatch.apply(original, patch), mutated)


@settings(max_examples=200)
@given(documents, documents)
def test_diff_of_unrelated_documents_applies(original: Any, mutated: Any) -> None:
    patch = jsonpatch.diff(original, mutated)
    assert jsonpatch.same(jsonpatch.apply(original, patch), mutated)
    assert (patch == []) == jsonpatch.same(original, mutated)


@given(documents)
def test_diff_leaves_its_inputs_alone(doc: Any) -> None:
    before = repr(doc)
    patch = jsonpatch.diff(doc, {"wrapped": doc})
    jsonpatch.apply(doc, patch)
    assert repr(doc) == before


def test_pointer_tokens_are_escaped() -> None:
    patch = jsonpatch.diff({"a/b": 1, "m~n": 1}, {"a/b": 2, "m~n": 2, "~/": 3})
    assert patch == [
        {"op": "replace", "path": "/a~1b", "value": 2},
        {"op": "replace", "path": "/m~0n", "value": 2},
        {"op": "add", "path": "/~0~1", "value": 3},
    ]


def test_json_types_are_told_apart() -> None:
    assert jsonpatch.diff({"a": 1}, {"a": True}) == [{"op": "replace", "path": "/a", "value": True}]
    assert jsonpatch.diff({"a": 1}, {"a": 1.0}) == [{"op": "replace", "path": "/a", "value": 1.0}]
    assert jsonpatch.diff({"a": [0]}, {"a": [False]}) != []


def test_label_added_is_one_operation() -> None:
    pod = {"metadata": {"name": "p", "labels": {"app": "a"}}, "spec": {"containers": []}}
    mutated = {"metadata": {"name": "p", "labels": {"app": "a", "x": "y"}}, "spec": pod["spec"]}
    assert jsonpatch.diff(pod, mutated) == [
        {"op": "add", "path": "/metadata/labels/x", "value": "y"}
    ]


def test_sidecar_inserted_first_is_one_add() -> None:
    containers = [{"name": f"c{i}", "image": "busybox"} for i in range(5)]
    sidecar = {"name": "sidecar", "image": "envoy"}
    patch = jsonpatch.diff({"c": containers}, {"c": [sidecar, *containers]})
    assert patch == [{"op": "add", "path": "/c/0", "value": sidecar}]


def test_list_element_changed_in_place() -> None:
    containers = [{"name": f"c{i}", "image": "busybox"} for i in range(5)]
    changed = [dict(c) for c in containers]
    changed[2]["image"] = "nginx"
    patch = jsonpatch.diff({"c": containers}, {"c": changed})
    assert patch == [{"op": "replace", "path": "/c/2/image", "value": "nginx"}]


def test_rewritten_list_is_replaced_whole() -> None:
    patch = jsonpatch.diff({"l": [1, 2, 3, 4]}, {"l": [5, 6, 7, 8, 9]})
    assert patch == [{"op": "replace", "path": "/l", "value": [5, 6, 7, 8, 9]}]


def test_removed_items_go_highest_first() -> None:
    items = [f"a-long-enough-value-{i}" for i in range(6)]
    patch = jsonpatch.diff(items, [items[0], items[3], items[4], items[5]])
    assert patch == [{"op": "remove", "path": "/2"}, {"op": "remove", "path": "/1"}]


def test_root_replaced_when_types_differ() -> None:
    assert jsonpatch.diff({"a": 1}, [1]) == [{"op": "replace", "path": "", "value": [1]}]


@pytest.mark.parametrize(
    ("doc", "op"),
    [
        ({}, {"op": "remove", "path": "/missing"}),
        ({"a": [1]}, {"op": "replace", "path": "/a/1", "value": 0}),
        ({"a": [1]}, {"op": "add", "path": "/a/01", "value": 0}),
        ({"a": 1}, {"op": "add", "path": "/a/b", "value": 0}),
        ({"a": 1}, {"op": "test", "path": "/a", "value": True}),
        ({"a": {}}, {"op": "move", "from": "/a", "path": "/a/b"}),
        ({}, {"op": "frobnicate", "path": ""}),
        ({}, {"op": "add", "path": "no-slash", "value": 1}),
        ({}, {"op": "add", "path": "/x"}),
        ({}, ["not", "an", "operation"]),
    ],
)
def test_applier_refuses_bad_operations(doc: Any, op: Any) -> None:
    with pytest.raises(JsonPatchError):
        jsonpatch.apply(doc, [op])


def test_applier_supports_every_operation() -> None:
    doc = {"a": {"b": [1, 2]}, "c": "x"}
    patch: list[dict[str, Any]] = [
        {"op": "test", "path": "/c", "value": "x"},
        {"op": "copy", "from": "/a/b", "path": "/d"},
        {"op": "move", "from": "/c", "path": "/a/e"},
        {"op": "add", "path": "/d/-", "value": 3},
        {"op": "remove", "path": "/a/b/0"},
        {"op": "replace", "path": "/a/b/0", "value": 20},
    ]
    assert jsonpatch.apply(doc, patch) == {"a": {"b": [20], "e": "x"}, "d": [1, 2, 3]}
    assert doc == {"a": {"b": [1, 2]}, "c": "x"}
