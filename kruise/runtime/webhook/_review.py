"""What admission and conversion reviews share: strict decoding (every wrong type is a
one-line ReviewError), compact encoding, and error text."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import orjson

from kruise.runtime import jsoncodec

T = TypeVar("T")

# Dataclasses and datetimes are not JSON to the standard library either.
_STRICT = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME

_JSON_NAMES: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
}


class ReviewError(ValueError):
    """A request body that is not a well-formed review; answered with HTTP 400."""


def short(value: Any, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters: client data never makes a long log line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _reject_constant(name: str) -> Any:
    raise ReviewError(f"invalid JSON: {name} is not a number")


MAX_DEPTH = 100
"""Deepest nesting of objects and arrays a review may have. Handlers walk objects
recursively, and Python's stack (about 1,000 frames) ends long before the API server's
limit (10,000 levels) does; a real object, envelope included, is under 30 levels deep."""

_CONTAINERS = (dict, list)
# One pass over the body: digits become "0", "{" and "[" become "[", anything else " ".
# A run of 19 zeros is a number orjson might not hold exactly (it reads integers beyond
# 64 bits as floats); nesting needs as many openers as levels.
_SHAPE = bytes(
    0x30 if 0x30 <= b <= 0x39 else 0x5B if b in (0x5B, 0x7B) else 0x20 for b in range(256)
)
_LONG_NUMBER = b"0" * 19


def _check_depth(value: Any) -> None:
    # Level by level, iteratively: the check itself must not be what runs out of stack.
    level, depth = [value], 1
    while level:
        deeper: list[Any] = []
        for node in level:
            children = node.values() if node.__class__ is dict else node
            deeper += [c for c in children if c.__class__ in _CONTAINERS]
        if deeper and depth >= MAX_DEPTH:
            raise ReviewError(f"invalid JSON: nested deeper than {MAX_DEPTH} levels")
        level, depth = deeper, depth + 1


def parse_json(body: bytes) -> Any:
    """JSON as the API server writes it; NaN, Infinity, bad UTF-8 and nesting deeper than
    ``MAX_DEPTH`` are rejected.

    orjson reads what it can read exactly; anything else (an error to report, a number
    beyond 64 bits, an infinite float, a lone surrogate escape) goes through the standard
    library, so values and messages are the standard library's."""
    shape = body.translate(_SHAPE)
    if _LONG_NUMBER in shape:
        value = _parse_stdlib(body)
    else:
        try:
            value = jsoncodec.loads(body)
        except jsoncodec.JSONDecodeError:
            value = _parse_stdlib(body)
    # Most reviews have too few openers to be too deep.
    if shape.count(b"[") >= MAX_DEPTH and value.__class__ in _CONTAINERS:
        _check_depth(value)
    return value


def _parse_stdlib(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as err:
        raise ReviewError(f"body is not UTF-8: {err.reason} at byte {err.start}") from None
    except json.JSONDecodeError as err:
        raise ReviewError(
            f"invalid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except RecursionError:
        raise ReviewError(f"invalid JSON: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as err:  # e.g. an integer with too many digits
        raise ReviewError(f"invalid JSON: {str(err).splitlines()[0]}") from None


def describe(value: Any) -> str:
    """The JSON type of ``value``, for messages."""
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return _JSON_NAMES.get(type(value), type(value).__name__)


def _check(value: Any, kind: type[T], where: str) -> T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = _JSON_NAMES.get(kind, kind.__name__)
        raise ReviewError(f"{where} must be {expected}, got {describe(value)}")
    return value


def required(container: dict[str, Any], key: str, kind: type[T], where: str) -> T:
    """``container[key]``, which must be present, not null, and of type ``kind``."""
    value = container.get(key)
    if value is None:
        raise ReviewError(f"{where}{key} is required")
    return _check(value, kind, where + key)


def optional(container: dict[str, Any], key: str, kind: type[T], where: str) -> T | None:
    """``container[key]`` of type ``kind``, or None when absent or null."""
    value = container.get(key)
    return None if value is None else _check(value, kind, where + key)


def string_map(container: dict[str, Any], key: str, where: str) -> dict[str, str]:
    """An object whose values are all strings; absent or null reads as empty."""
    value = optional(container, key, dict, where) or {}
    for name, item in value.items():
        _check(item, str, f"{where}{key}[{short(name)}]")
    return value


def review_envelope(body: Any, kind: str, versions: frozenset[str]) -> tuple[str, dict[str, Any]]:
    """The apiVersion and the ``request`` object of a ``kind`` review."""
    review = _check(body, dict, kind)
    api_version = required(review, "apiVersion", str, "")
    if api_version not in versions:
        known = ", ".join(sorted(versions))
        raise ReviewError(
            f"unsupported apiVersion {short(api_version)} for {kind}; expected {known}"
        )
    if review.get("kind") != kind:
        raise ReviewError(f"kind must be {kind}, got {short(review.get('kind'))}")
    return api_version, required(review, "request", dict, "")


def dump(review: dict[str, Any]) -> bytes:
    """Compact JSON; raises for values JSON cannot hold (NaN, sets, objects)."""
    try:
        out = orjson.dumps(review, option=_STRICT)
    except TypeError:  # a number beyond 64 bits, a key that is not a string, a lone surrogate
        out = b""
    # orjson writes NaN and infinities as null: the standard library judges those.
    if not out or b"null" in out:
        out = json.dumps(review, separators=(",", ":"), allow_nan=False).encode()
    return out


def error_text(err: BaseException) -> str:
    """``Type: message`` for an exception, even one whose ``__str__`` fails."""
    try:
        detail = str(err)
    except Exception:
        detail = ""
    return f"{type(err).__name__}: {detail}" if detail else type(err).__name__
