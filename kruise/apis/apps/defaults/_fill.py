"""Filling defaults into untrusted JSON in place.

A field counts as unset when it is missing or null (and, for the fields Go types as plain
strings or numbers, when it holds their zero value). A field of the wrong type is left
alone: the API server's schema validation, which runs after mutating webhooks, rejects it
with a better message than defaulting could.
"""

from __future__ import annotations

from typing import Any


def member(parent: dict[str, Any], key: str) -> dict[str, Any] | None:
    """``parent[key]`` as an object, created when unset; None when it is something else."""
    value = parent.get(key)
    if value is None:
        value = parent[key] = {}
    return value if isinstance(value, dict) else None


def existing(parent: dict[str, Any], key: str) -> dict[str, Any] | None:
    """``parent[key]`` when it is an object; never created."""
    value = parent.get(key)
    return value if isinstance(value, dict) else None


def each(parent: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The objects in the list ``parent[key]`` (nothing when it is unset or not a list)."""
    value = parent.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def unset(parent: dict[str, Any], key: str) -> bool:
    """Missing or null."""
    return parent.get(key) is None


def zero(parent: dict[str, Any], key: str) -> bool:
    """Missing, null, or the zero value of a Go string or number."""
    value = parent.get(key)
    return value is None or value == "" or (value == 0 and not isinstance(value, bool))


def fill(parent: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` when it is missing or null."""
    if parent.get(key) is None:
        parent[key] = value


def fill_zero(parent: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` when it is missing, null, "" or 0 (a plain Go string or number)."""
    if zero(parent, key):
        parent[key] = value
