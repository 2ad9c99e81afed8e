"""Bound metric children record exactly what the public methods record."""

from __future__ import annotations

import math
import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from kruise.runtime.metrics import RECONCILE_TIME_BUCKETS
from kruise.runtime.metrics.bound import LoopValue, bound_inc, bound_observe

AMOUNTS = (
    0.0,
    -1.0,
    0.005,  # exactly on a bound
    0.0050001,
    0.3,
    59.9,
    60.0,
    61.0,
    1e9,
    math.inf,
    math.nan,
)


def samples(registry: CollectorRegistry, name: str) -> list[tuple[str, dict[str, str], float]]:
    found = []
    for family in registry.collect():
        for sample in family.samples:
            if sample.name.startswith(name) and not sample.name.endswith("_created"):
                found.append((sample.name[len(name) :], sample.labels, sample.value))
    return found


def same(
    a: list[tuple[str, dict[str, str], float]], b: list[tuple[str, dict[str, str], float]]
) -> bool:
    if len(a) != len(b):
        return False
    for (sa, la, va), (sb, lb, vb) in zip(a, b, strict=True):
        if sa != sb or la != lb:
            return False
        if not (va == vb or (math.isnan(va) and math.isnan(vb))):
            return False
    return True


def test_a_bound_histogram_records_what_observe_records() -> None:
    registry = CollectorRegistry()
    public = Histogram("public", "h", ["c"], buckets=RECONCILE_TIME_BUCKETS, registry=registry)
    bound = Histogram("bound", "h", ["c"], buckets=RECONCILE_TIME_BUCKETS, registry=registry)
    observe = bound_observe(bound.labels("x"))
    for amount in AMOUNTS:
        public.labels("x").observe(amount)
        observe(amount)
    assert same(samples(registry, "public"), samples(registry, "bound"))
    # The NaN went into no bucket, as Histogram.observe does; +Inf holds the rest.
    assert registry.get_sample_value("bound_count", {"c": "x"}) == len(AMOUNTS) - 1


def test_a_bound_child_and_the_public_methods_share_one_series() -> None:
    registry = CollectorRegistry()
    counter = Counter("hits", "c", ["c"], registry=registry)
    gauge = Gauge("busy", "g", ["c"], registry=registry)
    histogram = Histogram("took", "h", ["c"], registry=registry)
    counter.labels("x").inc(2)  # before binding: kept
    inc = bound_inc(counter.labels("x"))
    again = bound_inc(counter.labels("x"))  # binding twice is harmless
    inc(1)
    again(1)
    counter.labels("x").inc()
    assert registry.get_sample_value("hits_total", {"c": "x"}) == 5
    move = bound_inc(gauge.labels("x"))
    move(1)
    move(1)
    move(-1)
    gauge.labels("x").inc()
    assert registry.get_sample_value("busy", {"c": "x"}) == 2
    observe = bound_observe(histogram.labels("x"))
    observe(0.2)
    histogram.labels("x").observe(0.2)
    assert registry.get_sample_value("took_count", {"c": "x"}) == 2
    assert registry.get_sample_value("took_sum", {"c": "x"}) == 0.4
    # Other children of the same metric keep their locked values.
    counter.labels("y").inc()
    assert not isinstance(counter.labels("y")._value, LoopValue)


def test_a_value_that_is_not_a_plain_float_keeps_the_public_method() -> None:
    registry = CollectorRegistry()
    counter = Counter("odd", "c", ["c"], registry=registry)
    child = counter.labels("x")

    class Shared:  # stands in for multiprocess mode's file-backed value
        def __init__(self) -> None:
            self.value = 0.0
            self.lock = threading.Lock()

        def inc(self, amount: float) -> None:
            self.value += amount

        def get(self) -> float:
            return self.value

        def set(self, value: float, timestamp: float | None = None) -> None:
            self.value = value

        def get_exemplar(self) -> None:
            return None

    shared = Shared()
    child._value = shared  # type: ignore[assignment]
    inc = bound_inc(child)
    inc(3)
    assert child._value is shared
    assert registry.get_sample_value("odd_total", {"c": "x"}) == 3
