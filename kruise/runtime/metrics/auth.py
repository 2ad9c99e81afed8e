"""Authentication and authorization of metrics requests, delegated to the API server.

As controller-runtime's ``WithAuthenticationAndAuthorization`` filter does: the bearer
token of each request is checked with a TokenReview, and the user it names is authorized
with a SubjectAccessReview for the request's verb on its non-resource URL (``get`` on
``/metrics``). A request without a valid token gets 401, an authorized user's request
is refused with 403 unless the API server allows it; neither reaches the handler.

Both answers are cached for a short while (a bounded cache, keyed by a digest of the
token), so a scrape every few seconds costs the API server a review a minute. The
reviews are sent through ``post``, a callable given by whoever builds the filter (so
this module needs no client): it POSTs a body to an API path and returns the answer.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import structlog
from aiohttp import web

# structlog directly: metrics sits beside kruise.runtime.log, not above it.
log: structlog.stdlib.BoundLogger = structlog.get_logger("metrics.auth")

TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews"
SUBJECT_ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews"

Post = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_V = TypeVar("_V")


@dataclass(frozen=True)
class UserInfo:
    """Who a token belongs to, as the TokenReview said."""

    username: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_review(cls, user: dict[str, Any]) -> UserInfo:
        """The ``status.user`` of a TokenReview."""
        extra = user.get("extra") or {}
        return cls(
            username=str(user.get("username", "")),
            uid=str(user.get("uid", "")),
            groups=tuple(str(g) for g in user.get("groups") or ()),
            extra=tuple(sorted((str(k), tuple(str(x) for x in v)) for k, v in extra.items())),
        )


class ReviewError(Exception):
    """The API server could not answer a review (not a refusal)."""


@dataclass
class TTLCache(Generic[_V]):
    """At most ``size`` entries, each kept for the ttl given when it was put."""

    size: int = 1024
    now: Callable[[], float] = time.monotonic
    _entries: OrderedDict[str, tuple[float, _V]] = field(default_factory=OrderedDict)

    def get(self, key: str) -> _V | None:
        """The value, if present and not expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self.now():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: str, value: _V, ttl: float) -> None:
        """Keep ``value`` for ``ttl`` seconds; the least recently used entry goes when full."""
        self._entries[key] = (self.now() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class DelegatingAuth:
    """Authenticates tokens and authorizes users through the API server, with caching.

    ``authn_ttl`` is how long a TokenReview's answer (either way) is trusted;
    ``allow_ttl`` and ``deny_ttl`` are how long a SubjectAccessReview's yes and no are.
    """

    def __init__(
        self,
        post: Post,
        *,
        authn_ttl: float = 60.0,
        allow_ttl: float = 60.0,
        deny_ttl: float = 10.0,
        cache_size: int = 1024,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._post = post
        self.authn_ttl = authn_ttl
        self.allow_ttl = allow_ttl
        self.deny_ttl = deny_ttl
        self._users: TTLCache[UserInfo | bool] = TTLCache(cache_size, now)
        self._decisions: TTLCache[bool] = TTLCache(cache_size, now)

    async def authenticate(self, token: str) -> UserInfo | None:
        """The user the token belongs to, or None if the API server does not know it."""
        key = hashlib.sha256(token.encode()).hexdigest()
        cached = self._users.get(key)
        if cached is not None:
            return cached if isinstance(cached, UserInfo) else None
        review = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenReview",
            "spec": {"token": token},
        }
        status = await self._review(TOKEN_REVIEWS, review)
        user = UserInfo.from_review(status.get("user") or {})
        known = bool(status.get("authenticated")) and bool(user.username)
        self._users.put(key, user if known else False, self.authn_ttl)
        return user if known else None

    async def authorize(self, user: UserInfo, verb: str, path: str) -> bool:
        """Whether ``user`` may ``verb`` the non-resource URL ``path``."""
        key = repr((user, verb, path))
        cached = self._decisions.get(key)
        if cached is not None:
            return cached
        spec: dict[str, Any] = {
            "user": user.username,
            "groups": list(user.groups),
            "nonResourceAttributes": {"path": path, "verb": verb},
        }
        if user.uid:
            spec["uid"] = user.uid
        if user.extra:
            spec["extra"] = {k: list(v) for k, v in user.extra}
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": spec,
        }
        status = await self._review(SUBJECT_ACCESS_REVIEWS, review)
        allowed = bool(status.get("allowed")) and not status.get("denied")
        self._decisions.put(key, allowed, self.allow_ttl if allowed else self.deny_ttl)
        return allowed

    async def _review(self, path: str, review: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = await self._post(path, review)
        except Exception as err:  # any failure to get an answer is not a decision
            raise ReviewError(f"{review['kind']} failed: {type(err).__name__}: {err}") from err
        status = answer.get("status") if isinstance(answer, dict) else None
        if not isinstance(status, dict):
            raise ReviewError(f"{review['kind']} came back without a status")
        return status


def bearer_token(request: web.Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def auth_middleware(auth: DelegatingAuth) -> Callable[[web.Request, Handler], Awaitable[Any]]:
    """An aiohttp middleware letting through only requests ``auth`` authenticates and
    authorizes; refused ones get a plain-text 401, 403 or 500 and never reach the handler."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        token = bearer_token(request)
        try:
            user = await auth.authenticate(token) if token else None
        except ReviewError as err:
            log.error("authentication failed", error=str(err))
            return _refuse(500, "Authentication failed")
        if user is None:
            return _refuse(401, "Unauthorized", {"WWW-Authenticate": 'Bearer realm="metrics"'})
        verb = "get" if request.method == "HEAD" else request.method.lower()
        try:
            allowed = await auth.authorize(user, verb, request.path)
        except ReviewError as err:
            log.error("authorization failed", user=user.username, error=str(err))
            return _refuse(500, f"Authorization for user {user.username} failed")
        if not allowed:
            log.debug("metrics request refused", user=user.username, path=request.path)
            return _refuse(403, f"Authorization denied for user {user.username}")
        return await handler(request)

    return check


def _refuse(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=message + "\n", headers=headers)
