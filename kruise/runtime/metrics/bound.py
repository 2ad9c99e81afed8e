"""Metric children reduced to one cheap callable each, for per-item hot paths.

``child.inc()`` and ``child.observe(v)`` check on every call that the metric has its
labels and the amount is valid, then take the value's lock; a worker loop pays that a
dozen times per item, where client-go's metrics cost an atomic add. A bound child does
the checks once, and its value becomes a plain float: every write comes from the one
thread running the event loop (the queue and the controller are not thread-safe
anyway), and a scrape from another thread reads a float the GIL keeps whole. Both
record exactly what the public methods record. In multiprocess mode, or on a
prometheus_client whose internals differ, the helpers fall back to the public methods.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.values import MutexValue

Record = Callable[[float], None]


class LoopValue:
    """What ``MutexValue`` stores, without its lock: written by one event loop's thread."""

    _multiprocess = False
    __slots__ = ("_exemplar", "_value")

    def __init__(self, value: float = 0.0, exemplar: Any = None) -> None:
        self._value = value
        self._exemplar = exemplar

    def inc(self, amount: float) -> None:
        """Add ``amount``."""
        self._value += amount

    def set(self, value: float, timestamp: float | None = None) -> None:
        """Replace the value."""
        self._value = value

    def set_exemplar(self, exemplar: Any) -> None:
        """Keep ``exemplar``."""
        self._exemplar = exemplar

    def get(self) -> float:
        """The value."""
        return self._value

    def get_exemplar(self) -> Any:
        """The exemplar last set, if any."""
        return self._exemplar


def _unlock(value: Any) -> LoopValue | None:
    """A ``LoopValue`` holding what ``value`` holds, or None when it is not a plain one."""
    if isinstance(value, LoopValue):
        return value
    if type(value) is not MutexValue:
        return None
    plain: Any = value  # MutexValue's methods carry no annotations
    return LoopValue(plain.get(), plain.get_exemplar())


def bound_inc(child: Counter | Gauge) -> Record:
    """``child``'s increment by any amount (a gauge's decrement is a negative amount).

    Only for label children or label-less metrics; counters must get non-negative amounts.
    """
    internals: Any = child
    internals._raise_if_not_observable()  # once, instead of on every call
    value = _unlock(getattr(internals, "_value", None))
    if value is None:
        return child.inc
    internals._value = value
    return value.inc


def bound_observe(child: Histogram) -> Record:
    """``child.observe`` with the checks done once and the bucket found by bisection."""
    internals: Any = child
    internals._raise_if_not_observable()
    bounds = getattr(internals, "_upper_bounds", None)
    buckets = getattr(internals, "_buckets", None)
    if not isinstance(bounds, list) or not isinstance(buckets, list):
        return child.observe
    total = _unlock(getattr(internals, "_sum", None))
    unlocked = [_unlock(bucket) for bucket in buckets]
    if len(bounds) != len(buckets) or total is None or None in unlocked:
        return child.observe
    internals._sum = total
    buckets[:] = unlocked  # the histogram collects from this very list
    upper: tuple[float, ...] = tuple(bounds)
    count = len(upper)
    counts: list[Any] = buckets

    def observe(amount: float) -> None:
        total._value += amount
        # Histogram.observe scans for the first bound >= amount; bisection finds the
        # same bucket, and the comparison keeps a NaN out of every bucket as the scan does.
        i = bisect_left(upper, amount)
        if i < count and amount <= upper[i]:
            counts[i]._value += 1

    return observe
