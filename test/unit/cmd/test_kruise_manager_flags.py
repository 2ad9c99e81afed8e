"""kruise-manager's flags that reach the CloneSet controller."""

from __future__ import annotations

import pytest
from kruise_manager.main import build_parser, cloneset_options

from kruise.controller.cloneset import CloneSetOptions


def options(*argv: str) -> CloneSetOptions:
    return cloneset_options(build_parser().parse_args(list(argv)))


def test_defaults() -> None:
    opts = options()
    assert opts.scaling_exclude_preparing_delete is False
    assert opts.features.overrides == {}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--cloneset-scaling-exclude-preparing-delete"], True),
        (["--cloneset-scaling-exclude-preparing-delete=true"], True),
        (["--cloneset-scaling-exclude-preparing-delete=false"], False),
    ],
)
def test_scaling_exclude_preparing_delete(argv: list[str], expected: bool) -> None:
    assert options(*argv).scaling_exclude_preparing_delete is expected


def test_feature_gates_reach_the_cloneset_controller() -> None:
    opts = options("--feature-gates=AllAlpha=true,AllBeta=true,EnableExternalCerts=false")
    assert opts.features.enabled("PreparingUpdateAsUpdate")
    assert not opts.features.enabled("EnableExternalCerts")


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("--feature-gates=Nope=true", "argument --feature-gates: unrecognized feature gate: Nope"),
        (
            "--cloneset-scaling-exclude-preparing-delete=maybe",
            "argument --cloneset-scaling-exclude-preparing-delete: invalid boolean 'maybe'",
        ),
    ],
)
def test_bad_values_are_one_line_usage_errors(
    flag: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([flag])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.strip().count("\n") == 0
