"""Typed errors built from the API server's Status bodies, as apimachinery's errors package.

The Status ``reason`` decides the class when it is a known one; the HTTP code
decides otherwise (an unknown reason on a 404 is still ``NotFound``).
"""

from __future__ import annotations

import email.utils
import json
from typing import Any, cast

from kruise.runtime.client.types import Status, StatusCause, StatusDetails

TOO_OLD_RESOURCE_VERSION = "too old resource version"


class ClientError(Exception):
    """Anything the REST client raises about talking to the API server."""


class InvalidPathSegment(ClientError, ValueError):
    """A name or namespace that cannot be one URL path segment (empty, ``.``, ``..``, or
    holding ``/``, ``%``, ``?`` or ``#``): refused before any request is made, so a
    name taken from user input never reaches another resource's URL."""


class TransportError(ClientError):
    """The request did not get an HTTP answer: refused, reset, TLS failure, cut stream."""


class ApiError(ClientError):
    """The API server answered with an error status (or the client gave up waiting)."""

    default_status = 500

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        reason: str = "",
        details: StatusDetails | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = self.default_status if status is None else status
        self.reason = reason
        self.message = message
        self.details: StatusDetails = details or {}
        self.retry_after = retry_after

    @property
    def causes(self) -> list[StatusCause]:
        """The Status's ``details.causes``: per field, what was wrong."""
        return list(self.details.get("causes", []))

    def __str__(self) -> str:
        return f"{self.status} {self.reason or type(self).__name__}: {self.message}"


class BadRequest(ApiError):
    """400: the request was malformed."""

    default_status = 400


class Unauthorized(ApiError):
    """401: the credentials were refused (the transport refreshes them once first)."""

    default_status = 401


class Forbidden(ApiError):
    """403: authenticated, but RBAC does not allow the request."""

    default_status = 403


class NotFound(ApiError):
    """404: the object, or the resource itself, does not exist."""

    default_status = 404


class Conflict(ApiError):
    """409 for a stale resourceVersion, a failed precondition or an apply conflict."""

    default_status = 409


class AlreadyExists(ApiError):
    """409 on create; deliberately not a ``Conflict`` (retry-on-conflict must not catch it)."""

    default_status = 409


class Gone(ApiError):
    """410: the resourceVersion is too old (compacted); relist."""

    default_status = 410


class Invalid(ApiError):
    """422 with one cause per invalid field (``field``, ``reason``, ``message``)."""

    default_status = 422


class TooManyRequests(ApiError):
    """429: the server throttled the request; ``retry_after`` is its wait, if it gave one."""

    default_status = 429


class ServerError(ApiError):
    """A 5xx other than 504: InternalError, ServiceUnavailable, ServerTimeout and the like."""

    default_status = 500


class Timeout(ApiError):
    """The server timed out (504, reason Timeout) or the client stopped waiting."""

    default_status = 504

    def __init__(self, message: str, *, client_side: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.client_side = client_side


_BY_REASON: dict[str, type[ApiError]] = {
    "BadRequest": BadRequest,
    "Unauthorized": Unauthorized,
    "Forbidden": Forbidden,
    "NotFound": NotFound,
    "AlreadyExists": AlreadyExists,
    "Conflict": Conflict,
    "Gone": Gone,
    "Expired": Gone,
    "Invalid": Invalid,
    "TooManyRequests": TooManyRequests,
    "Timeout": Timeout,
    "InternalError": ServerError,
    "ServiceUnavailable": ServerError,
    "ServerTimeout": ServerError,
}

_BY_CODE: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Gone,
    422: Invalid,
    429: TooManyRequests,
    504: Timeout,
}


def error_class(status: int, reason: str, message: str = "") -> type[ApiError]:
    """The ``ApiError`` subclass for a status: by reason if known, else by code."""
    if reason in _BY_REASON:
        return _BY_REASON[reason]
    if status in _BY_CODE:
        return _BY_CODE[status]
    if TOO_OLD_RESOURCE_VERSION in message:
        return Gone
    if status >= 500:
        return ServerError
    return ApiError


def error_from_status(
    status: Status, *, http_status: int | None = None, retry_after: float | None = None
) -> ApiError:
    """The error a Status object stands for (from a response body or a watch ERROR event)."""
    code = int(status.get("code") or http_status or 500)
    reason = str(status.get("reason") or "")
    message = str(status.get("message") or reason or f"HTTP {code}")
    details = status.get("details") or {}
    if retry_after is None and "retryAfterSeconds" in details:
        retry_after = float(details["retryAfterSeconds"])
    cls = error_class(code, reason, message)
    return cls(message, status=code, reason=reason, details=details, retry_after=retry_after)


def error_from_response(
    http_status: int, body: bytes, retry_after: float | None = None
) -> ApiError:
    """The error for a failed HTTP response; non-Status bodies become the message."""
    status = _parse_status(body)
    if status is None:
        text = body.decode(errors="replace").strip()[:1000] or f"HTTP {http_status}"
        status = {"code": http_status, "message": text}
    return error_from_status(status, http_status=http_status, retry_after=retry_after)


def _parse_status(body: bytes) -> Status | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if isinstance(parsed, dict) and parsed.get("kind") == "Status":
        return cast(Status, parsed)
    return None


def parse_retry_after(value: str | None, wall_now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - wall_now)


def _is(err: BaseException, cls: type[ApiError]) -> bool:
    return isinstance(err, cls)


def is_not_found(err: BaseException) -> bool:
    """True for ``NotFound``."""
    return _is(err, NotFound)


def is_already_exists(err: BaseException) -> bool:
    """True for ``AlreadyExists`` (a 409 on create)."""
    return _is(err, AlreadyExists)


def is_conflict(err: BaseException) -> bool:
    """True for ``Conflict``; False for ``AlreadyExists``, though both are 409."""
    return _is(err, Conflict)


def is_gone(err: BaseException) -> bool:
    """True for 410 Gone and "too old resource version" (client-go's IsResourceExpired)."""
    return _is(err, Gone)


def is_forbidden(err: BaseException) -> bool:
    """True for ``Forbidden``."""
    return _is(err, Forbidden)


def is_unauthorized(err: BaseException) -> bool:
    """True for ``Unauthorized``."""
    return _is(err, Unauthorized)


def is_invalid(err: BaseException) -> bool:
    """True for ``Invalid`` (422, with the invalid fields in ``causes``)."""
    return _is(err, Invalid)


def is_too_many_requests(err: BaseException) -> bool:
    """True for ``TooManyRequests``."""
    return _is(err, TooManyRequests)


def is_timeout(err: BaseException) -> bool:
    """True for ``Timeout``, whether the server or the client gave up."""
    return _is(err, Timeout)


def is_bad_request(err: BaseException) -> bool:
    """True for ``BadRequest``."""
    return _is(err, BadRequest)


def is_server_error(err: BaseException) -> bool:
    """True for ``ServerError`` (a 5xx other than 504)."""
    return _is(err, ServerError)
