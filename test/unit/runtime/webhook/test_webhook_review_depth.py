"""Nesting past MAX_DEPTH is a malformed review (found by the webhook fuzz suite: a review
nested ~900 levels deep parsed, then ran a handler out of Python's stack: a 500)."""

from __future__ import annotations

import pytest

from kruise.runtime.webhook._review import MAX_DEPTH, ReviewError, parse_json


def nested(levels: int) -> bytes:
    """``levels`` containers, objects and arrays in turn, one inside the other."""
    opening = "".join('{"n":' if i % 2 == 0 else "[" for i in range(levels))
    closing = "".join("}" if i % 2 == 0 else "]" for i in reversed(range(levels)))
    return f"{opening}0{closing}".encode()


def test_nesting_up_to_the_limit_parses() -> None:
    value = parse_json(nested(MAX_DEPTH))
    for _ in range(MAX_DEPTH - 1):
        value = value["n"] if isinstance(value, dict) else value[0]
    assert value in ({"n": 0}, [0])


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 450 * 2, 50_000])
def test_deeper_nesting_is_a_review_error(levels: int) -> None:
    with pytest.raises(ReviewError, match=f"^invalid JSON: nested deeper than {MAX_DEPTH} levels$"):
        parse_json(nested(levels))


def test_width_is_not_depth() -> None:
    wide = b"[" + b",".join([b'{"a":[1]}'] * 10_000) + b"]"
    assert len(parse_json(wide)) == 10_000
