"""StatefulSet conversion between apps.kruise.io/v1alpha1 and v1beta1, case by case."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from kruise.apis.apps.conversion import (
    CARRIED_FIELDS_ANNOTATION,
    V1ALPHA1,
    V1BETA1,
    StatefulSetConverter,
)

converter = StatefulSetConverter()


def down(obj: dict[str, Any]) -> dict[str, Any]:
    return converter.convert(obj, V1ALPHA1)


def up(obj: dict[str, Any]) -> dict[str, Any]:
    return converter.convert(obj, V1BETA1)


def beta(**spec: Any) -> dict[str, Any]:
    """A defaulted v1beta1 StatefulSet as the API server stores it, with spec overrides."""
    obj: dict[str, Any] = {
        "apiVersion": V1BETA1,
        "kind": "StatefulSet",
        "metadata": {
            "name": "web",
            "namespace": "default",
            "uid": "5a1f0c1e-1b6e-4c8e-9d53-0f1e2d3c4b5a",
            "resourceVersion": "4711",
            "generation": 3,
            "labels": {"app": "web"},
        },
        "spec": {
            "replicas": 4,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.19"}]},
            },
            "serviceName": "web",
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {
                    "partition": 0,
                    "maxUnavailable": 1,
                    "podUpdatePolicy": "ReCreate",
                    "minReadySeconds": 0,
                },
            },
            "revisionHistoryLimit": 10,
        },
        "status": {
            "observedGeneration": 3,
            "replicas": 4,
            "readyReplicas": 4,
            "availableReplicas": 4,
            "currentReplicas": 4,
            "updatedReplicas": 4,
            "currentRevision": "web-6d4b9c",
            "updateRevision": "web-6d4b9c",
            "labelSelector": "app=web",
        },
    }
    obj["spec"].update(spec)
    return obj


def alpha(**spec: Any) -> dict[str, Any]:
    obj = beta(**spec)
    obj["apiVersion"] = V1ALPHA1
    return obj


def get_path(obj: dict[str, Any], path: str) -> Any:
    node: Any = obj
    for key in path.split("."):
        node = node[key]
    return node


def set_path(obj: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = obj
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


# Every field both versions hold, with a value unlike its default.
SHARED_FIELDS: list[tuple[str, Any]] = [
    ("spec.replicas", 7),
    ("spec.selector", {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}),
    ("spec.template", {"metadata": {"labels": {"tier": "a"}}, "spec": {"containers": []}}),
    (
        "spec.volumeClaimTemplates",
        [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}],
    ),
    ("spec.serviceName", "headless"),
    ("spec.podManagementPolicy", "Parallel"),
    ("spec.revisionHistoryLimit", 2),
    ("spec.updateStrategy.type", "OnDelete"),
    ("spec.updateStrategy.rollingUpdate.partition", 3),
    ("spec.updateStrategy.rollingUpdate.maxUnavailable", "50%"),
    ("spec.updateStrategy.rollingUpdate.podUpdatePolicy", "InPlaceIfPossible"),
    ("spec.updateStrategy.rollingUpdate.paused", True),
    (
        "spec.updateStrategy.rollingUpdate.unorderedUpdate",
        {
            "priorityStrategy": {
                "weightPriority": [{"weight": 50, "matchSelector": {"matchLabels": {"k": "v"}}}]
            }
        },
    ),
    ("spec.updateStrategy.rollingUpdate.inPlaceUpdateStrategy", {"gracePeriodSeconds": 10}),
    ("spec.updateStrategy.rollingUpdate.minReadySeconds", 30),
    ("status.observedGeneration", 9),
    ("status.replicas", 5),
    ("status.readyReplicas", 2),
    ("status.availableReplicas", 1),
    ("status.currentReplicas", 3),
    ("status.updatedReplicas", 2),
    ("status.currentRevision", "web-111"),
    ("status.updateRevision", "web-222"),
    ("status.collisionCount", 1),
    (
        "status.conditions",
        [{"type": "FailedCreatePod", "status": "True", "reason": "FailedCreate", "message": "x"}],
    ),
    ("status.labelSelector", "tier=a"),
    ("metadata.finalizers", ["example.com/keep"]),
    ("metadata.ownerReferences", [{"apiVersion": "v1", "kind": "ConfigMap", "name": "o"}]),
]


@pytest.mark.parametrize(("path", "value"), SHARED_FIELDS, ids=[p for p, _ in SHARED_FIELDS])
def test_a_shared_field_keeps_its_path_from_v1beta1_to_v1alpha1(path: str, value: Any) -> None:
    obj = beta()
    set_path(obj, path, value)
    converted = down(obj)
    assert converted["apiVersion"] == V1ALPHA1
    assert get_path(converted, path) == value
    assert up(converted) == obj


@pytest.mark.parametrize(("path", "value"), SHARED_FIELDS, ids=[p for p, _ in SHARED_FIELDS])
def test_a_shared_field_keeps_its_path_from_v1alpha1_to_v1beta1(path: str, value: Any) -> None:
    obj = alpha()
    set_path(obj, path, value)
    converted = up(obj)
    assert converted["apiVersion"] == V1BETA1
    assert get_path(converted, path) == value
    assert down(converted) == obj


def test_only_the_api_version_changes_when_there_is_nothing_to_carry() -> None:
    obj = beta()
    converted = down(obj)
    assert converted == {**obj, "apiVersion": V1ALPHA1}
    assert "annotations" not in converted["metadata"]
    assert up(converted) == obj


def test_reserve_ordinals_travel_in_the_annotation_on_v1alpha1() -> None:
    obj = beta(reserveOrdinals=[1, 3])
    converted = down(obj)
    assert "reserveOrdinals" not in converted["spec"]
    assert converted["metadata"]["annotations"] == {
        CARRIED_FIELDS_ANNOTATION: '{"spec":{"reserveOrdinals":[1,3]}}'
    }
    restored = up(converted)
    assert restored["spec"]["reserveOrdinals"] == [1, 3]
    assert restored == obj


def test_the_annotation_sits_beside_other_annotations_and_never_reaches_v1beta1() -> None:
    obj = beta(reserveOrdinals=[0])
    obj["metadata"]["annotations"] = {"team": "storage"}
    converted = down(obj)
    assert converted["metadata"]["annotations"] == {
        "team": "storage",
        CARRIED_FIELDS_ANNOTATION: '{"spec":{"reserveOrdinals":[0]}}',
    }
    restored = up(converted)
    assert restored["metadata"]["annotations"] == {"team": "storage"}
    assert restored == obj


def test_an_empty_reserve_ordinals_list_is_carried_too() -> None:
    obj = beta(reserveOrdinals=[])
    converted = down(obj)
    assert json.loads(converted["metadata"]["annotations"][CARRIED_FIELDS_ANNOTATION]) == {
        "spec": {"reserveOrdinals": []}
    }
    assert up(converted) == obj


@pytest.mark.parametrize("annotations", [{}, None], ids=["empty map", "null"])
def test_an_empty_or_null_annotations_map_comes_back_as_it_was(annotations: Any) -> None:
    obj = beta(reserveOrdinals=[2])
    obj["metadata"]["annotations"] = annotations
    converted = down(obj)
    assert json.loads(converted["metadata"]["annotations"][CARRIED_FIELDS_ANNOTATION]) == {
        "spec": {"reserveOrdinals": [2]},
        "metadata": {"annotations": annotations},
    }
    restored = up(converted)
    assert restored["metadata"]["annotations"] == annotations
    assert restored == obj


def test_writing_back_through_v1alpha1_keeps_reserve_ordinals() -> None:
    # A v1alpha1 client reads, scales and relabels, then PUTs the whole object (#1082, #2102).
    read = down(beta(replicas=4, reserveOrdinals=[1]))
    read["spec"]["replicas"] = 6
    read["metadata"]["labels"]["release"] = "b"
    written = up(read)
    assert written["spec"]["replicas"] == 6
    assert written["spec"]["reserveOrdinals"] == [1]
    assert written["metadata"]["labels"] == {"app": "web", "release": "b"}
    assert "annotations" not in written["metadata"]


def test_a_v1alpha1_client_adding_annotations_keeps_them_and_reserve_ordinals() -> None:
    read = down(beta(reserveOrdinals=[1]))
    read["metadata"]["annotations"]["note"] = "x"
    written = up(read)
    assert written["metadata"]["annotations"] == {"note": "x"}
    assert written["spec"]["reserveOrdinals"] == [1]


def test_editing_the_annotation_through_v1alpha1_sets_reserve_ordinals() -> None:
    obj = alpha()
    obj["metadata"]["annotations"] = {
        CARRIED_FIELDS_ANNOTATION: json.dumps({"spec": {"reserveOrdinals": [0, 2]}}, indent=2)
    }
    assert up(obj)["spec"]["reserveOrdinals"] == [0, 2]


def test_removing_the_annotation_through_v1alpha1_clears_reserve_ordinals() -> None:
    read = down(beta(reserveOrdinals=[1]))
    del read["metadata"]["annotations"][CARRIED_FIELDS_ANNOTATION]
    assert "reserveOrdinals" not in up(read)["spec"]


@pytest.mark.parametrize("explicit", [[2], [], None], ids=["list", "empty list", "null"])
def test_a_field_set_on_the_v1alpha1_object_wins_over_the_annotation(explicit: Any) -> None:
    obj = down(beta(reserveOrdinals=[1]))
    obj["spec"]["reserveOrdinals"] = explicit
    written = up(obj)
    assert written["spec"]["reserveOrdinals"] == explicit
    assert "annotations" not in written["metadata"]


def test_a_field_set_on_the_v1alpha1_object_without_an_annotation_is_kept() -> None:
    obj = alpha(reserveOrdinals=[3])
    assert up(obj)["spec"]["reserveOrdinals"] == [3]


def test_a_stale_annotation_on_a_v1beta1_object_is_replaced_by_its_fields() -> None:
    obj = beta(reserveOrdinals=[2])
    obj["metadata"]["annotations"] = {
        CARRIED_FIELDS_ANNOTATION: '{"spec":{"reserveOrdinals":[1]}}',
        "keep": "me",
    }
    converted = down(obj)
    assert converted["metadata"]["annotations"] == {
        CARRIED_FIELDS_ANNOTATION: '{"spec":{"reserveOrdinals":[2]}}',
        "keep": "me",
    }


def test_a_stale_annotation_on_a_v1beta1_object_without_the_fields_is_dropped() -> None:
    obj = beta()
    obj["metadata"]["annotations"] = {
        CARRIED_FIELDS_ANNOTATION: '{"spec":{"reserveOrdinals":[1]}}',
        "keep": "me",
    }
    converted = down(obj)
    assert converted["metadata"]["annotations"] == {"keep": "me"}
    assert "reserveOrdinals" not in up(converted)["spec"]


def test_the_carried_fields_are_restored_into_a_missing_spec() -> None:
    obj = {
        "apiVersion": V1ALPHA1,
        "kind": "StatefulSet",
        "metadata": {
            "name": "web",
            "annotations": {CARRIED_FIELDS_ANNOTATION: '{"spec":{"reserveOrdinals":[1]}}'},
        },
    }
    assert up(obj)["spec"] == {"reserveOrdinals": [1]}


def test_unknown_fields_survive_both_ways_where_they_are() -> None:
    obj = beta(reserveOrdinals=[1], futureField={"a": [1, 2]})
    obj["spec"]["updateStrategy"]["rollingUpdate"]["surge"] = 2
    obj["spec"]["updateStrategy"]["rollingUpdate"]["unorderedUpdate"] = {
        "priorityStrategy": {},
        "extra": True,
    }
    obj["spec"]["updateStrategy"]["extra"] = "x"
    obj["status"]["futureCount"] = 5
    obj["metadata"]["futureMeta"] = {"k": "v"}
    obj["topLevel"] = [None, 1.5]
    converted = down(obj)
    assert converted["spec"]["futureField"] == {"a": [1, 2]}
    assert converted["spec"]["updateStrategy"]["rollingUpdate"]["surge"] == 2
    assert converted["spec"]["updateStrategy"]["rollingUpdate"]["unorderedUpdate"]["extra"]
    assert converted["spec"]["updateStrategy"]["extra"] == "x"
    assert converted["status"]["futureCount"] == 5
    assert converted["metadata"]["futureMeta"] == {"k": "v"}
    assert converted["topLevel"] == [None, 1.5]
    assert up(converted) == obj


@pytest.mark.parametrize("version", [V1ALPHA1, V1BETA1])
def test_converting_to_the_same_version_returns_an_equal_copy(version: str) -> None:
    obj = beta(reserveOrdinals=[1])
    obj["apiVersion"] = version
    obj["metadata"]["annotations"] = {CARRIED_FIELDS_ANNOTATION: "not even json"}
    converted = converter.convert(obj, version)
    assert converted == obj
    converted["spec"]["template"]["spec"]["containers"][0]["image"] = "changed"
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.19"


@pytest.mark.parametrize("desired", [V1ALPHA1, V1BETA1])
def test_the_argument_is_never_changed(desired: str) -> None:
    for obj in (beta(reserveOrdinals=[1]), down(beta(reserveOrdinals=[1]))):
        before = copy.deepcopy(obj)
        converted = converter.convert(obj, desired)
        assert obj == before
        converted["spec"]["selector"]["matchLabels"]["app"] = "changed"
        assert obj == before


@pytest.mark.parametrize(
    ("mutate", "desired", "message"),
    [
        (lambda o: o.update(kind="CloneSet"), V1BETA1, "kind: Unsupported value: 'CloneSet'"),
        (lambda o: o.pop("kind"), V1BETA1, "kind: Unsupported value: None"),
        (lambda o: o.update(apiVersion="apps/v1"), V1BETA1, "apiVersion: Unsupported value"),
        (lambda o: o.pop("apiVersion"), V1ALPHA1, "apiVersion: Unsupported value: None"),
        (lambda o: None, "apps.kruise.io/v1", "desired apiVersion: Unsupported value"),
        (lambda o: None, "v1beta1", "desired apiVersion: Unsupported value: 'v1beta1'"),
        (lambda o: o.pop("metadata"), V1BETA1, "metadata: Required value"),
        (lambda o: o.update(metadata=[]), V1BETA1, "metadata: Required value"),
        (
            lambda o: o["metadata"].update(annotations=["a"]),
            V1BETA1,
            "metadata.annotations: Invalid value",
        ),
    ],
    ids=[
        "other kind",
        "no kind",
        "other group",
        "no apiVersion",
        "unknown desired version",
        "desired version without group",
        "no metadata",
        "metadata not an object",
        "annotations not a map",
    ],
)
def test_malformed_requests_are_rejected(mutate: Any, desired: str, message: str) -> None:
    obj = alpha()
    mutate(obj)
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        converter.convert(obj, desired)


def test_a_non_object_is_rejected() -> None:
    with pytest.raises(ValueError, match="must be a JSON object, not list"):
        converter.convert([], V1BETA1)  # type: ignore[arg-type]


def test_a_malformed_v1beta1_annotations_map_is_rejected_on_the_way_down() -> None:
    obj = beta(reserveOrdinals=[1])
    obj["metadata"]["annotations"] = "x"
    with pytest.raises(ValueError, match=r"^metadata\.annotations: Invalid value"):
        down(obj)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (7, "must be a string"),
        ("{spec", "not JSON"),
        ("[1]", "must be a JSON object"),
        ('{"overrides":[]}', "overrides must be a JSON object"),
        ('{"overrides":{"spec":{"converted":1}}}', "overrides[spec]: not a JSON pointer"),
        ('{"overrides":{"/spec":1}}', "must be an object with converted"),
        ('{"overrides":{"/spec":{"original":1}}}', "must be an object with converted"),
        ('{"overrides":{"/spec":{"converted":1,"was":2}}}', "unknown key 'was'"),
    ],
)
def test_a_malformed_annotation_is_rejected(raw: Any, message: str) -> None:
    obj = alpha()
    obj["metadata"]["annotations"] = {CARRIED_FIELDS_ANNOTATION: raw}
    where = f"metadata.annotations[{CARRIED_FIELDS_ANNOTATION}]: Invalid value: "
    with pytest.raises(ValueError, match=f"^{re.escape(where)}.*{re.escape(message)}"):
        up(obj)


@pytest.mark.parametrize(
    "raw",
    [
        '{"status":{"replicas":9}}',
        '{"spec":{"serviceName":"other"}}',
        '{"spec":{"replicas":3}}',
        '{"spec":[1]}',
        '{"metadata":{"labels":{"added":"x"}}}',
        '{"overrides":{"/spec/replicas":{"converted":4,"original":9}}}',
        '{"overrides":{"/spec/serviceName":{"converted":"web"}}}',
    ],
)
def test_an_annotation_never_changes_what_v1alpha1_says(raw: str) -> None:
    obj = alpha()
    del obj["status"]["replicas"]
    obj["metadata"]["annotations"] = {CARRIED_FIELDS_ANNOTATION: raw}
    expected = alpha()
    del expected["status"]["replicas"]
    expected["apiVersion"] = V1BETA1
    assert up(obj) == expected


def test_a_spec_that_is_not_an_object_gets_nothing_back() -> None:
    obj = alpha()
    obj["spec"] = "x"
    obj["metadata"]["annotations"] = {CARRIED_FIELDS_ANNOTATION: '{"spec":{"reserveOrdinals":[]}}'}
    assert up(obj)["spec"] == "x"


def test_an_annotation_with_nothing_to_restore_is_accepted() -> None:
    obj = alpha()
    obj["metadata"]["annotations"] = {CARRIED_FIELDS_ANNOTATION: '{"spec":{}}', "a": "b"}
    converted = up(obj)
    assert converted["metadata"]["annotations"] == {"a": "b"}
    assert converted["spec"] == alpha()["spec"]
