"""TypedDict annotations to OpenAPI schemas: each mapping rule, and clear failures."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, Required, TypedDict

import pytest

from kruise.apis.apps.intstr import IntOrString
from kruise.apis.apps.schema import (
    Doc,
    Int32,
    Int64,
    Minimum,
    PreserveUnknownFields,
    SchemaError,
    Time,
    object_schema,
    openapi_schema,
)


class Inner(TypedDict, total=False):
    """An inner object."""

    name: Required[str]
    count: Int32


class Undocumented(TypedDict, total=False):
    flag: bool


class Opaque(TypedDict, total=False):
    spec: dict[str, Any]


OpaqueAlias = Annotated[Opaque, PreserveUnknownFields(), Doc("From the alias.")]


class Outer(TypedDict, total=False):
    inner: Inner
    documented: Annotated[Inner, Doc("From the field.")]
    undocumented: Undocumented
    opaque: OpaqueAlias
    opaque_field_doc: Annotated[OpaqueAlias, Doc("The field wins.")]
    items: list[Inner]
    labels: dict[str, str]
    mode: Literal["A", "B"]
    amount: IntOrString
    big: Annotated[Int64, Minimum(0)]
    when: Time


class AllRequired(TypedDict):
    a: str
    b: int


def _properties() -> dict[str, Any]:
    return dict(object_schema(Outer)["properties"])


def test_scalars_formats_and_minimum() -> None:
    assert openapi_schema(str) == {"type": "string"}
    assert openapi_schema(bool) == {"type": "boolean"}
    assert openapi_schema(int) == {"type": "integer"}
    assert openapi_schema(Int32) == {"type": "integer", "format": "int32"}
    props = _properties()
    assert props["big"] == {"type": "integer", "format": "int64", "minimum": 0}
    assert props["when"] == {"type": "string", "format": "date-time"}


def test_int_or_string_and_literal_enum() -> None:
    props = _properties()
    assert props["amount"] == {
        "anyOf": [{"type": "integer"}, {"type": "string"}],
        "x-kubernetes-int-or-string": True,
    }
    assert props["mode"] == {"type": "string", "enum": ["A", "B"]}


def test_objects_lists_and_maps() -> None:
    props = _properties()
    assert props["inner"] == {
        "description": "An inner object.",
        "type": "object",
        "properties": {
            "count": {"type": "integer", "format": "int32"},
            "name": {"type": "string"},
        },
        "required": ["name"],
    }
    assert props["items"]["type"] == "array"
    assert props["items"]["items"]["required"] == ["name"]
    assert props["labels"] == {"type": "object", "additionalProperties": {"type": "string"}}
    assert object_schema(AllRequired)["required"] == ["a", "b"]
    assert "required" not in props["undocumented"]


def test_descriptions_prefer_the_field_then_the_alias_then_the_class() -> None:
    props = _properties()
    assert props["documented"]["description"] == "From the field."
    assert props["opaque"]["description"] == "From the alias."
    assert props["opaque_field_doc"]["description"] == "The field wins."
    # A TypedDict without a docstring must not inherit dict's.
    assert "description" not in props["undocumented"]


def test_preserve_unknown_fields_does_not_look_inside() -> None:
    assert _properties()["opaque"] == {
        "description": "From the alias.",
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": True,
    }


def test_overrides_replace_named_properties() -> None:
    schema = object_schema(Inner, {"name": {"type": "object"}})
    assert schema["properties"]["name"] == {"type": "object"}


class Loose(TypedDict, total=False):
    anything: dict[str, Any]


class Floaty(TypedDict, total=False):
    ratio: float


class Mixed(TypedDict, total=False):
    either: int | bool


class IntKeys(TypedDict, total=False):
    by_number: dict[int, str]


@pytest.mark.parametrize(
    ("typed_dict", "message"),
    [
        (Loose, r"Loose\.anything: no OpenAPI schema for typing\.Any"),
        (Floaty, r"Floaty\.ratio: no OpenAPI schema for <class 'float'>"),
        (Mixed, r"Mixed\.either: the only supported union is int \| str"),
        (IntKeys, r"IntKeys\.by_number: object keys must be str"),
    ],
)
def test_types_without_a_schema_fail_naming_the_field(typed_dict: type, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        object_schema(typed_dict)


def test_integer_literals_are_refused() -> None:
    with pytest.raises(SchemaError, match="only string literals"):
        openapi_schema(Literal[1, 2])


class Qualified(TypedDict):
    always: str
    sometimes: NotRequired[str]


def test_required_and_not_required_qualifiers_hold_under_string_annotations() -> None:
    # This module uses `from __future__ import annotations`, where Python 3.11's
    # __required_keys__ misses Required[...] (see Inner.name above).
    assert object_schema(Qualified)["required"] == ["always"]
