"""kruise-manager --controllers: which controllers a list turns on, and its usage errors."""

from __future__ import annotations

import pytest
from kruise_manager.main import CONTROLLERS, build_parser

ALL = frozenset(CONTROLLERS)


def enabled(*argv: str) -> frozenset[str]:
    controllers: frozenset[str] = build_parser().parse_args(list(argv)).controllers
    return controllers


def test_every_controller_runs_by_default() -> None:
    assert enabled() == ALL == {"cloneset", "statefulset", "broadcastjob", "advancedcronjob"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("*", ALL),
        ("*,-cloneset", ALL - {"cloneset"}),
        ("-cloneset,*", ALL - {"cloneset"}),
        ("*,-cloneset,-advancedcronjob", {"statefulset", "broadcastjob"}),
        ("cloneset", {"cloneset"}),
        ("cloneset,statefulset", {"cloneset", "statefulset"}),
        (" cloneset , statefulset ", {"cloneset", "statefulset"}),
        ("*,cloneset", ALL),
        # Without '*' only the named ones run; turning one off is then a no-op.
        ("-cloneset", set()),
        ("", set()),
    ],
)
def test_lists(value: str, expected: set[str]) -> None:
    assert enabled(f"--controllers={value}") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "*,-clonesets",
            "argument --controllers: unknown controller 'clonesets' (known: cloneset, "
            "statefulset, broadcastjob, advancedcronjob; '*' for all)",
        ),
        ("daemonset", "argument --controllers: unknown controller 'daemonset'"),
        (
            "cloneset,-cloneset",
            "argument --controllers: controller 'cloneset' both enabled and disabled",
        ),
    ],
)
def test_bad_lists_are_one_line_usage_errors(
    value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([f"--controllers={value}"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert message in err
    assert err.startswith("kruise-manager: error: ")
