"""The reconcile contract: a Request names an object, a Result says when to look again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol


class Request(NamedTuple):
    """The namespace and name of the object to reconcile (namespace is "" when cluster-scoped).

    A tuple, so hashing and comparing run in C: the work queue hashes a request a dozen
    times per reconcile (dirty and processing sets, metric timestamps, backoff), and a
    Python ``__hash__`` cost more than the rest of a no-op reconcile's queue work.
    """

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @classmethod
    def from_object(cls, obj: dict[str, object]) -> Request:
        """The request for ``obj``, from its ``metadata.namespace`` and ``metadata.name``."""
        meta = obj.get("metadata")
        assert isinstance(meta, dict), "object has no metadata"
        return cls(str(meta.get("namespace") or ""), str(meta["name"]))


@dataclass(frozen=True)
class Result:
    """``requeue_after`` > 0 looks again after that many seconds; ``requeue`` looks again
    with the rate limiter's backoff. Neither means done until the next event."""

    requeue: bool = False
    requeue_after: float = 0.0


class ReconcileError(Exception):
    """A failure the reconciler knows about and reports: the world refused or is not ready
    (an API call was forbidden, a pod cannot change the way the spec asks, the stored spec
    cannot be read).

    The controller counts it as an error, logs it in one line and retries the request with
    backoff; it is never counted as a panic. Derive a controller's own error types from it.
    """


class TerminalError(ReconcileError):
    """A reconcile error that retrying cannot fix: counted and logged, never requeued."""


class Reconciler(Protocol):
    """What a controller calls for each request; the one method a controller author writes.

    A request is never reconciled by two workers at once. Raising retries it with the
    queue's backoff (``TerminalError`` does not retry); returning ``Result()`` resets the
    backoff, and ``requeue`` or ``requeue_after`` ask for another look. Raise a
    ``ReconcileError`` (or let a client error through) for a failure you expect; any other
    exception is taken for a bug and counted as a panic.
    """

    async def reconcile(self, request: Request) -> Result:
        """Make the world match the named object; it may have been deleted since the event."""
        ...
