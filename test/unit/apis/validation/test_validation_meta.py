"""Metadata, labels, annotations and label selectors."""

from __future__ import annotations

from support.validation import messages

from kruise.apis.apps.validation import names
from kruise.apis.apps.validation.field import path
from kruise.apis.apps.validation.meta import (
    in_namespace,
    validate_annotations,
    validate_label_selector,
    validate_labels,
    validate_object_meta,
    validate_object_meta_update,
    validate_spec_update,
)

META = path("metadata")


def check(meta: object) -> list[str]:
    return messages(validate_object_meta(meta, META, names.dns_subdomain_name))


def test_name_or_generate_name() -> None:
    assert check({"name": "a", "namespace": "ns"}) == []
    assert check({"generateName": "a-", "namespace": "ns"}) == []
    assert check({"namespace": "ns"}) == [
        "metadata.name: Required value: name or generateName is required"
    ]
    assert check({"name": "a"}) == ["metadata.namespace: Required value"]


def test_namespace_is_a_dns_label() -> None:
    assert check({"name": "a", "namespace": "a.b"}) == [
        'metadata.namespace: Invalid value: "a.b": a lowercase RFC 1123 label must consist of '
        "lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
        "character (e.g. 'my-name' or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    ]


def test_name_length() -> None:
    assert check({"name": "a" * 253, "namespace": "ns"}) == []
    assert check({"name": "a" * 254, "namespace": "ns"}) == [
        f'metadata.name: Invalid value: "{"a" * 254}": must be no more than 253 characters'
    ]


def test_labels() -> None:
    at = path("metadata", "labels")
    assert messages(validate_labels({"example.com/app": "web-1", "empty": ""}, at)) == []
    assert messages(validate_labels({"bad key": "v"}, at)) == [
        'metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric '
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
        "(e.g. 'MyName' or 'my.name' or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    ]
    assert messages(validate_labels({"a": "v" * 64}, at)) == [
        f'metadata.labels: Invalid value: "{"v" * 64}": must be no more than 63 characters'
    ]
    assert messages(validate_labels({"/a": "v"}, at)) == [
        'metadata.labels: Invalid value: "/a": prefix part must be non-empty'
    ]
    assert messages(validate_labels({"a": 1}, at)) == [
        "metadata.labels[a]: Invalid value: 1: must be a string"
    ]


def test_annotations_total_size() -> None:
    at = path("metadata", "annotations")
    assert validate_annotations({"a": "x" * (256 * 1024 - 1)}, at) == []
    assert messages(validate_annotations({"a": "x" * (256 * 1024)}, at)) == [
        "metadata.annotations: Too long: must have at most 262144 bytes"
    ]


def test_label_selector_requirements() -> None:
    at = path("spec", "selector")
    selector = {
        "matchExpressions": [
            {"key": "a", "operator": "Exists", "values": ["x"]},
            {"key": "b", "operator": "DoesNotExist"},
            {"key": "c", "operator": "NotIn", "values": ["x", "y"]},
        ]
    }
    assert messages(validate_label_selector(selector, at)) == [
        "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when "
        "`operator` is 'Exists' or 'DoesNotExist'"
    ]


def test_label_selector_shapes_operators_keys_and_values() -> None:
    at = path("spec", "selector")
    assert validate_label_selector(None, at) == []
    assert messages(validate_label_selector("x", at)) == [
        'spec.selector: Invalid value: "x": must be a label selector object'
    ]
    assert messages(validate_label_selector({"matchExpressions": "x"}, at)) == [
        'spec.selector.matchExpressions: Invalid value: "x": must be a list'
    ]
    selector = {
        "matchExpressions": [
            {"key": "a", "operator": "In"},
            {"key": "b", "operator": "NotIn", "values": []},
            {"key": "c", "operator": "Has", "values": ["x"]},
            {"operator": "Exists"},
            {"key": "bad key!", "operator": "In", "values": ["ok", 3]},
            "not an object",
        ],
        "matchLabels": {"k": 1, "good": "v"},
    }
    found = messages(validate_label_selector(selector, at))
    operators = 'supported values: "In", "NotIn", "Exists", "DoesNotExist"'
    needs_values = "Required value: must be specified when `operator` is 'In' or 'NotIn'"
    assert found[4].startswith('spec.selector.matchExpressions[4].key: Invalid value: "bad key!"')
    assert found[:4] + found[5:] == [
        f"spec.selector.matchExpressions[0].values: {needs_values}",
        f"spec.selector.matchExpressions[1].values: {needs_values}",
        f'spec.selector.matchExpressions[2].operator: Unsupported value: "Has": {operators}',
        "spec.selector.matchExpressions[3].key: Required value",
        "spec.selector.matchExpressions[4].values[1]: Invalid value: 3: must be a string",
        f"spec.selector.matchExpressions[5].operator: Unsupported value: null: {operators}",
        "spec.selector.matchExpressions[5].key: Required value",
        "spec.selector.matchLabels[k]: Invalid value: 1: must be a string",
    ]


def test_update_keeps_identity() -> None:
    old = {"name": "a", "namespace": "ns", "uid": "u1"}
    assert validate_object_meta_update({**old, "labels": {"x": "y"}}, old, META) == []
    assert messages(validate_object_meta_update({**old, "uid": "u2"}, old, META)) == [
        'metadata.uid: Invalid value: "u2": field is immutable'
    ]


def test_spec_update_names_the_mutable_fields() -> None:
    spec = path("spec")
    old = {"replicas": 1, "paused": None, "serviceName": "a", "selector": {}}
    new = {"replicas": 2, "serviceName": "b", "podManagementPolicy": "Parallel"}
    assert messages(
        validate_spec_update(new, old, spec, kind="widget", mutable=("replicas", "x", "y"))
    ) == [
        "spec.serviceName: Forbidden: updates to widget spec for fields other than "
        "'replicas', 'x' and 'y' are forbidden",
        "spec.podManagementPolicy: Forbidden: updates to widget spec for fields other than "
        "'replicas', 'x' and 'y' are forbidden",
    ]
    [one] = validate_spec_update({"a": 1}, {}, spec, kind="widget", mutable=("replicas",))
    assert one.detail == "updates to widget spec for fields other than 'replicas' are forbidden"
    [two] = validate_spec_update({"a": 1}, {}, spec, kind="widget", mutable=("x", "y"))
    assert two.detail == "updates to widget spec for fields other than 'x' and 'y' are forbidden"


def test_in_namespace_fills_only_a_missing_namespace() -> None:
    assert in_namespace({"metadata": {"name": "a"}}, "ns") == {
        "metadata": {"name": "a", "namespace": "ns"}
    }
    same = {"metadata": {"name": "a", "namespace": "other"}}
    assert in_namespace(same, "ns") is same
