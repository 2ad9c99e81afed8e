"""The command line that runs exactly one spec of the suite."""

from __future__ import annotations

from pathlib import Path

from conformance.runner import slug, spec_command
from conformance.specs import Spec

SPEC = Spec("v1beta1/cloneset.go", 360, "scales in normal cases", ("CloneSet", "Scaling"))


def test_one_spec_by_file_and_line_with_a_json_report_and_a_timeout() -> None:
    report = Path("/work/specs/v1beta1-cloneset-360/report.json")
    command = spec_command(Path("/cache/kruise-e2e.test"), SPEC, report, 900, True)
    assert command[0] == "/cache/kruise-e2e.test"
    assert r"--ginkgo.focus-file=/v1beta1/cloneset\.go:360" in command
    assert f"--ginkgo.json-report={report}" in command
    assert "--ginkgo.timeout=900s" in command
    assert "-e2e-verify-service-account=true" in command
    # Never by name: v1alpha1 has a spec with the same text.
    assert not any(arg.startswith("--ginkgo.focus=") for arg in command)
    quiet = spec_command(Path("/x"), SPEC, report, 60, False)
    assert "-e2e-verify-service-account=false" in quiet


def test_each_spec_gets_its_own_folder() -> None:
    assert slug(SPEC) == "v1beta1-cloneset-360"
    assert slug(Spec("v1alpha1/cloneset.go", 360, "x")) != slug(SPEC)
