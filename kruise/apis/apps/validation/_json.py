"""Careful reads of untrusted JSON: the validators never assume a field has its type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard


def is_int(value: object) -> TypeGuard[int]:
    """A JSON integer (``true`` is not one, though Python's bool is an int)."""
    return value.__class__ is int or (isinstance(value, int) and not isinstance(value, bool))


def obj(value: object) -> Mapping[str, Any]:
    """``value`` if it is an object, else an empty one."""
    if value.__class__ is dict:  # decoded JSON: skip the slower ABC check
        return value
    return value if isinstance(value, Mapping) else {}


def items(value: object) -> list[Any]:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def string(value: object) -> str:
    """``value`` if it is a string, else the empty string."""
    return value if isinstance(value, str) else ""


def is_empty(value: object) -> bool:
    """Missing, null, and empty lists, objects and strings all mean "not set"."""
    return value is None or (isinstance(value, list | dict | str) and not value)


def semantic_equal(a: object, b: object) -> bool:
    """Equality as apimachinery's semantic DeepEqual sees decoded objects: a missing
    member, null, and an empty list or object are the same; so are 1 and 1.0."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        keys = {k for k, v in a.items() if not is_empty(v)} | {
            k for k, v in b.items() if not is_empty(v)
        }
        return all(semantic_equal(a.get(k), b.get(k)) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(semantic_equal(x, y) for x, y in zip(a, b, strict=True))
    if is_empty(a) and is_empty(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b
