"""From one spec's run (Ginkgo's JSON report, or the lack of one) to a result row, and
from the rows to totals and the exit code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from conformance.specs import Spec

PASSED = "passed"
FAILED = "failed"
EXPECTED_FAILURE = "expected failure"
UNEXPECTEDLY_PASSED = "unexpectedly passed"
OUT_OF_SCOPE = "out of scope"
TIMED_OUT = "timed out"
SKIPPED = "skipped"
VACUOUS = "vacuous (no default StorageClass)"
NOT_RUN = "not run"
RESULTS = (
    PASSED,
    FAILED,
    EXPECTED_FAILURE,
    UNEXPECTEDLY_PASSED,
    TIMED_OUT,
    SKIPPED,
    OUT_OF_SCOPE,
    VACUOUS,
    NOT_RUN,
)
# What makes the run fail: a spec in scope, not an expected failure, that did not pass.
GATING = (FAILED, TIMED_OUT, NOT_RUN)

_FAILED_STATES = ("failed", "panicked", "aborted")
_TIMEOUT_STATES = ("timedout", "interrupted")


@dataclass
class Row:
    """One spec's line in the table."""

    spec: Spec
    result: str
    seconds: float | None = None
    step: str = ""
    """The last ``By`` step before the failure."""
    where: str = ""
    """The failure's location (file:line), and the node when it is not the It."""
    message: str = ""
    reason: str = ""
    """Why the spec is out of scope or an expected failure."""
    log: str = ""

    def detail(self) -> str:
        """One line: for a failure its step, location and message; for a listed spec
        the reason it is listed (and, for an expected failure, how it failed)."""
        failure = "; ".join(
            part
            for part in (
                f"step {self.step!r}" if self.step else "",
                f"at {self.where}" if self.where else "",
                self.message,
            )
            if part
        )
        if self.result == UNEXPECTEDLY_PASSED:
            return f"listed as an expected failure ({self.reason}): take it out of scope.yaml"
        if self.result == EXPECTED_FAILURE and self.reason:
            # How it failed first: that shows whether it failed for the listed reason.
            return f"{failure} [expected: {self.reason}]" if failure else self.reason
        if self.result == OUT_OF_SCOPE and self.reason:
            return self.reason
        return failure

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.spec.file,
            "line": self.spec.line,
            "kind": self.spec.kind,
            "version": self.spec.version,
            "text": self.spec.full_text,
            "spec": self.spec.text,
            "result": self.result,
            "seconds": None if self.seconds is None else round(self.seconds, 1),
            "step": self.step,
            "where": self.where,
            "message": self.message,
            "reason": self.reason,
            "log": self.log,
        }


def one_line(text: str, limit: int = 240) -> str:
    """``text`` on one line (Gomega's messages span several: "Expected / <int32>: 0 / to
    equal / <int32>: 3"), whitespace collapsed, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def find_spec_report(reports: Sequence[Mapping[str, Any]], spec: Spec) -> Mapping[str, Any] | None:
    """The report of ``spec`` in Ginkgo's JSON report (a list of suite reports): the It
    at the spec's file and line, unless the focus left it out (skipped, with no message;
    a spec that skips itself says why)."""
    for suite in reports:
        for report in suite.get("SpecReports") or []:
            if report.get("LeafNodeType") != "It":
                continue
            location = report.get("LeafNodeLocation") or {}
            path = PurePosixPath(str(location.get("FileName", "")))
            if (
                path.as_posix().endswith("/" + spec.file)
                and location.get("LineNumber") == spec.line
                and (report.get("State") != "skipped" or report.get("Failure"))
            ):
                return report
    return None


def failing_step(report: Mapping[str, Any]) -> str:
    """The text of the last ``By`` before the failure (empty when there is none)."""
    failure = report.get("Failure") or {}
    at = (failure.get("TimelineLocation") or {}).get("Order")
    step = ""
    for event in report.get("SpecEvents") or []:
        if event.get("SpecEventType") != "By":
            continue
        order = (event.get("TimelineLocation") or {}).get("Order")
        if at is not None and order is not None and order > at:
            break
        step = str(event.get("Message") or "")
    return one_line(step, 120)


def failure_location(report: Mapping[str, Any]) -> str:
    failure = report.get("Failure") or {}
    location = failure.get("Location") or {}
    where = ""
    if location.get("FileName"):
        where = f"{PurePosixPath(str(location['FileName'])).name}:{location.get('LineNumber')}"
    node = failure.get("FailureNodeType")
    if node and node != "It":
        where = f"{where} (in {node})" if where else f"in {node}"
    return where


def result_row(
    spec: Spec,
    report: Mapping[str, Any] | None,
    *,
    expected: str | None = None,
    killed: bool = False,
    exit_code: int | None = None,
    log_tail: str = "",
    seconds: float | None = None,
    log: str = "",
) -> Row:
    """The row of one spec that ran. ``report`` is its entry in the JSON report (None
    when there was none); ``expected`` is the reason it is an expected failure;
    ``killed``: the runner stopped it at the per-spec timeout."""
    row = Row(spec=spec, result=FAILED, seconds=seconds, reason=expected or "", log=log)
    if report is None:
        if killed:
            row.result, row.message = TIMED_OUT, "no report: stopped at the per-spec timeout"
        else:
            row.message = one_line(
                f"no report for this spec (exit code {exit_code}): {log_tail}".rstrip(": ")
            )
    else:
        state = str(report.get("State"))
        if report.get("RunTime") and seconds is None:
            row.seconds = float(report["RunTime"]) / 1e9
        if state == "passed":
            row.result = PASSED
        elif state in ("skipped", "pending"):
            row.result = SKIPPED
            row.message = one_line(str((report.get("Failure") or {}).get("Message") or ""))
        else:
            row.result = TIMED_OUT if state in _TIMEOUT_STATES else FAILED
            failure = report.get("Failure") or {}
            row.step = failing_step(report)
            row.where = failure_location(report)
            row.message = one_line(
                str(failure.get("Message") or failure.get("ForwardedPanic") or state)
            )
    if expected is not None:
        if row.result == PASSED:
            row.result = UNEXPECTEDLY_PASSED
        elif row.result in (FAILED, TIMED_OUT):
            row.result = EXPECTED_FAILURE
    return row


def listed_row(spec: Spec, result: str, reason: str) -> Row:
    """The row of a spec that is not run: out of scope, or vacuous here."""
    return Row(spec=spec, result=result, reason=reason)


def exit_code(rows: Iterable[Row]) -> int:
    """1 when a spec in scope that is not an expected failure did not pass, else 0."""
    return 1 if any(row.result in GATING for row in rows) else 0


def totals(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Per kind and API version, how many specs ended in each result, in spec order."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for row in rows:
        counts.setdefault((row.spec.kind, row.spec.version), Counter())[row.result] += 1
    return [
        {
            "kind": kind,
            "version": version,
            **{result: counter[result] for result in RESULTS},
            "total": sum(counter.values()),
        }
        for (kind, version), counter in counts.items()
    ]
