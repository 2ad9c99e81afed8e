"""OpenAPI v3 schemas derived from the TypedDicts that describe our API objects.

The TypedDicts are the single source: mypy reads them as types, and ``openapi_schema``
reads the same annotations to build the structural schemas the CRDs carry. Field facts
that Python's type system cannot say travel as ``typing.Annotated`` markers::

    minReadySeconds: Annotated[Int32, Minimum(0), Doc("Seconds a pod must be ready.")]

How Python types map to schema types:

- ``str``, ``bool``, ``int`` -> string, boolean, integer (``Int32``/``Int64``/``Time`` add
  a format); a ``Literal`` of strings -> a string ``enum``.
- ``int | str`` -> ``x-kubernetes-int-or-string``.
- ``list[X]`` -> array of X; ``dict[str, X]`` -> object whose values are X.
- a TypedDict -> object with one property per key; keys marked ``Required`` (or every key
  of a total TypedDict) are listed as required. Its docstring is its description unless
  the field carries its own ``Doc``.
- ``PreserveUnknownFields()`` -> an object the API server keeps as sent, without looking
  inside (pod templates, claim templates, embedded metadata).

Anything else raises ``SchemaError``, so a type the generator cannot express is caught
when the CRDs are generated rather than silently emitted as something looser.

Required keys are read from the annotations themselves as well as from
``__required_keys__``, which Python 3.11 computes wrongly when ``Required`` sits inside a
string annotation (``from __future__ import annotations``).
"""

from __future__ import annotations

import inspect
import types
from dataclasses import dataclass
from typing import (
    Annotated,
    Any,
    Literal,
    NotRequired,
    Required,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

Schema = dict[str, Any]


class SchemaError(TypeError):
    """A type annotation has no OpenAPI equivalent here."""


@dataclass(frozen=True)
class Doc:
    """The field's description, shown by ``kubectl explain``."""

    text: str


@dataclass(frozen=True)
class Format:
    """An OpenAPI ``format`` such as int32 or date-time."""

    name: str


@dataclass(frozen=True)
class Minimum:
    """The smallest value the API server accepts."""

    value: int


@dataclass(frozen=True)
class PreserveUnknownFields:
    """An object stored as sent; the webhooks, not the schema, validate what is inside."""


Int32 = Annotated[int, Format("int32")]
Int64 = Annotated[int, Format("int64")]
# An RFC 3339 timestamp, as metav1.Time serialises.
Time = Annotated[str, Format("date-time")]


def openapi_schema(annotation: Any) -> Schema:
    """The schema for one annotation (a field's type, or a TypedDict class)."""
    base, markers = _split_annotated(annotation)
    if any(isinstance(m, PreserveUnknownFields) for m in markers):
        schema: Schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    else:
        schema = _base_schema(base)
    for marker in markers:
        if isinstance(marker, Format):
            schema["format"] = marker.name
        elif isinstance(marker, Minimum):
            schema["minimum"] = marker.value
    description = next((m.text for m in reversed(markers) if isinstance(m, Doc)), None)
    if description is None and is_typeddict(base):
        description = own_docstring(base)
    if description:
        schema = {"description": description, **schema}
    return schema


def own_docstring(cls: type) -> str | None:
    """The class's own docstring, cleaned; never one inherited from ``dict``."""
    doc = cls.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if doc else None


def object_schema(typed_dict: type, overrides: dict[str, Schema] | None = None) -> Schema:
    """The object schema of a TypedDict; ``overrides`` replaces named properties."""
    hints = get_type_hints(typed_dict, include_extras=True)
    declared: frozenset[str] = getattr(typed_dict, "__required_keys__", frozenset())
    required = [name for name in sorted(hints) if _is_required(name, hints[name], declared)]
    properties: Schema = {}
    for name in sorted(hints):
        if overrides and name in overrides:
            properties[name] = overrides[name]
        else:
            try:
                properties[name] = openapi_schema(_strip_required(hints[name]))
            except SchemaError as err:
                raise SchemaError(f"{typed_dict.__name__}.{name}: {err}") from None
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _split_annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    annotation = _strip_required(annotation)
    if get_origin(annotation) is Annotated:
        base, *markers = get_args(annotation)
        return base, tuple(markers)
    return annotation, ()


def _is_required(name: str, annotation: Any, declared: frozenset[str]) -> bool:
    qualifier = get_origin(annotation)
    if qualifier is Required:
        return True
    return qualifier is not NotRequired and name in declared


def _strip_required(annotation: Any) -> Any:
    while get_origin(annotation) in (Required, NotRequired):
        annotation = get_args(annotation)[0]
    return annotation


# Compared by identity: ``bool`` is a subclass of ``int`` but a different schema type.
_SCALAR_TYPES = ((bool, "boolean"), (int, "integer"), (str, "string"))


def _base_schema(base: Any) -> Schema:
    for python_type, schema_type in _SCALAR_TYPES:
        if base is python_type:
            return {"type": schema_type}
    if is_typeddict(base):
        return object_schema(base)
    origin = get_origin(base)
    if origin is Literal:
        return _enum_schema(base)
    if origin in (Union, types.UnionType):
        return _union_schema(base)
    if origin is list:
        (item,) = get_args(base)
        return {"type": "array", "items": openapi_schema(item)}
    if origin is dict:
        return _map_schema(base)
    raise SchemaError(f"no OpenAPI schema for {base!r}")


def _enum_schema(literal: Any) -> Schema:
    values = get_args(literal)
    if not all(isinstance(v, str) for v in values):
        raise SchemaError(f"only string literals are supported, got {literal!r}")
    return {"type": "string", "enum": list(values)}


def _union_schema(union: Any) -> Schema:
    if set(get_args(union)) == {int, str}:
        return {
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "x-kubernetes-int-or-string": True,
        }
    raise SchemaError(f"the only supported union is int | str, got {union!r}")


def _map_schema(mapping: Any) -> Schema:
    key, value = get_args(mapping)
    if key is not str:
        raise SchemaError(f"object keys must be str, got {mapping!r}")
    return {"type": "object", "additionalProperties": openapi_schema(value)}
