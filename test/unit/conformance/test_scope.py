"""scope.yaml: matching entries to specs, the checks that keep it fitting the suite, and
the selection a run makes from it (including the vacuous PVC-retention rule)."""

from __future__ import annotations

import pytest
from conformance.results import OUT_OF_SCOPE, VACUOUS
from conformance.scope import SCOPE_FILE, Scope, ScopeError
from conformance.selection import SelectionError, parse_kinds, pick, plan
from conformance.specs import Spec

ALPHA_SCALE = Spec("v1alpha1/cloneset.go", 345, "scales in normal cases", ("CloneSet", "Scaling"))
BETA_SCALE = Spec("v1beta1/cloneset.go", 360, "scales in normal cases", ("CloneSet", "Scaling"))
PREDOWNLOAD = Spec("v1alpha1/cloneset.go", 1717, "pre-download for new image", ("CloneSet", "Pre"))
RESIZE = Spec("v1beta1/statefulset.go", 187, "recreate_expand", ("VolumeExpansion v1beta1", "R"))
PVC = Spec(
    "v1beta1/statefulset.go",
    2226,
    "should delete PVCs with a WhenDeleted policy",
    ("StatefulSet v1beta1", "Non-retain"),
    vacuous_without_storage_class=True,
)
CRON = Spec("v1alpha1/advancedcronjob.go", 57, "should schedule", ("AdvancedCronJob", "Basic"))
SPECS = [ALPHA_SCALE, PREDOWNLOAD, BETA_SCALE, RESIZE, PVC, CRON]

SCOPE = Scope.from_dict(
    {
        "out_of_scope": [
            {"file": "v1alpha1/cloneset.go", "spec": PREDOWNLOAD.text, "reason": "needs a daemon"},
            {
                "file": "v1beta1/statefulset.go",
                "container": "VolumeExpansion v1beta1",
                "reason": "needs volume expansion",
            },
        ],
        "expected_failures": {
            "kruise-py": [
                {"file": "v1beta1/cloneset.go", "spec": BETA_SCALE.text, "reason": "differs"}
            ]
        },
        "short": [{"file": "v1alpha1/cloneset.go", "spec": ALPHA_SCALE.text}],
    }
)


def test_entries_match_by_file_and_spec_text_or_container() -> None:
    assert SCOPE.out_of_scope_reason(PREDOWNLOAD) == "needs a daemon"
    assert SCOPE.out_of_scope_reason(RESIZE) == "needs volume expansion"
    assert SCOPE.out_of_scope_reason(ALPHA_SCALE) is None
    # The same text in the other version's file is another spec.
    assert SCOPE.expected_failure_reason(BETA_SCALE, "kruise-py") == "differs"
    assert SCOPE.expected_failure_reason(ALPHA_SCALE, "kruise-py") is None
    assert SCOPE.expected_failure_reason(BETA_SCALE, "openkruise") is None
    assert SCOPE.in_short(ALPHA_SCALE)
    assert not SCOPE.in_short(BETA_SCALE)


def test_problems_name_entries_that_do_not_fit_the_suite() -> None:
    assert SCOPE.problems(SPECS) == []
    scope = Scope.from_dict(
        {
            "out_of_scope": [{"file": "v1alpha1/cloneset.go", "spec": "gone", "reason": "r"}],
            "expected_failures": {
                "kruise-py": [{"file": "v1alpha1/cloneset.go", "spec": "gone", "reason": "r"}]
            },
            "short": [{"file": "v1beta1/statefulset.go", "container": "VolumeExpansion v1beta1"}],
        }
    )
    scope.out_of_scope.append(SCOPE.out_of_scope[1])
    twice = Spec(PREDOWNLOAD.file, 1800, PREDOWNLOAD.text)
    scope.short.append(SCOPE.out_of_scope[0])
    problems = scope.problems([*SPECS, twice])
    assert problems == [
        "out_of_scope: v1alpha1/cloneset.go: spec 'gone' matches no spec",
        "short: v1beta1/statefulset.go: container 'VolumeExpansion v1beta1' is out of scope",
        "short: v1alpha1/cloneset.go: spec 'pre-download for new image' matches lines 1717, 1800",
        "expected_failures.kruise-py: v1alpha1/cloneset.go: spec 'gone' matches no spec",
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"spec": "x", "reason": "r"}, "needs 'file'"),
        ({"file": "f", "reason": "r"}, "exactly one of"),
        ({"file": "f", "spec": "x", "container": "c", "reason": "r"}, "exactly one of"),
        ({"file": "f", "spec": "x"}, "every entry says why"),
    ],
)
def test_a_malformed_entry_is_refused(entry: dict[str, str], message: str) -> None:
    with pytest.raises(ScopeError, match=message):
        Scope.from_dict({"out_of_scope": [entry]})


def test_the_repository_scope_file_loads() -> None:
    scope = Scope.load(SCOPE_FILE)
    assert scope.out_of_scope, "the reviewed out-of-scope list is empty"
    assert all(entry.reason for entry in scope.out_of_scope)
    assert all(e.reason for entries in scope.expected_failures.values() for e in entries)


def test_pick_by_kind_focus_and_the_ci_subset() -> None:
    assert pick(SPECS, SCOPE, kinds={"AdvancedCronJob"}) == [CRON]
    assert pick(SPECS, SCOPE, focus="Scaling scales") == [ALPHA_SCALE, BETA_SCALE]
    assert pick(SPECS, SCOPE, short=True) == [ALPHA_SCALE]
    assert pick(SPECS, SCOPE) == SPECS
    with pytest.raises(SelectionError, match="--focus"):
        pick(SPECS, SCOPE, focus="(")


def test_kinds_in_any_case_and_unknown_ones_refused() -> None:
    assert parse_kinds("cloneset, StatefulSet") == {"CloneSet", "StatefulSet"}
    assert parse_kinds(None) is None
    with pytest.raises(SelectionError, match="unknown kind 'deployment'"):
        parse_kinds("cloneset,deployment")


def test_plan_lists_out_of_scope_specs_and_runs_the_rest_with_expected_failures() -> None:
    to_run, listed = plan(SPECS, SCOPE, "kruise-py", default_storage_class=True)
    assert [(t.spec, t.expected) for t in to_run] == [
        (ALPHA_SCALE, None),
        (BETA_SCALE, "differs"),
        (PVC, None),
        (CRON, None),
    ]
    assert [(r.spec, r.result) for r in listed] == [
        (PREDOWNLOAD, OUT_OF_SCOPE),
        (RESIZE, OUT_OF_SCOPE),
    ]
    # Expected failures belong to one manager.
    to_run, _ = plan(SPECS, SCOPE, "openkruise", default_storage_class=True)
    assert all(t.expected is None for t in to_run)


def test_pvc_retention_specs_are_vacuous_without_a_default_storage_class() -> None:
    to_run, listed = plan(SPECS, SCOPE, "kruise-py", default_storage_class=False)
    assert PVC not in [t.spec for t in to_run]
    vacuous = [r for r in listed if r.result == VACUOUS]
    assert [r.spec for r in vacuous] == [PVC]
    assert "no default StorageClass" in vacuous[0].reason
