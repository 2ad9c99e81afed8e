"""Scatter sort: spread the pods carrying a label evenly through an update.

For each ``scatterStrategy`` term (``key``/``value``) the candidates are split into those
with the label and those without, and interleaved in groups sized from the ratio between
the two, so that an update does not take down many pods of one kind at once. This follows
OpenKruise v0.7.0's ``scatter_sort.go`` step for step, rounding included; its unit tests
are the specification.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kruise.runtime.meta import labels_of

Term = tuple[str, str]


def sort_by_scatter(
    pods: Sequence[Mapping[str, Any] | None],
    indexes: list[int],
    scatter: Sequence[Mapping[str, Any]] | None,
) -> list[int]:
    """The candidates ``indexes`` (into ``pods``) in a new, scattered order.

    ``pods`` are all the workload's pods: the ratio of labelled pods among them bounds the
    group sizes. ``None`` entries (Advanced StatefulSet's reserved ordinals) are skipped, as
    Go skips nil pods; candidates must point at real pods.
    """
    order = list(indexes)
    if not scatter or len(order) <= 1:
        return order
    for term in scatter_terms(pods, order, scatter):
        order = scatter_by_term(term, pods, order)
    return order


def scatter_terms(
    pods: Sequence[Mapping[str, Any] | None],
    indexes: Sequence[int],
    scatter: Sequence[Mapping[str, Any]],
) -> list[Term]:
    """The terms to apply, in order: those matching most candidates first, ties in strategy
    order; terms no candidate matches are dropped, and repeated terms are applied once.

    A strategy of a single term is applied as it is, matched or not, as in Go.
    """
    terms = [(str(term.get("key") or ""), str(term.get("value") or "")) for term in scatter]
    if len(terms) == 1:
        return terms
    counts: dict[Term, int] = {}  # insertion order is first-seen order
    for key, value in terms:
        for i in indexes:
            labels = labels_of(pods[i])
            if key in labels and labels[key] == value:
                counts[(key, value)] = counts.get((key, value), 0) + 1
    # Go's SliceStable with "i <= j" for ties never reorders equal counts: a stable sort.
    return sorted(counts, key=lambda term: -counts[term])


def scatter_by_term(
    term: Term, pods: Sequence[Mapping[str, Any] | None], indexes: Sequence[int]
) -> list[int]:
    """Interleave the candidates with the label ``term`` and those without it.

    Nothing moves unless both sides have at least two candidates. The last labelled
    candidate is held back to the very end; the rest go out in alternating groups (labelled
    first), any excess of unlabelled ones ahead of them, and leftovers after.
    """
    key, value = term

    def labelled(pod: Mapping[str, Any] | None) -> bool:
        # Go reads a missing label as "", so an empty value matches pods without the key.
        return labels_of(pod).get(key, "") == value

    matched = [i for i in indexes if labelled(pods[i])]
    unmatched = [i for i in indexes if not labelled(pods[i])]
    if len(matched) <= 1 or len(unmatched) <= 1:
        return list(indexes)

    existing = [pod for pod in pods if pod is not None]
    total_matched = sum(1 for pod in existing if labelled(pod))
    total_unmatched = len(existing) - total_matched

    held_back = matched.pop()
    total_matched -= 1

    group = _group_by_density(total_matched, total_unmatched, len(matched), len(unmatched))
    order = unmatched[: group.unmatched_remainder]
    del unmatched[: group.unmatched_remainder]
    for _ in range(group.count):
        order += matched[: group.matched_size]
        del matched[: group.matched_size]
        order += unmatched[: group.unmatched_size]
        del unmatched[: group.unmatched_size]
    return [*order, *matched, *unmatched, held_back]


@dataclass(frozen=True)
class _Group:
    """How to interleave: ``count`` rounds of ``matched_size`` labelled then
    ``unmatched_size`` unlabelled candidates, after ``unmatched_remainder`` unlabelled."""

    count: int
    matched_size: int
    unmatched_size: int
    unmatched_remainder: int = 0


def _even_group(matched: int, unmatched: int) -> _Group:
    """As many rounds as the smaller side has pods, each side's size rounded half up."""
    count = min(matched, unmatched)
    if count <= 0:
        return _Group(0, 0, 0)
    return _Group(count, _round_div(matched, count), _round_div(unmatched, count))


def _group_by_density(
    total_matched: int, total_unmatched: int, update_matched: int, update_unmatched: int
) -> _Group:
    """Interleave the candidates evenly, unless they hold more unlabelled pods per labelled
    one than the whole workload: then use the workload's group sizes and send the excess
    unlabelled candidates first."""
    update = _even_group(update_matched, update_unmatched)
    total_ratio = _ratio32(total_unmatched, total_matched)
    if total_ratio >= _ratio32(update_unmatched, update_matched):
        return update
    total = _even_group(total_matched, total_unmatched)
    if total.matched_size <= 0 or total.unmatched_size <= 0:
        # Only reachable when candidates are missing from ``pods``; Go computes garbage.
        return update
    count = min(update_matched // total.matched_size, update_unmatched // total.unmatched_size)
    remainder = update_unmatched - count * total.unmatched_size
    return _Group(count, total.matched_size, total.unmatched_size, remainder)


def _round_div(a: int, b: int) -> int:
    """Go's math.Round(float64(a) / float64(b)) for a >= 0 and b > 0: halves round up,
    where Python's round() would go to even."""
    return (2 * a + b) // (2 * b)


def _ratio32(a: int, b: int) -> float:
    """``a / b`` as Go's float32 division computes it, IEEE infinities and NaN included.

    For counts below 2**24 (exact in float32), rounding the float64 quotient to float32 gives
    the correctly rounded float32 quotient, since float64 has more than twice float32's
    precision: ratios compare here exactly as they do in Go.
    """
    if b == 0:
        return math.inf if a > 0 else math.nan
    quotient: float = struct.unpack("f", struct.pack("f", a / b))[0]
    return quotient
