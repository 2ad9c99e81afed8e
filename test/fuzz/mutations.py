"""A well-formed review, broken one of many ways, and what the server must answer to it.

Each :class:`Case` says which answer is right:

- ``answer``: a 200 carrying a review that answers this one (echoing its uid). Breaking
  something *inside* the object (a wrong type, a missing or extra field, a huge string or
  list, a wrong ``apiVersion`` or ``kind`` on the object) leaves the review well formed, so
  the webhook must judge it, not refuse the request.
- ``answer_or_400``: the break may or may not have made the review malformed (a value
  replaced anywhere in the envelope, deep nesting): either answer above, or a 400.
- ``400``: not a review at all (empty, invalid JSON, invalid UTF-8, truncated, a review of
  another apiVersion or kind): HTTP 400 with a one-line message, since there is no review
  to answer with. ``415``: a body that does not say it is JSON.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from fuzz.reviews import Review
from fuzz.schema import Obj

ANSWER = "answer"
ANSWER_OR_400 = "answer_or_400"
BAD_REQUEST = "400"
UNSUPPORTED = "415"

WRONG_VALUES: list[Any] = [
    None, True, False, 0, -1, 2**31, 2**63, -(2**64), 10**30, 1.5, -0.0, 1e308,
    "", "x", "50%", "-1", "\ud800", "\u0000", [], [None], [1, "a"], {}, {"": None}, {"a": [{}]},
]  # fmt: skip
UTF8_BREAKERS = [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\x80"]
CONTENT_TYPES = ["", "text/plain", "application/x-www-form-urlencoded", "application/yaml",
                 "application/jsonx", "multipart/form-data; boundary=x"]  # fmt: skip


@dataclass(repr=False)
class Case:
    """One request: path, raw body, Content-Type (None: no header) and the right answer."""

    path: str
    body: bytes
    content_type: str | None
    expect: str
    mutation: str
    uid: str | None = None  # what an answering review must echo
    sent: Obj | None = field(default=None, repr=False)  # the review, when the body is one

    @property
    def exact(self) -> bool:
        """Whether ``sent`` is what the server read (no deep nesting stood for)."""
        return self.sent is not None and json.dumps(DEEP)[1:-1] not in json.dumps(self.sent)

    def __repr__(self) -> str:
        return f"Case({self.describe()})"

    def describe(self) -> str:
        return f"{self.mutation} -> {self.path} ({len(self.body)} bytes): {self.body[:300]!r}"


DEEP = "\u0000deep:"  # a string standing for nesting too deep to build as Python objects


def _encode(doc: Any) -> bytes:
    """Compact JSON; a ``DEEP`` placeholder becomes the nesting it stands for. Lone
    surrogates (from "\\ud800") are written as JSON escapes, as a client may send."""
    text = json.dumps(doc, separators=(",", ":"))
    marker = json.dumps(DEEP)[:-1]
    while (at := text.find(marker)) >= 0:
        end = text.index('"', at + len(marker))
        depth = int(text[at + len(marker) : end])
        text = text[:at] + '{"n":[' * depth + '"bottom"' + "]}" * depth + text[end + 1 :]
    return text.encode()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path below ``node`` (not ``node`` itself), parents before children."""
    found: list[tuple[Any, ...]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        found.append((*prefix, key))
        found += _paths(child, (*prefix, key))
    return found


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _nested(depth: int) -> str:
    """Objects and arrays ``2 * depth`` deep, once encoded."""
    return f"{DEEP}{depth}"


def _huge(draw: st.DrawFn) -> Any:
    size = draw(st.sampled_from([70_000, 300_000, 2_000_000]))
    if draw(st.booleans()):
        return "x" * size
    return ["item"] * (size // 20) if draw(st.booleans()) else [{"name": "a"}] * (size // 40)


def _replacement(draw: st.DrawFn, how: str) -> Any:
    if how == "huge":
        return _huge(draw)
    if how == "deep":
        return _nested(draw(st.sampled_from([20, 47, 200, 450, 5000])))
    return copy.deepcopy(draw(st.sampled_from(WRONG_VALUES)))


def _change_tree(draw: st.DrawFn, doc: Obj, root: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """Change one node under ``root`` of ``doc``: replace, delete or add beside it."""
    paths = _paths(_at(doc, root), root)
    if not paths:
        return "nothing", root
    path = paths[draw(st.integers(0, len(paths) - 1))]
    parent = _at(doc, path[:-1])
    how = draw(st.sampled_from(["wrong", "wrong", "wrong", "drop", "extra", "huge", "deep"]))
    if how == "drop" and isinstance(parent, dict):
        del parent[path[-1]]
    elif how == "extra" and isinstance(parent, dict):
        key = draw(st.sampled_from(["xUnknown", "", "spec", "\u2603"]))
        parent[key] = _replacement(draw, "wrong")
    else:
        parent[path[-1]] = _replacement(draw, how)
    return how, path


def _say(how: str, path: tuple[Any, ...]) -> str:
    return f"{how} at {'.'.join(map(str, path))[:120]}"


def _object_roots(review: Review) -> list[tuple[Any, ...]]:
    """Where the objects of ``review`` are: request.object / oldObject / objects[i]."""
    request = review.body["request"]
    if "objects" in request:
        return [("request", "objects", i) for i in range(len(request["objects"]))]
    return [
        ("request", key) for key in ("object", "oldObject") if isinstance(request.get(key), dict)
    ]


def _inside_object(draw: st.DrawFn, review: Review) -> tuple[str, str]:
    roots = _object_roots(review)
    if not roots:
        return ANSWER, "no object"
    root = draw(st.sampled_from(roots))
    how, path = _change_tree(draw, review.body, root)
    expect = ANSWER
    if how == "deep":
        expect = ANSWER_OR_400  # past the parser's depth limit is a 400
    if root[1] == "objects" and path[len(root) :] in {("apiVersion",), ("kind",)}:
        expect = ANSWER_OR_400  # a conversion object must name its apiVersion and kind
    return expect, _say(how, path)


def _retag_object(draw: st.DrawFn, review: Review) -> tuple[str, str]:
    roots = _object_roots(review)
    if not roots:
        return ANSWER, "no object"
    obj = _at(review.body, draw(st.sampled_from(roots)))
    key = draw(st.sampled_from(["apiVersion", "kind"]))
    obj[key] = draw(st.sampled_from(
        ["apps.kruise.io/v1", "apps/v1", "v1", "apps.kruise.io/v1alpha1", "CloneSet", "Pod",
         "StatefulSet", "AdvancedCronJob"]
    ))  # fmt: skip
    conversion = review.path == "/convert"
    return (ANSWER_OR_400 if conversion else ANSWER), f"object {key} {obj[key]}"


def _retag_review(draw: st.DrawFn, review: Review) -> tuple[str, str]:
    key = draw(st.sampled_from(["apiVersion", "kind"]))
    review.body[key] = draw(st.sampled_from(
        ["admission.k8s.io/v2", "apiextensions.k8s.io/v1", "admission.k8s.io/v1", "v1", "",
         None, 1, "ConversionReview", "AdmissionReview", "Status"]
    ))  # fmt: skip
    return ANSWER_OR_400, f"review {key} {review.body[key]!r}"


def _envelope(draw: st.DrawFn, review: Review) -> tuple[str, str]:
    return ANSWER_OR_400, _say(*_change_tree(draw, review.body, ()))


# Breaks of the parsed review: (expected answer, what was done).
_TREE_BREAKS = {
    "object": _inside_object,
    "retag object": _retag_object,
    "envelope": _envelope,
    "retag review": _retag_review,
}


def _truncate(draw: st.DrawFn, body: bytes) -> tuple[bytes, str | None]:
    return body[: draw(st.integers(0, len(body) - 1))], "application/json"


def _bad_utf8(draw: st.DrawFn, body: bytes) -> tuple[bytes, str | None]:
    at = draw(st.integers(0, len(body)))
    return body[:at] + draw(st.sampled_from(UTF8_BREAKERS)) + body[at:], "application/json"


def _content_type(draw: st.DrawFn, body: bytes) -> tuple[bytes, str | None]:
    return body, draw(st.sampled_from([None, *CONTENT_TYPES]))


def _empty(draw: st.DrawFn, body: bytes) -> tuple[bytes, str | None]:
    return b"", "application/json"


def _random_bytes(draw: st.DrawFn, body: bytes) -> tuple[bytes, str | None]:
    return draw(st.binary(min_size=1, max_size=64)), "application/json"


def _not_a_review(draw: st.DrawFn, body: bytes) -> tuple[bytes, str | None]:
    other = draw(st.sampled_from([[], [1], "review", 1, None, {}, {"request": {}}]))
    return _encode(other), "application/json"


# Breaks of the encoded body: (expected answer, the break).
_BODY_BREAKS = {
    "truncate": (BAD_REQUEST, _truncate),
    "utf8": (BAD_REQUEST, _bad_utf8),
    "content type": (UNSUPPORTED, _content_type),
    "empty": (BAD_REQUEST, _empty),
    "bytes": (BAD_REQUEST, _random_bytes),
    "not a review": (BAD_REQUEST, _not_a_review),
}
_CHOICES = ["whole", "charset", *(["object"] * 5), *_TREE_BREAKS, *_BODY_BREAKS]


@st.composite
def broken(draw: st.DrawFn, reviews: st.SearchStrategy[Review]) -> Case:
    """A review from ``reviews``, then left whole or broken one way."""
    review: Review = draw(reviews).copy()  # strategies may share values; breaks must not
    how = draw(st.sampled_from(_CHOICES))
    expect, what = ANSWER, how
    if how in _TREE_BREAKS:
        expect, what = _TREE_BREAKS[how](draw, review)
    body = _encode(review.body)
    content_type: str | None = "application/json"
    if how == "charset":
        content_type = "application/json; charset=utf-8"
    if how in _BODY_BREAKS:
        expect, brk = _BODY_BREAKS[how]
        body, content_type = brk(draw, body)
    if expect not in (ANSWER, ANSWER_OR_400):
        return Case(review.path, body, content_type, expect, what)
    request = review.body.get("request")
    uid = request.get("uid") if isinstance(request, dict) else None  # a break may change it
    return Case(review.path, body, content_type, expect, what, uid, review.body)
