"""The printed table: one line per spec (failures get a second, indented line with their
step and message), then the totals per kind and API version and the wall time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from conformance.results import (
    EXPECTED_FAILURE,
    FAILED,
    NOT_RUN,
    OUT_OF_SCOPE,
    PASSED,
    SKIPPED,
    TIMED_OUT,
    UNEXPECTEDLY_PASSED,
    VACUOUS,
    Row,
)

SPEC_WIDTH = 96
RESULT_WIDTH = 20
DETAIL_WIDTH = 220
# Short column names for the totals.
TOTAL_COLUMNS = (
    (PASSED, "passed"),
    (FAILED, "failed"),
    (TIMED_OUT, "timed out"),
    (EXPECTED_FAILURE, "xfail"),
    (UNEXPECTEDLY_PASSED, "xpass"),
    (SKIPPED, "skipped"),
    (NOT_RUN, "not run"),
    (OUT_OF_SCOPE, "out of scope"),
    (VACUOUS, "vacuous"),
)


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.0f}s"
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def format_rows(rows: Sequence[Row]) -> str:
    """The per-spec table, in the order given."""
    lines = [f"{'SPEC':<{SPEC_WIDTH}}  {'RESULT':<{RESULT_WIDTH}}  TIME"]
    for row in rows:
        spec = cut(f"{row.spec.location}  {row.spec.text}", SPEC_WIDTH)
        result = row.result if row.result != VACUOUS else "vacuous"
        took = format_seconds(row.seconds)
        lines.append(f"{spec:<{SPEC_WIDTH}}  {result:<{RESULT_WIDTH}}  {took}".rstrip())
        detail = row.detail()
        if detail and row.result not in (PASSED, OUT_OF_SCOPE, VACUOUS):
            lines.append(f"    -> {cut(detail, DETAIL_WIDTH)}")
        elif detail and row.result in (OUT_OF_SCOPE, VACUOUS):
            lines.append(f"    -- {cut(detail, DETAIL_WIDTH)}")
    return "\n".join(lines)


def format_totals(totals: Sequence[Mapping[str, Any]], wall_seconds: float | None = None) -> str:
    """Counts per kind and API version, a sum line, and the wall time."""
    head = f"{'KIND':<16} {'VERSION':<9}" + "".join(f" {name:>12}" for _, name in TOTAL_COLUMNS)
    lines = [head + f" {'total':>6}"]
    summed = {result: 0 for result, _ in TOTAL_COLUMNS} | {"total": 0}
    for entry in totals:
        counts = "".join(f" {entry.get(result, 0):>12}" for result, _ in TOTAL_COLUMNS)
        lines.append(f"{entry['kind']:<16} {entry['version']:<9}{counts} {entry['total']:>6}")
        for key in summed:
            summed[key] += int(entry.get(key, 0))
    counts = "".join(f" {summed[result]:>12}" for result, _ in TOTAL_COLUMNS)
    lines.append(f"{'all':<16} {'':<9}{counts} {summed['total']:>6}")
    if wall_seconds is not None:
        lines.append(f"wall time {format_seconds(wall_seconds)}")
    return "\n".join(lines)
