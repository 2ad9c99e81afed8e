"""The indexed store: keys, built-in and custom indexes, replace and delete."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.runtime.cache import NAMESPACE_INDEX, OWNER_INDEX, Store, controller_uid, object_key


def pod(
    name: str,
    namespace: str = "ns",
    *,
    node: str = "",
    owner: str = "",
    rv: str = "1",
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace, "resourceVersion": rv}
    if owner:
        metadata["ownerReferences"] = [
            {"uid": "not-the-controller", "kind": "X", "name": "x"},
            {"uid": owner, "kind": "ReplicaSet", "name": "rs", "controller": True},
        ]
    return {"metadata": metadata, "spec": {"nodeName": node} if node else {}}


def node_index(obj: dict[str, Any]) -> list[str]:
    node = obj["spec"].get("nodeName")
    return [node] if node else []


def names(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objs)


def test_keys_are_namespace_slash_name_or_just_name() -> None:
    assert object_key(pod("a", "ns")) == "ns/a"
    assert object_key({"metadata": {"name": "node-1"}}) == "node-1"


def test_put_returns_the_replaced_object_and_delete_the_removed_one() -> None:
    store = Store()
    first, second = pod("a", rv="1"), pod("a", rv="2")
    assert store.put(first) is None
    assert store.put(second) is first
    assert store.get("ns/a") is second
    assert len(store) == 1
    assert "ns/a" in store
    assert store.delete("ns/a") is second
    assert store.delete("ns/a") is None
    assert store.list() == []


def test_objects_are_stored_as_given_without_copies() -> None:
    store = Store()
    obj = pod("a")
    store.put(obj)
    assert store.get("ns/a") is obj
    assert store.list()[0] is obj
    assert store.by_index(NAMESPACE_INDEX, "ns")[0] is obj


def test_the_namespace_index_follows_adds_and_deletes() -> None:
    store = Store()
    for name, namespace in (("a", "one"), ("b", "one"), ("c", "two")):
        store.put(pod(name, namespace))
    store.put({"metadata": {"name": "cluster-scoped"}})
    assert names(store.by_index(NAMESPACE_INDEX, "one")) == ["a", "b"]
    assert names(store.by_index(NAMESPACE_INDEX, "two")) == ["c"]
    store.delete("two/c")
    assert store.by_index(NAMESPACE_INDEX, "two") == []
    assert sorted(store.index_values(NAMESPACE_INDEX)) == ["one"]


def test_the_owner_index_uses_the_controller_reference_only() -> None:
    store = Store()
    store.put(pod("a", owner="rs-1"))
    store.put(pod("b", owner="rs-1"))
    store.put(pod("c"))
    assert names(store.by_index(OWNER_INDEX, "rs-1")) == ["a", "b"]
    assert store.by_index(OWNER_INDEX, "not-the-controller") == []
    assert controller_uid(pod("c")) is None


def test_a_custom_index_moves_an_object_when_its_value_changes() -> None:
    store = Store()
    store.add_index("node", node_index)
    store.put(pod("a", node="n1"))
    store.put(pod("b", node="n1"))
    store.put(pod("a", node="n2", rv="2"))
    assert names(store.by_index("node", "n1")) == ["b"]
    assert names(store.by_index("node", "n2")) == ["a"]
    assert sorted(store.index_keys("node", "n2")) == ["ns/a"]
    store.put(pod("a", rv="3"))
    assert store.by_index("node", "n2") == []
    assert "n2" not in store.index_values("node")


def test_an_index_added_later_covers_the_objects_already_stored() -> None:
    store = Store()
    store.put(pod("a", node="n1"))
    store.add_index("node", node_index)
    assert names(store.by_index("node", "n1")) == ["a"]
    assert store.index_names == [NAMESPACE_INDEX, OWNER_INDEX, "node"]


def test_an_object_with_several_values_is_found_under_each() -> None:
    store = Store()
    store.add_index("containers", lambda o: ["x", "y", "x"])
    store.put(pod("a"))
    assert names(store.by_index("containers", "x")) == ["a"]
    assert names(store.by_index("containers", "y")) == ["a"]
    store.delete("ns/a")
    assert store.index_values("containers") == []


def test_index_names_are_unique_and_unknown_ones_raise() -> None:
    store = Store()
    with pytest.raises(ValueError, match="already exists"):
        store.add_index(NAMESPACE_INDEX, node_index)
    with pytest.raises(KeyError, match="no index named 'nope'"):
        store.by_index("nope", "x")


def test_a_failing_index_function_leaves_the_object_unindexed() -> None:
    store = Store()
    store.add_index("broken", lambda o: [o["spec"]["missing"]])
    store.put(pod("a"))
    assert store.get("ns/a") is not None
    assert store.index_values("broken") == []
    assert store.delete("ns/a") is not None
