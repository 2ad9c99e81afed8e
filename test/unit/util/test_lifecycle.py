"""Lifecycle hooks and states of workload pods (label lifecycle.apps.kruise.io/state)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kruise.util.lifecycle import (
    is_all_hooked,
    is_hooked,
    is_normal,
    is_scheduled,
    may_become_normal,
    state_metadata,
    state_of,
    state_patch,
)
from kruise.util.pods import format_time

Obj = dict[str, Any]
STATE = "lifecycle.apps.kruise.io/state"
TIMESTAMP = "lifecycle.apps.kruise.io/timestamp"
NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def pod(
    *,
    state: str | None = None,
    labels: dict[str, str] | None = None,
    finalizers: list[str] | None = None,
    resource_version: str | None = None,
) -> Obj:
    meta: Obj = {"name": "sample-bcdfg", "namespace": "default", "labels": dict(labels or {})}
    if state is not None:
        meta["labels"][STATE] = state
    if finalizers is not None:
        meta["finalizers"] = finalizers
    if resource_version is not None:
        meta["resourceVersion"] = resource_version
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta}


# --- state_of, is_normal ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    ["PreparingNormal", "Normal", "PreparingUpdate", "Updating", "Updated", "PreparingDelete"],
)
def test_state_of(state: str) -> None:
    assert state_of(pod(state=state)) == state


@pytest.mark.parametrize(
    "obj",
    [pod(), pod(state=""), {"metadata": {"labels": None}}, {"metadata": {}}, {}],
    ids=["no-label", "empty-label", "null-labels", "no-labels", "no-metadata"],
)
def test_no_state(obj: Obj) -> None:
    assert state_of(obj) == ""
    assert is_normal(obj)


def test_is_normal() -> None:
    assert is_normal(pod(state="Normal"))
    for state in (
        "PreparingNormal",
        "PreparingUpdate",
        "Updating",
        "Updated",
        "PreparingDelete",
        "normal",
    ):
        assert not is_normal(pod(state=state)), state


# --- is_hooked -------------------------------------------------------------------------------

LABEL_HOOK = {"labelsHandler": {"example.com/hold": "true", "example.com/drain": "wait"}}
FINALIZER_HOOK = {"finalizersHandler": ["example.com/hold", "example.com/drain"]}


@pytest.mark.parametrize("hook", [None, {}, {"labelsHandler": {}, "finalizersHandler": []}])
def test_no_hook_holds_nothing(hook: Obj | None) -> None:
    hooked = pod(labels={"example.com/hold": "true"}, finalizers=["example.com/hold"])
    assert not is_hooked(hooked, hook)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"example.com/hold": "true"}, True),
        ({"example.com/drain": "wait"}, True),
        ({"example.com/hold": "false", "example.com/drain": "wait"}, True),
        ({"example.com/hold": "false"}, False),
        ({"example.com/hold": "True"}, False),
        ({"example.com/hold": ""}, False),
        ({"example.com/other": "true"}, False),
        ({}, False),
    ],
)
def test_label_hook_needs_a_label_with_the_exact_value(
    labels: dict[str, str], expected: bool
) -> None:
    assert is_hooked(pod(labels=labels), LABEL_HOOK) is expected


@pytest.mark.parametrize(
    ("finalizers", "expected"),
    [
        (["example.com/hold"], True),
        (["kubernetes.io/pvc-protection", "example.com/drain"], True),
        (["example.com/other"], False),
        ([], False),
        (None, False),
    ],
)
def test_finalizer_hook_needs_one_of_its_finalizers(
    finalizers: list[str] | None, expected: bool
) -> None:
    assert is_hooked(pod(finalizers=finalizers), FINALIZER_HOOK) is expected


def test_hook_with_labels_and_finalizers_holds_on_either() -> None:
    hook = {**LABEL_HOOK, **FINALIZER_HOOK}
    assert is_hooked(pod(labels={"example.com/hold": "true"}), hook)
    assert is_hooked(pod(finalizers=["example.com/drain"]), hook)
    assert not is_hooked(pod(labels={"example.com/hold": "no"}, finalizers=["x"]), hook)


def test_finalizer_hook_ignores_labels_and_label_hook_ignores_finalizers() -> None:
    assert not is_hooked(pod(labels={"example.com/hold": "true"}), FINALIZER_HOOK)
    assert not is_hooked(pod(finalizers=["example.com/hold"]), LABEL_HOOK)


def test_label_hook_with_an_empty_value_holds_pods_without_the_label() -> None:
    """Issue 14 item 6: OpenKruise reads a missing label as "", so a labelsHandler entry
    with an empty value holds pods lacking the label (and those with it empty)."""
    hook = {"labelsHandler": {"example.com/ready": ""}}
    assert is_hooked(pod(labels={}), hook)
    assert is_hooked(pod(labels={"example.com/ready": ""}), hook)
    assert not is_hooked(pod(labels={"example.com/ready": "true"}), hook)
    assert is_all_hooked(pod(labels={}), hook)
    assert not is_all_hooked(pod(labels={"example.com/ready": "true"}), hook)


def test_hook_on_a_pod_without_metadata() -> None:
    assert not is_hooked({}, LABEL_HOOK)
    assert not is_hooked({}, FINALIZER_HOOK)


# --- state_metadata, state_patch -------------------------------------------------------------


def test_state_metadata() -> None:
    labels, annotations = state_metadata("Updating", NOW)
    assert labels == {STATE: "Updating"}
    assert annotations == {TIMESTAMP: "2023-11-14T22:13:20Z"}


def test_state_patch_names_the_uid_and_not_the_resource_version() -> None:
    read = pod(state="Normal", resource_version="42")
    read["metadata"]["uid"] = "3f0c6d1e-0000-4000-8000-000000000001"
    patch = state_patch(read, "PreparingDelete", NOW)
    assert patch == {
        "metadata": {
            "labels": {STATE: "PreparingDelete"},
            "annotations": {TIMESTAMP: format_time(NOW)},
            "uid": "3f0c6d1e-0000-4000-8000-000000000001",
        }
    }


def test_state_patch_without_uid() -> None:
    patch = state_patch(pod(state="Updated"), "Normal", NOW + 30)
    assert patch == {
        "metadata": {
            "labels": {STATE: "Normal"},
            "annotations": {TIMESTAMP: "2023-11-14T22:13:50Z"},
        }
    }


def test_state_patch_touches_only_the_state_label() -> None:
    original = pod(state="Normal", labels={"app": "sample"}, resource_version="7")
    before = copy.deepcopy(original)
    patch = state_patch(original, "PreparingUpdate", NOW)
    assert set(patch) == {"metadata"}
    assert set(patch["metadata"]["labels"]) == {STATE}
    assert original == before


# --- is_all_hooked, may_become_normal (preNormal) ----------------------------------------------

BOTH = {"labelsHandler": {"a": "1", "b": "2"}, "finalizersHandler": ["f/1", "f/2"]}


@pytest.mark.parametrize(
    ("labels", "finalizers", "expected"),
    [
        ({"a": "1", "b": "2"}, ["f/1", "f/2", "other"], True),
        ({"a": "1"}, ["f/1", "f/2"], False),
        ({"a": "1", "b": "3"}, ["f/1", "f/2"], False),
        ({"a": "1", "b": "2"}, ["f/1"], False),
        ({"a": "1", "b": "2"}, None, False),
    ],
    ids=["all", "a-label-missing", "a-label-differs", "a-finalizer-missing", "no-finalizers"],
)
def test_is_all_hooked(
    labels: dict[str, str], finalizers: list[str] | None, expected: bool
) -> None:
    obj = pod(labels=labels, finalizers=finalizers)
    assert is_all_hooked(obj, BOTH) is expected
    # is_hooked wants one of them, is_all_hooked every one.
    assert is_hooked(obj, BOTH)


def test_is_all_hooked_without_a_hook_or_with_an_empty_one() -> None:
    assert not is_all_hooked(pod(), None)
    assert is_all_hooked(pod(), {})


def scheduled(obj: Obj, node: str | None = "node-1") -> Obj:
    obj["spec"] = {"nodeName": node} if node is not None else {}
    return obj


def test_is_scheduled() -> None:
    assert is_scheduled(scheduled(pod()))
    assert not is_scheduled(scheduled(pod(), ""))
    assert not is_scheduled(scheduled(pod(), None))
    assert not is_scheduled(pod())


@pytest.mark.parametrize(("status", "expected"), [("True", True), ("False", False)])
def test_is_scheduled_by_the_pod_scheduled_condition(status: str, expected: bool) -> None:
    obj = pod()
    obj["status"] = {"conditions": [{"type": "PodScheduled", "status": status}]}
    assert is_scheduled(obj) is expected


@pytest.mark.parametrize("hooks", [None, {}, {"preDelete": BOTH}], ids=["none", "empty", "other"])
def test_without_pre_normal_a_pod_becomes_normal_once_scheduled(hooks: Obj | None) -> None:
    assert not may_become_normal(hooks, pod(state="PreparingNormal"))
    assert may_become_normal(hooks, scheduled(pod(state="PreparingNormal")))


def test_with_pre_normal_a_pod_becomes_normal_once_it_carries_the_whole_hook() -> None:
    hooks = {"preNormal": {"finalizersHandler": ["example.com/ready"]}}
    waiting = scheduled(pod(state="PreparingNormal"))
    assert not may_become_normal(hooks, waiting)
    done = pod(state="PreparingNormal", finalizers=["example.com/ready"])
    assert may_become_normal(hooks, done)  # the hook alone decides, scheduled or not
