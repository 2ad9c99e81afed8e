"""kruise-manager's flags for the BroadcastJob and AdvancedCronJob controllers reach their
``setup`` calls."""

from __future__ import annotations

from typing import Any

import pytest
from kruise_manager import main


@pytest.fixture
def setups(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """Every controller's ``setup``, replaced by one that records its keyword arguments."""
    calls: dict[str, dict[str, Any]] = {}
    for name in ("cloneset", "statefulset", "broadcastjob", "advancedcronjob"):

        async def record(manager: object, *, _name: str = name, **kwargs: Any) -> None:
            calls[_name] = kwargs

        monkeypatch.setattr(getattr(main, name), "setup", record)

    async def served_now(_manager: object, _resources: object, setup: Any, **_: Any) -> bool:
        await setup()
        return True

    # Every CRD counts as served: these tests look at the arguments, not at discovery.
    monkeypatch.setattr(main, "setup_when_served", served_now)
    return calls


async def wire(*argv: str) -> None:
    await main._setup_controllers(object(), main.build_parser().parse_args(list(argv)))  # type: ignore[arg-type]


async def test_defaults_start_both_job_controllers_with_the_scheduler_placing_pods(
    setups: dict[str, dict[str, Any]],
) -> None:
    await wire()
    assert setups["broadcastjob"] == {"workers": 3, "assign_by_scheduler": True}
    assert setups["advancedcronjob"] == {"workers": 3}
    assert set(setups) == {"cloneset", "statefulset", "broadcastjob", "advancedcronjob"}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--assign-bcj-pods-by-scheduler=false"], False),
        (["--assign-bcj-pods-by-scheduler=true"], True),
        (["--assign-bcj-pods-by-scheduler"], True),
    ],
)
async def test_assign_bcj_pods_by_scheduler(
    setups: dict[str, dict[str, Any]], argv: list[str], expected: bool
) -> None:
    await wire(*argv)
    assert setups["broadcastjob"]["assign_by_scheduler"] is expected


async def test_worker_counts(setups: dict[str, dict[str, Any]]) -> None:
    await wire("--broadcastjob-workers=7", "--advancedcronjob-workers=2")
    assert setups["broadcastjob"]["workers"] == 7
    assert setups["advancedcronjob"] == {"workers": 2}


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("--broadcastjob-workers=0", "argument --broadcastjob-workers: '0' must be greater than 0"),
        ("--advancedcronjob-workers=x", "argument --advancedcronjob-workers: 'x' is not a number"),
        (
            "--assign-bcj-pods-by-scheduler=maybe",
            "argument --assign-bcj-pods-by-scheduler: invalid boolean 'maybe'",
        ),
    ],
)
def test_bad_values_are_one_line_usage_errors(
    flag: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main.build_parser().parse_args([flag])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.strip().count("\n") == 0
