"""Which events pass which predicates, and which requests each handler makes."""

from __future__ import annotations

from typing import Any

from kruise.runtime.controller import (
    AnnotationsChanged,
    Any_,
    EnqueueRequestForObject,
    EnqueueRequestForOwner,
    EnqueueRequestsFromMapFunc,
    GenerationChanged,
    LabelsChanged,
    ResourceVersionChanged,
)
from kruise.runtime.reconcile import Request


def obj(**meta: Any) -> dict[str, Any]:
    return {"metadata": {"namespace": "ns", "name": "x", **meta}}


class Recorder:
    def __init__(self) -> None:
        self.items: list[Request] = []

    def add(self, item: Request) -> None:
        self.items.append(item)


def test_generation_changed_skips_status_only_updates() -> None:
    predicate = GenerationChanged()
    assert not predicate.update(obj(generation=1), obj(generation=1))
    assert predicate.update(obj(generation=1), obj(generation=2))
    assert predicate.create(obj())
    assert predicate.delete(obj())


def test_resource_version_labels_and_annotations_predicates() -> None:
    assert not ResourceVersionChanged().update(obj(resourceVersion="5"), obj(resourceVersion="5"))
    assert ResourceVersionChanged().update(obj(resourceVersion="5"), obj(resourceVersion="6"))
    assert LabelsChanged().update(obj(labels={"a": "1"}), obj(labels={"a": "2"}))
    assert not LabelsChanged().update(obj(labels={"a": "1"}), obj(labels={"a": "1"}))
    assert AnnotationsChanged().update(obj(), obj(annotations={"k": "v"}))
    either = Any_([LabelsChanged(), AnnotationsChanged()])
    assert either.update(obj(), obj(annotations={"k": "v"}))
    assert not either.update(obj(), obj())


def test_enqueue_for_owner_finds_the_controlling_owner_of_the_kind() -> None:
    pod = obj(
        ownerReferences=[
            {
                "apiVersion": "apps.kruise.io/v1alpha1",
                "kind": "CloneSet",
                "name": "c1",
                "controller": True,
            },
            {"apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet", "name": "c2"},
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "controller": True},
        ]
    )
    queue = Recorder()
    EnqueueRequestForOwner("apps.kruise.io", "CloneSet").create(pod, queue)
    assert queue.items == [Request("ns", "c1")]
    everyone = Recorder()
    EnqueueRequestForOwner("apps.kruise.io", "CloneSet", only_controller=False).create(
        pod, everyone
    )
    assert everyone.items == [Request("ns", "c1"), Request("ns", "c2")]


def test_owner_change_enqueues_old_and_new_owner() -> None:
    def owned_by(name: str) -> dict[str, Any]:
        ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "controller": True}
        return obj(ownerReferences=[ref])

    queue = Recorder()
    EnqueueRequestForOwner("apps", "Deployment").update(owned_by("a"), owned_by("b"), queue)
    assert sorted(queue.items) == [Request("ns", "a"), Request("ns", "b")]


def test_enqueue_for_object_and_map_func() -> None:
    queue = Recorder()
    EnqueueRequestForObject().update(obj(), obj(), queue)
    assert queue.items == [Request("ns", "x")]
    mapped = Recorder()
    handler = EnqueueRequestsFromMapFunc(lambda o: [Request("other", o["metadata"]["name"])])
    handler.delete(obj(), mapped)
    assert mapped.items == [Request("other", "x")]
