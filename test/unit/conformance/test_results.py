"""From Ginkgo's JSON report to a result row; rows to totals, the exit code and the table."""

from __future__ import annotations

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
    exit_code,
    find_spec_report,
    listed_row,
    one_line,
    result_row,
    totals,
)
from conformance.specs import Spec
from conformance.table import format_rows, format_totals

SPEC = Spec("v1alpha1/cloneset.go", 345, "scales in normal cases", ("CloneSet", "Scaling"))
BETA = Spec("v1beta1/cloneset.go", 345, "scales in normal cases", ("CloneSet", "Scaling"))
BUILD = "/tmp/kruise-openkruise.abc/kruise/test/e2e/apps"


def spec_report(file: str, line: int, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "ContainerHierarchyTexts": ["CloneSet", "Scaling"],
        "LeafNodeType": "It",
        "LeafNodeLocation": {"FileName": f"{BUILD}/{file}", "LineNumber": line},
        "LeafNodeText": "scales in normal cases",
        "State": state,
        "RunTime": 12_500_000_000,
        **extra,
    }


def by(message: str, order: int) -> dict[str, Any]:
    return {
        "SpecEventType": "By",
        "Message": message,
        "CodeLocation": {"FileName": f"{BUILD}/v1alpha1/cloneset.go", "LineNumber": 350},
        "TimelineLocation": {"Order": order},
    }


TIMED_OUT_MESSAGE = "Timed out after 3.001s. Expected <int32>: 0 to equal <int32>: 3"
FAILURE = {
    "Message": "Timed out after 3.001s.\nExpected\n    <int32>: 0\nto equal\n    <int32>: 3",
    "Location": {"FileName": f"{BUILD}/v1alpha1/cloneset.go", "LineNumber": 362},
    "TimelineLocation": {"Order": 5},
    "FailureNodeType": "It",
}


def suite(*reports: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"SuiteDescription": "Kruise e2e suite", "SpecReports": list(reports)}]


def test_the_report_of_the_selected_spec_not_its_twin_in_the_other_version() -> None:
    reports = suite(
        spec_report("v1beta1/cloneset.go", 345, "passed"),
        spec_report("v1alpha1/cloneset.go", 345, "failed", Failure=FAILURE),
        spec_report("v1alpha1/cloneset.go", 400, "skipped"),
    )
    found = find_spec_report(reports, SPEC)
    assert found is not None
    assert found["State"] == "failed"
    # Left out by the focus: skipped without a message, so not this run's spec.
    assert (
        find_spec_report(suite(spec_report("v1alpha1/cloneset.go", 345, "skipped")), SPEC) is None
    )
    assert find_spec_report([], SPEC) is None


def test_a_failure_gives_its_last_step_location_and_first_message_line() -> None:
    report = spec_report(
        "v1alpha1/cloneset.go",
        345,
        "failed",
        Failure=FAILURE,
        SpecEvents=[by("Create CloneSet", 1), by("Wait for replicas satisfied", 3), by("Later", 9)],
    )
    row = result_row(SPEC, report)
    assert row.result == FAILED
    assert row.step == "Wait for replicas satisfied"
    assert row.where == "cloneset.go:362"
    assert row.message == TIMED_OUT_MESSAGE
    assert row.seconds == 12.5
    assert row.detail() == (
        f"step 'Wait for replicas satisfied'; at cloneset.go:362; {TIMED_OUT_MESSAGE}"
    )


def test_a_failure_outside_the_it_names_its_node() -> None:
    failure = {**FAILURE, "FailureNodeType": "AfterEach", "Message": "Couldn't delete ns"}
    row = result_row(SPEC, spec_report(SPEC.file, 345, "failed", Failure=failure))
    assert row.where == "cloneset.go:362 (in AfterEach)"
    assert row.step == ""


def test_states_map_to_results_and_expected_failures_turn_them_around() -> None:
    passed = spec_report(SPEC.file, 345, "passed")
    timedout = spec_report(SPEC.file, 345, "timedout", Failure=FAILURE)
    interrupted = spec_report(SPEC.file, 345, "interrupted", Failure=FAILURE)
    panicked = spec_report(SPEC.file, 345, "panicked", Failure={"ForwardedPanic": "nil map"})
    skipped = spec_report(SPEC.file, 345, "skipped", Failure={"Message": "no nodes"})
    assert result_row(SPEC, passed).result == PASSED
    assert result_row(SPEC, timedout).result == TIMED_OUT
    assert result_row(SPEC, interrupted).result == TIMED_OUT
    assert result_row(SPEC, panicked).result == FAILED
    assert result_row(SPEC, panicked).message == "nil map"
    assert (result_row(SPEC, skipped).result, result_row(SPEC, skipped).message) == (
        SKIPPED,
        "no nodes",
    )
    unexpected = result_row(SPEC, passed, expected="why")
    assert unexpected.result == UNEXPECTEDLY_PASSED
    assert unexpected.detail() == "listed as an expected failure (why): take it out of scope.yaml"
    expected = result_row(SPEC, timedout, expected="v1.9 rounds up")
    assert expected.result == EXPECTED_FAILURE
    how = f"at cloneset.go:362; {TIMED_OUT_MESSAGE}"
    assert expected.detail() == f"{how} [expected: v1.9 rounds up]"
    assert result_row(SPEC, skipped, expected="why").result == SKIPPED


def test_no_report_is_a_timeout_when_the_runner_stopped_it_else_a_failure() -> None:
    killed = result_row(SPEC, None, killed=True, exit_code=-15)
    assert killed.result == TIMED_OUT
    crashed = result_row(SPEC, None, exit_code=1, log_tail="panic: no KUBECONFIG | more")
    assert crashed.result == FAILED
    assert crashed.message == "no report for this spec (exit code 1): panic: no KUBECONFIG | more"
    assert result_row(SPEC, None, killed=True, expected="why").result == EXPECTED_FAILURE


def test_one_line_joins_the_lines_and_cuts_them() -> None:
    assert one_line("\n\n  Expected\n   <int>: 1  \nto equal\n  <int>: 2") == (
        "Expected <int>: 1 to equal <int>: 2"
    )
    assert one_line("x" * 300, 20) == "x" * 17 + "..."
    assert one_line("") == ""


def test_only_failures_of_specs_that_should_pass_fail_the_run() -> None:
    def rows(*results: str) -> list[Row]:
        return [Row(SPEC, result) for result in results]

    assert exit_code(rows(PASSED, EXPECTED_FAILURE, UNEXPECTEDLY_PASSED, OUT_OF_SCOPE)) == 0
    assert exit_code(rows(PASSED, SKIPPED, VACUOUS)) == 0
    assert exit_code(rows(PASSED, FAILED)) == 1
    assert exit_code(rows(TIMED_OUT)) == 1
    assert exit_code(rows(NOT_RUN)) == 1


def test_totals_per_kind_and_version_in_spec_order() -> None:
    counted = totals(
        [
            Row(SPEC, PASSED),
            Row(SPEC, FAILED),
            Row(BETA, EXPECTED_FAILURE),
            listed_row(BETA, OUT_OF_SCOPE, "needs a kubelet"),
        ]
    )
    assert [(t["kind"], t["version"], t["total"]) for t in counted] == [
        ("CloneSet", "v1alpha1", 2),
        ("CloneSet", "v1beta1", 2),
    ]
    assert (counted[0][PASSED], counted[0][FAILED], counted[1][EXPECTED_FAILURE]) == (1, 1, 1)
    assert counted[1][OUT_OF_SCOPE] == 1


def test_the_table_shows_each_spec_its_result_and_why_it_failed() -> None:
    failed = result_row(
        SPEC,
        spec_report(SPEC.file, 345, "failed", Failure=FAILURE, SpecEvents=[by("Scale in", 1)]),
    )
    listed = listed_row(BETA, OUT_OF_SCOPE, "needs a kubelet")
    text = format_rows([failed, listed, Row(BETA, PASSED, seconds=75)])
    lines = text.splitlines()
    assert lines[0].split() == ["SPEC", "RESULT", "TIME"]
    assert lines[1].startswith("v1alpha1/cloneset.go:345  scales in normal cases")
    assert lines[1].split()[-2:] == ["failed", "12s"]
    assert lines[2] == f"    -> step 'Scale in'; at cloneset.go:362; {TIMED_OUT_MESSAGE}"
    assert "out of scope" in lines[3]
    assert lines[4] == "    -- needs a kubelet"
    assert lines[5].endswith("passed                1m15s")
    summary = format_totals(totals([failed, listed]), wall_seconds=125).splitlines()
    assert summary[0].split()[:4] == ["KIND", "VERSION", "passed", "failed"]
    assert summary[1].split()[:4] == ["CloneSet", "v1alpha1", "0", "1"]
    assert summary[-2].split()[0] == "all"
    assert summary[-1] == "wall time 2m05s"


def test_a_row_as_json_for_the_note() -> None:
    row = result_row(SPEC, spec_report(SPEC.file, 345, "failed", Failure=FAILURE), log="/x.log")
    data = row.to_json()
    assert data["file"] == "v1alpha1/cloneset.go"
    assert data["line"] == 345
    assert (data["kind"], data["version"], data["result"]) == ("CloneSet", "v1alpha1", FAILED)
    assert data["text"] == "CloneSet Scaling scales in normal cases"
    assert data["seconds"] == 12.5
    assert data["message"] == TIMED_OUT_MESSAGE
