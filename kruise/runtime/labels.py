"""Kubernetes label selectors: parse the string and the LabelSelector forms, match labels.

String form, as ``kubectl -l`` and the API's ``labelSelector`` parameter take it::

    a=b,c!=d,e in (x,y),f notin (z),g,!h,n>5

``=``/``==``, ``!=``, ``in``, ``notin``, exists (a bare key), does-not-exist (``!key``),
and the numeric ``>``/``<``. ``!=`` and ``notin`` also match objects without the label.
The dict form is metav1.LabelSelector (``matchLabels`` plus ``matchExpressions`` with
In, NotIn, Exists and DoesNotExist). An empty selector matches everything; a selector
that is ``None`` in an API object matches nothing (``NOTHING``), as in apimachinery.
Malformed selectors raise ``ValueError`` naming the problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_TOKEN = re.compile(r"\s*(?:(==|!=|=|!|,|\(|\)|<|>)|([^\s!=,()<>]+))")


class Operator(StrEnum):
    """How a requirement compares a label with its values."""

    EQUALS = "="
    NOT_EQUALS = "!="
    IN = "in"
    NOT_IN = "notin"
    EXISTS = "exists"
    DOES_NOT_EXIST = "!"
    GREATER_THAN = "gt"
    LESS_THAN = "lt"


def validate_key(key: str) -> None:
    """A qualified name: an optional DNS-subdomain prefix and ``/``, then a 63-char name."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        raise ValueError(f"invalid label key {key!r}: prefix must be a DNS subdomain")
    if len(name) > 63 or not _NAME.match(name):
        raise ValueError(
            f"invalid label key {key!r}: name must be 63 characters or less, alphanumeric, "
            "'-', '_' or '.', starting and ending with an alphanumeric character"
        )


def validate_value(value: str) -> None:
    """A label value: empty, or up to 63 characters like a key's name part."""
    if value and (len(value) > 63 or not _NAME.match(value)):
        raise ValueError(
            f"invalid label value {value!r}: must be 63 characters or less, alphanumeric, "
            "'-', '_' or '.', starting and ending with an alphanumeric character"
        )


@dataclass(frozen=True)
class Requirement:
    """One condition on one label key; validated on construction (``ValueError`` if malformed)."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        validate_key(self.key)
        op = self.operator
        if op in (Operator.EXISTS, Operator.DOES_NOT_EXIST):
            if self.values:
                raise ValueError(f"{self.key}: values must be empty for exists/does-not-exist")
            return
        if op in (Operator.IN, Operator.NOT_IN):
            if not self.values:
                raise ValueError(f"{self.key}: values must be non-empty for 'in' and 'notin'")
            # A set, as in apimachinery: sorted and unique, so equal sets compare equal.
            object.__setattr__(self, "values", tuple(sorted(set(self.values))))
        elif len(self.values) != 1:
            raise ValueError(f"{self.key}: exactly one value is required for {op.value!r}")
        if op in (Operator.GREATER_THAN, Operator.LESS_THAN):
            if not re.fullmatch(r"-?\d+", self.values[0]):
                raise ValueError(f"{self.key}: {self.values[0]!r} is not an integer")
            return
        for value in self.values:
            validate_value(value)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy the condition."""
        op = self.operator
        present = self.key in labels
        if op is Operator.EXISTS:
            return present
        if op is Operator.DOES_NOT_EXIST:
            return not present
        if op in (Operator.EQUALS, Operator.IN):
            return present and labels[self.key] in self.values
        if op in (Operator.NOT_EQUALS, Operator.NOT_IN):
            return not present or labels[self.key] not in self.values
        if not present or not re.fullmatch(r"-?\d+", labels[self.key]):
            return False
        have, want = int(labels[self.key]), int(self.values[0])
        return have > want if op is Operator.GREATER_THAN else have < want

    def __str__(self) -> str:
        op, key = self.operator, self.key
        if op is Operator.EXISTS:
            return key
        if op is Operator.DOES_NOT_EXIST:
            return f"!{key}"
        if op in (Operator.IN, Operator.NOT_IN):
            return f"{key} {op.value} ({','.join(self.values)})"
        symbol = {Operator.GREATER_THAN: ">", Operator.LESS_THAN: "<"}.get(op, op.value)
        return f"{key}{symbol}{self.values[0]}"


@dataclass(frozen=True)
class Selector:
    """Requirements that must all hold; no requirements match everything."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    @property
    def empty(self) -> bool:
        """True when the selector matches every object."""
        return not self.requirements and not self.nothing

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether ``labels`` (None: no labels) satisfy every requirement."""
        if self.nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def matches_object(self, obj: Mapping[str, Any]) -> bool:
        """Match a Kubernetes object by its ``metadata.labels``."""
        return self.matches((obj.get("metadata") or {}).get("labels"))

    def __str__(self) -> str:
        """The canonical string form, sorted by key, as sent to the API server."""
        return ",".join(str(r) for r in sorted(self.requirements, key=lambda r: r.key))


EVERYTHING = Selector()
NOTHING = Selector(nothing=True)


def parse(text: str) -> Selector:
    """Parse the string form; an empty or blank string matches everything."""
    try:
        return Selector(tuple(_parse_requirements(_tokenize(text))))
    except ValueError as err:
        raise ValueError(f"invalid selector {text!r}: {err}") from None


def from_set(labels: Mapping[str, str]) -> Selector:
    """A selector requiring every given label to have exactly its value."""
    return Selector(tuple(Requirement(k, Operator.EQUALS, (v,)) for k, v in labels.items()))


_DICT_OPERATORS = {
    "In": Operator.IN,
    "NotIn": Operator.NOT_IN,
    "Exists": Operator.EXISTS,
    "DoesNotExist": Operator.DOES_NOT_EXIST,
}


def from_label_selector(selector: Mapping[str, Any] | None) -> Selector:
    """metav1.LabelSelector to a Selector: ``None`` matches nothing, ``{}`` everything."""
    if selector is None:
        return NOTHING
    try:
        requirements = [
            Requirement(str(k), Operator.EQUALS, (str(v),))
            for k, v in (selector.get("matchLabels") or {}).items()
        ]
        for expr in selector.get("matchExpressions") or []:
            op = _DICT_OPERATORS.get(expr.get("operator", ""))
            if op is None:
                raise ValueError(f"{expr.get('operator')!r} is not a valid operator")
            values = tuple(str(v) for v in expr.get("values") or ())
            requirements.append(Requirement(str(expr.get("key", "")), op, values))
    except ValueError as err:
        raise ValueError(f"invalid label selector: {err}") from None
    return Selector(tuple(requirements))


def as_selector(selector: Selector | str | Mapping[str, Any] | None) -> Selector:
    """Accept a Selector, the string form, or the dict form; ``None`` is everything here."""
    if selector is None:
        return EVERYTHING
    if isinstance(selector, Selector):
        return selector
    if isinstance(selector, str):
        return parse(selector)
    return from_label_selector(selector)


# ---- the string parser ---------------------------------------------------------------

# (text, is_operator): an operator token, or an identifier (key, value or in/notin).
_Token = tuple[str, bool]


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    stripped_end = len(text.rstrip())
    while pos < stripped_end:
        match = _TOKEN.match(text, pos)
        if match is None:  # pragma: no cover - the pattern accepts any non-blank character
            raise ValueError(f"unexpected character at offset {pos}")
        op, ident = match.groups()
        tokens.append((op, True) if op else (ident, False))
        pos = match.end()
    return tokens


def _parse_requirements(tokens: list[_Token]) -> list[Requirement]:
    requirements: list[Requirement] = []
    pos = 0
    while pos < len(tokens):
        requirement, pos = _parse_requirement(tokens, pos)
        requirements.append(requirement)
        if pos < len(tokens):
            if tokens[pos] != (",", True):
                raise ValueError(f"expected ',' near {tokens[pos][0]!r}")
            pos += 1
            if pos == len(tokens):
                raise ValueError("trailing ','")
    return requirements


def _parse_requirement(tokens: list[_Token], pos: int) -> tuple[Requirement, int]:
    negated = tokens[pos] == ("!", True)
    if negated:
        pos += 1
    if pos >= len(tokens) or tokens[pos][1]:
        raise ValueError("expected a label key")
    key = tokens[pos][0]
    pos += 1
    at_end = pos >= len(tokens) or tokens[pos] == (",", True)
    if negated:
        if not at_end:
            raise ValueError(f"unexpected {tokens[pos][0]!r} after '!{key}'")
        return Requirement(key, Operator.DOES_NOT_EXIST), pos
    if at_end:
        return Requirement(key, Operator.EXISTS), pos
    word, is_op = tokens[pos]
    pos += 1
    if not is_op and word in ("in", "notin"):
        values, pos = _parse_values(tokens, pos)
        return Requirement(key, Operator(word), values), pos
    ops = {
        "=": Operator.EQUALS,
        "==": Operator.EQUALS,
        "!=": Operator.NOT_EQUALS,
        ">": Operator.GREATER_THAN,
        "<": Operator.LESS_THAN,
    }
    if not is_op or word not in ops:
        raise ValueError(f"expected an operator after {key!r}, found {word!r}")
    value = ""
    if pos < len(tokens) and not tokens[pos][1]:
        value = tokens[pos][0]
        pos += 1
    return Requirement(key, ops[word], (value,)), pos


def _parse_values(tokens: list[_Token], pos: int) -> tuple[tuple[str, ...], int]:
    if pos >= len(tokens) or tokens[pos] != ("(", True):
        raise ValueError("expected '(' after 'in' or 'notin'")
    pos += 1
    values: list[str] = []
    expect_value = True
    while True:
        if pos >= len(tokens):
            raise ValueError("missing ')'")
        word, is_op = tokens[pos]
        pos += 1
        if word == ")" and is_op:
            if expect_value and values:
                values.append("")  # "(a,)": a trailing empty value, as apimachinery reads it
            break
        if word == "," and is_op:
            if expect_value:
                values.append("")
            expect_value = True
            continue
        if is_op or not expect_value:
            raise ValueError(f"unexpected {word!r} in a value list")
        values.append(word)
        expect_value = False
    return tuple(values), pos
