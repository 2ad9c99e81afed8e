"""One way to wait for something in a test: poll a check until it returns a truthy value.

``eventually`` is for async code and takes sync or async checks; ``eventually_blocking``
is the same loop for sync code (fixtures, threads, and sync helpers that async tests call),
where awaiting is impossible. Both take the same arguments.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
DEFAULT_INTERVAL = 0.1
_REPR_LIMIT = 2000


class NotYet(AssertionError):
    """A check did not pass in time: says what was awaited, for how long, and what the
    check last returned or raised."""


class _Attempts:
    """The bookkeeping both loops share: the deadline, and what the check last did."""

    def __init__(self, timeout: float, what: str) -> None:
        self.timeout = timeout
        self.what = what
        self.deadline = time.monotonic() + timeout
        self.count = 0
        self.last: object = None
        self.raised: BaseException | None = None

    def returned(self, value: object) -> None:
        self.count += 1
        self.last, self.raised = value, None

    def failed(self, error: BaseException) -> None:
        self.count += 1
        self.raised = error

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def give_up(self) -> NotYet:
        if self.raised is not None:
            seen = f"last raised {type(self.raised).__name__}: {self.raised}"
        else:
            seen = f"last returned {self.last!r}"
        if len(seen) > _REPR_LIMIT:
            seen = seen[:_REPR_LIMIT] + " ..."
        tries = "1 check" if self.count == 1 else f"{self.count} checks"
        error = NotYet(f"{self.what}: not yet after {self.timeout:g}s ({tries}); {seen}")
        error.__cause__ = self.raised
        return error


async def eventually(
    check: Callable[[], T | Awaitable[T | None] | None],
    *,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a polling deadline, not a cancel scope
    interval: float = DEFAULT_INTERVAL,
    what: str = "the check to pass",
    retry_on: tuple[type[BaseException], ...] = (),
) -> T:
    """Call ``check`` (sync, or returning an awaitable) every ``interval`` seconds until it
    returns a truthy value, and return that value.

    The check always runs at least once; after ``timeout`` seconds ``NotYet`` is raised.
    An exception the check raises ends the wait at once, unless its type is in
    ``retry_on``: then it counts as "not yet" and is reported if time runs out.
    """
    attempts = _Attempts(timeout, what)
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
        except retry_on as error:
            attempts.failed(error)
        else:
            if result:
                return result
            attempts.returned(result)
        left = attempts.remaining()
        if left <= 0:
            raise attempts.give_up()
        await asyncio.sleep(min(interval, left))


def eventually_blocking(
    check: Callable[[], T | None],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = DEFAULT_INTERVAL,
    what: str = "the check to pass",
    retry_on: tuple[type[BaseException], ...] = (),
) -> T:
    """``eventually`` for sync code: the same rules, sleeping the calling thread."""
    attempts = _Attempts(timeout, what)
    while True:
        try:
            result = check()
        except retry_on as error:
            attempts.failed(error)
        else:
            if result:
                return result
            attempts.returned(result)
        left = attempts.remaining()
        if left <= 0:
            raise attempts.give_up()
        time.sleep(min(interval, left))
