"""Reviews are read with orjson and answered with orjson, yet every body reads as the
standard library read it (values and error messages alike), and every answer decodes to
what the standard library wrote."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kruise.runtime.webhook._review import MAX_DEPTH, ReviewError, dump, parse_json


def reference(body: bytes) -> Any:
    """What parse_json gave before orjson: the standard library, with the same checks."""

    def reject(name: str) -> Any:
        raise ReviewError(f"invalid JSON: {name} is not a number")

    try:
        value = json.loads(body.decode("utf-8"), parse_constant=reject)
    except UnicodeDecodeError as err:
        raise ReviewError(f"body is not UTF-8: {err.reason} at byte {err.start}") from None
    except json.JSONDecodeError as err:
        raise ReviewError(
            f"invalid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except RecursionError:
        raise ReviewError(f"invalid JSON: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as err:
        raise ReviewError(f"invalid JSON: {str(err).splitlines()[0]}") from None
    return value


def outcome(parse: Any, body: bytes) -> tuple[str, Any]:
    try:
        return "value", parse(body)
    except ReviewError as err:
        return "error", str(err)


def same(a: Any, b: Any) -> bool:
    """Equal, with types: 1 is not 1.0, and NaN never appears (it is refused)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isinf(a):
        return a == b
    return bool(a == b)


@pytest.mark.parametrize(
    "body",
    [
        b'{"replicas": 123456789012345678901234567890}',  # beyond 64 bits: kept exact
        b"[-9223372036854775809, 18446744073709551616]",
        b'{"a": "1234567890123456789012345"}',  # a long digit run in a string
        b"[1e999, -1e999]",  # infinite: the standard library reads inf
        b'"\\ud800"',  # a lone surrogate escape
        b'{"a": 1, "a": 2}',
        b'{"a": NaN}',
        b"[Infinity]",
        b"\xef\xbb\xbf{}",
        b"\xff\xfe{}",
        b'"\xed\xa0\x80"',
        b"{not json",
        b'{"apiVersion": "admis',
        b"[1,]",
        b"01",
        b"",
        b'"\\u00e9\xc3\xa9"',
        b"[0.1, -0, 1E5, 1e-400, 0.30000000000000004]",
    ],
)
def test_edge_bodies_read_as_before(body: bytes) -> None:
    kind, got = outcome(parse_json, body)
    want_kind, want = outcome(reference, body)
    assert kind == want_kind
    assert same(got, want) if kind == "value" else got == want


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_document_reads_as_before(value: Any) -> None:
    for body in (json.dumps(value).encode(), json.dumps(value, ensure_ascii=False).encode()):
        assert same(parse_json(body), reference(body))


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(min_value=0), st.binary(max_size=3))
def test_damaged_documents_read_as_before(value: Any, where: int, junk: bytes) -> None:
    body = json.dumps(value).encode()
    cut = where % (len(body) + 1)
    damaged = body[:cut] + junk + body[cut + 1 :]
    kind, got = outcome(parse_json, damaged)
    want_kind, want = outcome(reference, damaged)
    assert kind == want_kind
    assert same(got, want) if kind == "value" else got == want


def test_openers_in_strings_do_not_hide_depth() -> None:
    # Fewer than MAX_DEPTH openers cannot nest too deep; many in strings force the walk.
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json(f'{{"a": "{deep}"}}'.encode()) == {"a": deep}
    too_deep = ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).encode()
    with pytest.raises(ReviewError, match="nested deeper"):
        parse_json(too_deep)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_answers_decode_to_what_the_standard_library_wrote(value: Any) -> None:
    review = {"apiVersion": "admission.k8s.io/v1", "response": {"value": value}}
    written = dump(review)
    assert same(json.loads(written), json.loads(json.dumps(review, allow_nan=False)))


@dataclasses.dataclass
class Thing:
    name: str


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        ({1, 2}, TypeError),
        (Thing("x"), TypeError),
        (datetime.datetime(2026, 1, 1), TypeError),
        (object(), TypeError),
    ],
)
def test_what_json_cannot_hold_is_refused_as_before(value: Any, error: type) -> None:
    with pytest.raises(error):
        dump({"response": {"value": value}})


def test_what_orjson_cannot_write_is_written_as_before() -> None:
    review = {"big": 2**70, "keys": {1: "a", 2.5: "b", False: "c", None: "d"}, "text": "é"}
    written = dump(review)
    assert written == json.dumps(review, separators=(",", ":")).encode()


def test_lone_surrogates_are_written_as_before() -> None:
    review = {"message": "bad \ud800 name"}
    assert dump(review) == json.dumps(review, separators=(",", ":")).encode()
