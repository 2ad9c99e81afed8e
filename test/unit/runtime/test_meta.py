"""kruise.runtime.meta: metadata read from plain-dict objects, missing reads as empty."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.runtime.meta import (
    is_being_deleted,
    labels_of,
    metadata,
    name_of,
    namespace_of,
    owner_references_of,
    resource_version_of,
    uid_of,
)

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "web-0",
        "namespace": "prod",
        "uid": "u-1",
        "resourceVersion": "42",
        "labels": {"app": "web"},
        "ownerReferences": [{"kind": "CloneSet", "name": "web", "uid": "o-1"}],
        "deletionTimestamp": "2024-01-01T00:00:00Z",
    },
}


def test_reads_the_fields_of_a_full_object() -> None:
    assert metadata(POD) is POD["metadata"]  # the object's own data, not a copy
    assert name_of(POD) == "web-0"
    assert namespace_of(POD) == "prod"
    assert uid_of(POD) == "u-1"
    assert resource_version_of(POD) == "42"
    assert labels_of(POD) is POD["metadata"]["labels"]
    assert owner_references_of(POD) == [{"kind": "CloneSet", "name": "web", "uid": "o-1"}]
    assert is_being_deleted(POD)


@pytest.mark.parametrize(
    "obj",
    [
        None,
        {},
        {"metadata": None},
        {"metadata": {}},
        {
            "metadata": {
                "name": None,
                "namespace": None,
                "uid": None,
                "resourceVersion": None,
                "labels": None,
                "ownerReferences": None,
                "deletionTimestamp": None,
            }
        },
    ],
    ids=["no object", "no metadata", "null metadata", "empty metadata", "null fields"],
)
def test_missing_or_null_reads_as_empty(obj: dict[str, Any] | None) -> None:
    assert dict(metadata(obj)) == ((obj or {}).get("metadata") or {})
    assert name_of(obj) == ""
    assert namespace_of(obj) == ""
    assert uid_of(obj) == ""
    assert resource_version_of(obj) == ""
    assert labels_of(obj) == {}
    assert list(owner_references_of(obj)) == []
    assert not is_being_deleted(obj)


def test_values_are_returned_as_strings() -> None:
    obj = {"metadata": {"resourceVersion": 7, "name": "x"}}
    assert resource_version_of(obj) == "7"
    assert name_of(obj) == "x"
