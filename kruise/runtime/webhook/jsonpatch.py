"""RFC 6902 JSON patches: a diff between two JSON documents, and an applier.

``diff`` walks both documents together: object members are added, removed or replaced
one by one (recursing into members present on both sides); arrays keep their common
head and tail, are compared element by element in between, and are replaced whole when
that is shorter. Values compare by JSON type, so ``1``, ``1.0`` and ``true`` differ.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

Operation = dict[str, Any]


class JsonPatchError(ValueError):
    """A patch that does not apply to the document."""


def escape(token: str) -> str:
    """One RFC 6901 reference token: ``~`` becomes ``~0``, ``/`` becomes ``~1``."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The inverse of ``escape``."""
    return token.replace("~1", "/").replace("~0", "~")


def same(a: Any, b: Any) -> bool:
    """JSON equality: like ``==``, but a bool never equals a number, nor an int a float."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def diff(original: Any, mutated: Any) -> list[Operation]:
    """Operations that turn ``original`` into ``mutated``; empty when they are the same."""
    ops: list[Operation] = []
    _diff(original, mutated, "", ops)
    return ops


def _diff(a: Any, b: Any, path: str, ops: list[Operation]) -> None:
    if same(a, b):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        _diff_objects(a, b, path, ops)
    elif isinstance(a, list) and isinstance(b, list):
        _diff_arrays(a, b, path, ops)
    else:
        ops.append({"op": "replace", "path": path, "value": copy.deepcopy(b)})


def _diff_objects(a: dict[str, Any], b: dict[str, Any], path: str, ops: list[Operation]) -> None:
    for key in a:
        if key not in b:
            ops.append({"op": "remove", "path": f"{path}/{escape(key)}"})
    for key, value in b.items():
        if key in a:
            _diff(a[key], value, f"{path}/{escape(key)}", ops)
        else:
            ops.append(
                {"op": "add", "path": f"{path}/{escape(key)}", "value": copy.deepcopy(value)}
            )


def _diff_arrays(a: list[Any], b: list[Any], path: str, ops: list[Operation]) -> None:
    shortest = min(len(a), len(b))
    head = 0
    while head < shortest and same(a[head], b[head]):
        head += 1
    tail = 0
    while tail < shortest - head and same(a[-1 - tail], b[-1 - tail]):
        tail += 1
    old, new = a[head : len(a) - tail], b[head : len(b) - tail]
    common = min(len(old), len(new))
    steps: list[Operation] = []
    for i in range(common):
        _diff(old[i], new[i], f"{path}/{head + i}", steps)
    # Removals go from the highest index down so the earlier indexes stay valid.
    for i in reversed(range(common, len(old))):
        steps.append({"op": "remove", "path": f"{path}/{head + i}"})
    for i in range(common, len(new)):
        steps.append({"op": "add", "path": f"{path}/{head + i}", "value": copy.deepcopy(new[i])})
    whole: Operation = {"op": "replace", "path": path, "value": copy.deepcopy(b)}
    if len(steps) > 1 and _size(steps) > _size([whole]):
        ops.append(whole)
    else:
        ops.extend(steps)


def _size(ops: list[Operation]) -> int:
    return len(json.dumps(ops, separators=(",", ":")))


def apply(document: Any, patch: list[Operation]) -> Any:
    """A patched copy of ``document``; the input is left untouched. Raises JsonPatchError."""
    doc = copy.deepcopy(document)
    for op in patch:
        doc = _apply_one(doc, op)
    return doc


def _tokens(pointer: Any) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise JsonPatchError(f"invalid JSON pointer {pointer!r}")
    return [unescape(t) for t in pointer.split("/")[1:]] if pointer else []


def _index(container: list[Any], token: str, *, for_add: bool) -> int:
    limit = len(container) if for_add else len(container) - 1
    if for_add and token == "-":
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")) or int(token) > limit:
        raise JsonPatchError(f"array index {token!r} out of range")
    return int(token)


def _resolve(doc: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(doc, dict):
            if token not in doc:
                raise JsonPatchError(f"member {token!r} not found")
            doc = doc[token]
        elif isinstance(doc, list):
            doc = doc[_index(doc, token, for_add=False)]
        else:
            raise JsonPatchError(f"cannot descend into {type(doc).__name__} at {token!r}")
    return doc


def _add(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent = _resolve(doc, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, for_add=True), value)
    else:
        raise JsonPatchError(f"cannot add {last!r} to a {type(parent).__name__}")
    return doc


def _remove(doc: Any, tokens: list[str]) -> tuple[Any, Any]:
    if not tokens:
        raise JsonPatchError("cannot remove the whole document")
    parent = _resolve(doc, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise JsonPatchError(f"member {last!r} not found")
        return doc, parent.pop(last)
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, last, for_add=False))
    raise JsonPatchError(f"cannot remove {last!r} from a {type(parent).__name__}")


def _apply_one(doc: Any, op: Any) -> Any:
    if not isinstance(op, dict):
        raise JsonPatchError("an operation must be an object")
    name = op.get("op")
    tokens = _tokens(op.get("path"))
    if name in _NEEDS_VALUE and "value" not in op:
        raise JsonPatchError(f"{name} needs a value")
    applier = _APPLIERS.get(name) if isinstance(name, str) else None
    if applier is None:
        raise JsonPatchError(f"unknown operation {name!r}")
    return applier(doc, tokens, op)


def _apply_add(doc: Any, tokens: list[str], op: Operation) -> Any:
    return _add(doc, tokens, copy.deepcopy(op["value"]))


def _apply_remove(doc: Any, tokens: list[str], op: Operation) -> Any:
    return _remove(doc, tokens)[0]


def _apply_replace(doc: Any, tokens: list[str], op: Operation) -> Any:
    _resolve(doc, tokens)  # the target must exist
    if not tokens:
        return copy.deepcopy(op["value"])
    doc, _ = _remove(doc, tokens)
    return _add(doc, tokens, copy.deepcopy(op["value"]))


def _apply_test(doc: Any, tokens: list[str], op: Operation) -> Any:
    if not same(_resolve(doc, tokens), op["value"]):
        raise JsonPatchError(f"test failed at {op['path']!r}")
    return doc


def _apply_move(doc: Any, tokens: list[str], op: Operation) -> Any:
    source = _tokens(op.get("from"))
    if tokens[: len(source)] == source and len(tokens) > len(source):
        raise JsonPatchError("cannot move a value into itself")
    doc, value = _remove(doc, source)
    return _add(doc, tokens, value)


def _apply_copy(doc: Any, tokens: list[str], op: Operation) -> Any:
    value = copy.deepcopy(_resolve(doc, _tokens(op.get("from"))))
    return _add(doc, tokens, value)


_NEEDS_VALUE = frozenset({"add", "replace", "test"})
_APPLIERS: dict[str, Callable[[Any, list[str], Operation], Any]] = {
    "add": _apply_add,
    "remove": _apply_remove,
    "replace": _apply_replace,
    "test": _apply_test,
    "move": _apply_move,
    "copy": _apply_copy,
}
