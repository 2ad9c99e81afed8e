"""Field errors as Kubernetes reports them: a path, a type, the bad value and a detail.

An error prints the way apimachinery prints one, so users see the messages they know::

    spec.updateStrategy.partition: Invalid value: "120%": must be between 0% and 100%
    spec.selector: Required value
    spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "Never"

Values print as Go prints them there: strings quoted, numbers and booleans bare, ``null``
for a missing value, and objects or lists as compact JSON. A list of errors joins as
``[first, second]`` (one error prints alone), with repeats dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorType(StrEnum):
    """The reason of a field error, as it appears in a StatusCause."""

    NOT_FOUND = "FieldValueNotFound"
    REQUIRED = "FieldValueRequired"
    DUPLICATE = "FieldValueDuplicate"
    INVALID = "FieldValueInvalid"
    NOT_SUPPORTED = "FieldValueNotSupported"
    FORBIDDEN = "FieldValueForbidden"
    TOO_LONG = "FieldValueTooLong"

    @property
    def text(self) -> str:
        """The words Kubernetes prints for the type."""
        return _TYPE_TEXT[self]


_TYPE_TEXT = {
    ErrorType.NOT_FOUND: "Not found",
    ErrorType.REQUIRED: "Required value",
    ErrorType.DUPLICATE: "Duplicate value",
    ErrorType.INVALID: "Invalid value",
    ErrorType.NOT_SUPPORTED: "Unsupported value",
    ErrorType.FORBIDDEN: "Forbidden",
    ErrorType.TOO_LONG: "Too long",
}

# Types whose message leaves the value out.
_VALUELESS = frozenset({ErrorType.REQUIRED, ErrorType.FORBIDDEN, ErrorType.TOO_LONG})


class Path:
    """A field path such as ``spec.template.spec.containers[0].image``.

    Its text is built only when asked for (an error is reported): validating a valid
    object creates paths it never prints. Paths compare and hash by their text."""

    __slots__ = ("_bracket", "_names", "_parent", "_text")

    def __init__(self, text: str = "") -> None:
        self._parent: Path | None = None
        self._names: tuple[str, ...] = ()
        self._bracket: str | int | None = None  # an index or a key, printed in brackets
        self._text: str | None = text

    @classmethod
    def _under(cls, parent: Path, names: tuple[str, ...], bracket: str | int | None) -> Path:
        made = cls.__new__(cls)
        made._parent, made._names, made._bracket, made._text = parent, names, bracket, None
        return made

    @property
    def text(self) -> str:
        """The path as Kubernetes prints it."""
        text = self._text
        if text is None:
            assert self._parent is not None
            text = self._parent.text
            for name in self._names:
                text = f"{text}.{name}" if text else name
            if self._bracket is not None:
                text = f"{text}[{self._bracket}]"
            self._text = text
        return text

    def child(self, *names: str) -> Path:
        return Path._under(self, names, None)

    def index(self, i: int) -> Path:
        return Path._under(self, (), i)

    def key(self, key: str) -> Path:
        return Path._under(self, (), key)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Path({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Path) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)


def path(*names: str) -> Path:
    """A path from its first names: ``path("spec", "replicas")``."""
    return Path().child(*names)


_MISSING: Any = object()


@dataclass(frozen=True)
class FieldError:
    """One problem with one field."""

    type: ErrorType
    field: str
    value: Any = _MISSING
    detail: str = ""

    @property
    def body(self) -> str:
        """The message without the field: what a StatusCause carries."""
        text = self.type.text
        if self.type not in _VALUELESS:
            text += ": " + render_value(None if self.value is _MISSING else self.value)
        if self.detail:
            text += ": " + self.detail
        return text

    def __str__(self) -> str:
        return f"{self.field}: {self.body}" if self.field else self.body

    def cause(self) -> dict[str, str]:
        """The metav1.StatusCause of this error."""
        return {"reason": self.type.value, "message": self.body, "field": self.field}


ErrorList = list[FieldError]


def invalid(at: Path, value: Any, detail: str) -> FieldError:
    return FieldError(ErrorType.INVALID, str(at), value, detail)


def required(at: Path, detail: str = "") -> FieldError:
    return FieldError(ErrorType.REQUIRED, str(at), detail=detail)


def forbidden(at: Path, detail: str) -> FieldError:
    return FieldError(ErrorType.FORBIDDEN, str(at), detail=detail)


def duplicate(at: Path, value: Any) -> FieldError:
    return FieldError(ErrorType.DUPLICATE, str(at), value)


def not_found(at: Path, value: Any) -> FieldError:
    return FieldError(ErrorType.NOT_FOUND, str(at), value)


def not_supported(at: Path, value: Any, supported: Sequence[str]) -> FieldError:
    detail = "supported values: " + ", ".join(go_quote(v) for v in supported) if supported else ""
    return FieldError(ErrorType.NOT_SUPPORTED, str(at), value, detail)


def too_long(at: Path, value: Any, limit: int) -> FieldError:
    return FieldError(ErrorType.TOO_LONG, str(at), value, f"must have at most {limit} bytes")


def aggregate(errors: Iterable[FieldError]) -> str:
    """The errors as one message: ``a`` alone, or ``[a, b]``; repeats are dropped."""
    messages = list(dict.fromkeys(str(e) for e in errors))
    if len(messages) == 1:
        return messages[0]
    return "[" + ", ".join(messages) + "]"


def causes(errors: Iterable[FieldError]) -> tuple[dict[str, str], ...]:
    """One StatusCause per distinct error, in order."""
    seen: dict[str, dict[str, str]] = {}
    for error in errors:
        seen.setdefault(str(error), error.cause())
    return tuple(seen.values())


def render_value(value: Any) -> str:
    """A value as it appears after ``Invalid value:``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return go_quote(value)
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    except ValueError:  # a cycle: not JSON, so say what it is
        return type(value).__name__


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n"}
_ESCAPES |= {"\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """A double-quoted string with Go's escapes, as ``%q`` writes it."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char.isprintable() or char == " ":
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'
