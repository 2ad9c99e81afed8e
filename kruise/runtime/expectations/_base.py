"""What every kind of expectations shares: a clock, a timeout and the expiry report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

import structlog
from prometheus_client import CollectorRegistry, Counter

from kruise.runtime.clock import Clock, RealClock

DEFAULT_TIMEOUT = 300.0
"""Seconds an expectation may stay pending before it is dropped (``--expectation-timeout``)."""

Object = Mapping[str, Any]
"""A Kubernetes object as the API server sends it: plain JSON."""

_T = TypeVar("_T")
_S = TypeVar("_S")

# One counter per registry, shared by every expectations instance that reports into it.
_expired_counters: WeakKeyDictionary[CollectorRegistry, Counter] = WeakKeyDictionary()


def _expired_counter(registry: CollectorRegistry) -> Counter:
    counter = _expired_counters.get(registry)
    if counter is None:
        counter = Counter(
            "kruise_expectations_expired",
            "Expectations dropped as satisfied because the cache did not show them in time.",
            ["kind"],
            registry=registry,
        )
        _expired_counters[registry] = counter
    return counter


def meta(obj: Object, field: str) -> str:
    """``obj.metadata[field]`` as a string, empty when absent."""
    value = obj.get("metadata", {}).get(field)
    return value if isinstance(value, str) else ""


def object_key(obj: Object) -> str:
    namespace, name = meta(obj, "namespace"), meta(obj, "name")
    return f"{namespace}/{name}" if namespace else name


class Expiring(Generic[_S]):
    """Base of the expectation stores: ``key -> state``, a clock, a timeout, expiry reports."""

    kind: str

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        registry: CollectorRegistry | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"expectation timeout must be positive, got {timeout}")
        self.clock: Clock = clock if clock is not None else RealClock()
        self.timeout = timeout
        self._expired = None if registry is None else _expired_counter(registry).labels(self.kind)
        self._pending: dict[str, _S] = {}

    def __contains__(self, key: object) -> bool:
        """Whether anything is recorded for ``key`` (entries go once satisfied)."""
        return key in self._pending

    def has_pending(self) -> bool:
        """Whether anything at all is recorded: lets a caller skip a per-object scan."""
        return bool(self._pending)

    def _is_expired(self, since: float) -> bool:
        return self.clock.now() - since >= self.timeout

    def _pop_expired(self, pending: dict[_T, float]) -> list[_T]:
        """Remove and return the items of ``pending`` (item -> since) older than the timeout."""
        expired = [item for item, since in pending.items() if self._is_expired(since)]
        for item in expired:
            del pending[item]
        return expired

    def _report_expired(self, key: str, pending: object, count: int, **extra: str) -> None:
        structlog.get_logger("kruise.runtime.expectations").warning(
            "expectations expired, treating them as satisfied",
            kind=self.kind,
            key=key,
            pending=pending,
            timeout_seconds=self.timeout,
            **extra,
        )
        if self._expired is not None:
            self._expired.inc(count)
