"""Changing one field deep inside an object, by a path like ``spec.containers[0].image``."""

from __future__ import annotations

import copy
import re
from typing import Any

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

DELETE: Any = object()
"""Pass as the value to remove the field instead of setting it."""


def with_field(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``obj`` with the field at ``path`` (``a.b[0].c``) set to ``value``, or
    removed when ``value`` is ``DELETE``; missing objects on the way are created, and an
    index one past the end of a list appends."""
    out = copy.deepcopy(obj)
    keys: list[str | int] = [int(index) if index else name for name, index in _TOKEN.findall(path)]
    node: Any = out
    for key in keys[:-1]:
        if isinstance(key, str) and node.get(key) is None:
            node[key] = {}
        node = node[key]
    last = keys[-1]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list) and last == len(node):
        node.append(value)
    else:
        node[last] = value
    return out


def with_fields(obj: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``with_field`` for each path and value of ``changes``, in order."""
    for path, value in changes.items():
        obj = with_field(obj, path, value)
    return obj
