"""Status bodies become typed errors, the way apimachinery's errors package reads them."""

from __future__ import annotations

import json

import pytest

from kruise.runtime.client import errors
from kruise.runtime.client.errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    ServerError,
    Timeout,
    TooManyRequests,
    Unauthorized,
    error_from_response,
    error_from_status,
    parse_retry_after,
)
from kruise.runtime.client.transport import retry_delay


def status_body(code: int, reason: str = "", message: str = "boom", **details: object) -> bytes:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        (400, "BadRequest", BadRequest),
        (401, "Unauthorized", Unauthorized),
        (403, "Forbidden", Forbidden),
        (404, "NotFound", NotFound),
        (409, "AlreadyExists", AlreadyExists),
        (409, "Conflict", Conflict),
        (410, "Gone", Gone),
        (410, "Expired", Gone),
        (422, "Invalid", Invalid),
        (429, "TooManyRequests", TooManyRequests),
        (504, "Timeout", Timeout),
        (500, "InternalError", ServerError),
        (503, "ServiceUnavailable", ServerError),
        (500, "ServerTimeout", ServerError),
        # An unknown reason falls back to the code.
        (404, "", NotFound),
        (409, "", Conflict),
        (502, "", ServerError),
        (405, "MethodNotAllowed", ApiError),
    ],
)
def test_reason_then_code_picks_the_class(code: int, reason: str, expected: type) -> None:
    err = error_from_response(code, status_body(code, reason))
    assert type(err) is expected
    assert err.status == code
    assert err.reason == reason
    assert err.message == "boom"


def test_already_exists_is_not_a_conflict() -> None:
    err = error_from_response(409, status_body(409, "AlreadyExists"))
    assert errors.is_already_exists(err)
    assert not errors.is_conflict(err)


def test_invalid_carries_its_causes() -> None:
    causes = [{"reason": "FieldValueInvalid", "message": "Invalid value", "field": "metadata.name"}]
    err = error_from_response(
        422, status_body(422, "Invalid", name="Bad", kind="ConfigMap", causes=causes)
    )
    assert isinstance(err, Invalid)
    assert err.causes == causes
    assert err.details["kind"] == "ConfigMap"


def test_too_old_resource_version_is_gone_whatever_the_code() -> None:
    err = error_from_status({"code": 500, "message": "too old resource version: 5 (90)"})
    assert errors.is_gone(err)


def test_watch_error_event_with_410_is_gone() -> None:
    err = error_from_status(
        {"kind": "Status", "code": 410, "reason": "Expired", "message": "too old"}
    )
    assert isinstance(err, Gone)
    assert err.status == 410


def test_a_body_that_is_not_a_status_becomes_the_message() -> None:
    err = error_from_response(503, b"upstream connect error")
    assert isinstance(err, ServerError)
    assert err.message == "upstream connect error"
    empty = error_from_response(404, b"")
    assert isinstance(empty, NotFound)
    assert empty.message == "HTTP 404"


def test_retry_after_comes_from_header_or_details() -> None:
    from_details = error_from_response(
        429, status_body(429, "TooManyRequests", retryAfterSeconds=3)
    )
    assert from_details.retry_after == 3.0
    from_header = error_from_response(429, status_body(429, "TooManyRequests"), retry_after=1.0)
    assert from_header.retry_after == 1.0


def test_client_side_timeout_is_a_timeout() -> None:
    err = Timeout("gave up", client_side=True)
    assert errors.is_timeout(err)
    assert err.client_side
    assert err.status == 504


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("7", 7.0),
        (" 0 ", 0.0),
        ("soon", None),
        ("-3", None),
        # 2023-11-14T22:13:30Z is 10 s after wall time 1_700_000_000.
        ("Tue, 14 Nov 2023 22:13:30 GMT", 10.0),
        # A date in the past means: now.
        ("Tue, 14 Nov 2023 22:00:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, 1_700_000_000.0) == expected


def test_retry_delay_only_for_throttling_with_retry_after_and_bounded() -> None:
    throttled = error_from_response(429, status_body(429, "TooManyRequests"), retry_after=2.0)
    assert retry_delay(throttled, retries=0, max_retries=3) == 2.0
    assert retry_delay(throttled, retries=3, max_retries=3) is None
    unavailable = error_from_response(503, b"", retry_after=1.0)
    assert retry_delay(unavailable, retries=0, max_retries=3) == 1.0
    no_header = error_from_response(429, status_body(429, "TooManyRequests"))
    assert retry_delay(no_header, retries=0, max_retries=3) is None
    conflict = error_from_response(409, status_body(409, "Conflict"), retry_after=1.0)
    assert retry_delay(conflict, retries=0, max_retries=3) is None


def test_str_names_code_and_reason() -> None:
    err = error_from_response(404, status_body(404, "NotFound", 'configmaps "x" not found'))
    assert str(err) == '404 NotFound: configmaps "x" not found'
