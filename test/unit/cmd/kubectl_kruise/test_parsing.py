"""kubectl-kruise's command line: resource names as kubectl users type them, flag
values, global flags before or after the command, and one-line errors."""

from __future__ import annotations

import argparse

import pytest
from kubectl_kruise import flags
from kubectl_kruise.main import build_parser, error_line, main
from kubectl_kruise.resources import (
    ADVANCED_STATEFULSET,
    CLONESET,
    DEPLOYMENT,
    ResourceError,
    Target,
    find_kind,
    parse_target,
    parse_targets,
)

from kruise.runtime.client import NotFound


@pytest.mark.parametrize(
    "word",
    ["cloneset", "clonesets", "clone", "CloneSet", "cloneset.apps.kruise.io",
     "clonesets.v1alpha1.apps.kruise.io"],
)  # fmt: skip
def test_cloneset_names(word: str) -> None:
    assert find_kind(word) is CLONESET


@pytest.mark.parametrize(
    "word",
    ["asts", "statefulset.apps.kruise.io", "statefulsets.apps.kruise.io",
     "statefulset.v1beta1.apps.kruise.io", "advancedstatefulset"],
)  # fmt: skip
def test_advanced_statefulset_names(word: str) -> None:
    assert find_kind(word) is ADVANCED_STATEFULSET


def test_deployment_names() -> None:
    assert find_kind("deploy") is DEPLOYMENT
    assert find_kind("deployment.apps") is DEPLOYMENT


def test_unknown_kind() -> None:
    with pytest.raises(ResourceError, match='resource type "pods"'):
        find_kind("pods")


def test_targets_in_both_forms() -> None:
    assert parse_targets(["clone/a", "asts/b"]) == [
        Target(CLONESET, "a"),
        Target(ADVANCED_STATEFULSET, "b"),
    ]
    assert parse_targets(["cloneset", "a", "b"]) == [Target(CLONESET, "a"), Target(CLONESET, "b")]


def test_target_prints_as_kubectl_names_it() -> None:
    assert str(Target(CLONESET, "web")) == "cloneset.apps.kruise.io/web"
    assert str(Target(ADVANCED_STATEFULSET, "db")) == "statefulset.apps.kruise.io/db"
    assert str(Target(DEPLOYMENT, "web")) == "deployment.apps/web"


def test_mixed_forms_are_refused() -> None:
    with pytest.raises(ResourceError, match="no need to specify a resource type"):
        parse_targets(["cloneset", "clone/a"])


def test_plain_statefulset_is_the_builtin_and_says_what_to_write() -> None:
    with pytest.raises(ResourceError, match="write asts/db"):
        parse_target("sts/db")
    with pytest.raises(ResourceError, match="write asts/db"):
        parse_targets(["statefulset/db"])


def test_kind_without_name() -> None:
    with pytest.raises(ResourceError, match="a name is required"):
        parse_targets(["clone"])
    with pytest.raises(ResourceError, match="single resource and name"):
        parse_target("clone/")


def test_deployment_is_refused_where_only_workloads_go() -> None:
    with pytest.raises(ResourceError, match="not supported here"):
        parse_targets(["deploy/web"])


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0.0), ("30", 30.0), ("30s", 30.0), ("5m", 300.0), ("1m30s", 90.0), ("1.5h", 5400.0),
     ("500ms", 0.5)],
)  # fmt: skip
def test_durations(text: str, seconds: float) -> None:
    assert flags.duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "m5", "-3", "5m junk"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        flags.duration(text)


def test_bools_and_lists() -> None:
    assert flags.parse_bool("false") is False
    assert flags.parse_bool("True") is True
    with pytest.raises(argparse.ArgumentTypeError):
        flags.parse_bool("maybe")
    assert flags.names("a,,b ,c") == ["a", "b", "c"]


def test_ordinals() -> None:
    assert flags.ordinals(["3-5", "1", "4,7"]) == [1, 3, 4, 5, 7]
    with pytest.raises(ValueError, match="invalid ordinal"):
        flags.ordinals(["5-3"])
    with pytest.raises(ValueError, match="invalid ordinal"):
        flags.ordinals(["-1"])


def test_global_flags_before_or_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["-n", "ns", "--context", "c", "rollout", "status", "clone/a"])
    after = parser.parse_args(["rollout", "status", "clone/a", "-n", "ns", "--context", "c"])
    for args in (before, after):
        assert (args.namespace, args.context, args.kubeconfig) == ("ns", "c", None)
    assert after.output is None


def test_watch_false_and_timeout() -> None:
    args = build_parser().parse_args(
        ["rollout", "status", "clone/a", "--watch=false", "--timeout", "2m"]
    )
    assert args.watch is False
    assert args.timeout == 120.0
    assert build_parser().parse_args(["rollout", "status", "clone/a"]).watch is True


def test_usage_errors_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["rollout", "status", "clone/a", "-o", "wide"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("error: argument -o/--output: invalid choice")


def test_failures_are_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    code = main(["--kubeconfig", "/nonexistent/config", "rollout", "pause", "clone/a"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == "error: kubeconfig /nonexistent/config does not exist\n"


def test_error_line_for_server_refusals() -> None:
    err = NotFound('clonesets.apps.kruise.io "x" not found', reason="NotFound", status=404)
    assert error_line(err) == 'Error from server (NotFound): clonesets.apps.kruise.io "x" not found'
