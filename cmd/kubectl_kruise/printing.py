"""Output as kubectl writes it: aligned tables, ``-o json`` (4-space indent),
``-o yaml`` and ``-o name``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

import yaml

OUTPUT_FORMATS = ("json", "yaml", "name")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Columns padded to the widest cell and three spaces apart, as kubectl's tabwriter;
    no trailing blanks."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("   ".join([*padded, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def as_list(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Several objects as kubectl prints them together: a ``v1`` ``List``."""
    return {"apiVersion": "v1", "kind": "List", "items": list(items), "metadata": {}}


def render(obj: Mapping[str, Any], output: str, name: str = "") -> str:
    """``obj`` in an ``-o`` format; ``name`` is its ``kind.group/name`` for ``-o name``."""
    if output == "json":
        return json.dumps(obj, indent=4) + "\n"
    if output == "yaml":
        return yaml.safe_dump(dict(obj), default_flow_style=False, sort_keys=False)
    if output == "name":
        return f"{name}\n"
    raise ValueError(f"unable to match a printer suitable for the output format {output!r}")


def emit(stream: TextIO, text: str) -> None:
    """Write and flush, so a waiting command's progress shows as it happens."""
    stream.write(text)
    stream.flush()
