"""Request bodies at and past the server's limit (7 MiB, controller-runtime's for admission
requests; the API server itself caps requests at 3 MiB, so a real review is far smaller).

Past it: 413 with one line, whether the client says the length up front or streams the body
chunked; at it: an answer. Either way the server answers a valid review afterwards.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from fuzz.reviews import CONVERT_PATH, conversion_review
from fuzz.sweep import assert_still_answering
from fuzz.target import Target


def _padded(size: int) -> bytes:
    """A valid ConversionReview (no objects) padded with spaces to ``size`` bytes."""
    body = json.dumps(conversion_review([], "apps.kruise.io/v1beta1")).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


async def _chunks(body: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_past_the_limit_is_413(target: Target, chunked: bool) -> None:
    assert target.server is not None
    limit = target.server.max_body_bytes
    body = _padded(limit + 1)
    data = _chunks(body) if chunked else body
    answer = target.run(target.post(CONVERT_PATH, data, "application/json"))
    assert answer.status == 413
    assert answer.body.decode().strip() == (
        f"request body is too large; the limit is {limit} bytes"
    )
    assert target.server_errors() == {}
    assert_still_answering(target)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_at_the_limit_is_answered(target: Target, chunked: bool) -> None:
    assert target.server is not None
    body = _padded(target.server.max_body_bytes)
    data = _chunks(body) if chunked else body
    answer = target.run(target.post(CONVERT_PATH, data, "application/json"))
    assert answer.status == 200, answer.body[:300]
    assert json.loads(answer.body)["response"]["result"] == {"status": "Success"}
    assert_still_answering(target)
