"""docs/operations.md and the Makefile's shipping targets agree with the code."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from kruise_manager.main import build_parser

ROOT = Path(__file__).resolve().parents[3]
OPERATIONS = ROOT / "docs" / "operations.md"
MAKEFILE = ROOT / "Makefile"
SHIP_TARGETS = ("docker-build", "manifests-render", "deploy", "undeploy")


def flag_table() -> dict[str, str]:
    """flag -> default column of the doc's flag table."""
    rows = {}
    for line in OPERATIONS.read_text().splitlines():
        match = re.match(r"\| (`-[^|]+) \| ([^|]+) \|", line)
        if match:
            for flag in re.findall(r"`(-{1,2}[a-z-]+)`", match.group(1)):
                rows[flag] = match.group(2).strip()
    return rows


def test_every_flag_is_documented_and_nothing_else() -> None:
    parser = build_parser()
    flags = {
        option
        for action in parser._actions
        for option in action.option_strings
        if action.dest != "help"
    }
    assert set(flag_table()) == flags


def test_documented_defaults_match_the_parser() -> None:
    table = flag_table()
    for action in build_parser()._actions:
        flag = action.option_strings[-1]
        if action.dest == "help" or action.default in (None, "", False):
            continue
        shown = table[flag].strip("`")
        default = action.default
        if isinstance(default, float) and default.is_integer():
            default = int(default)
        if isinstance(default, bool):
            default = str(default).lower()  # documented as the flag takes it: `true`
        assert shown == str(default), (flag, shown, default)


def test_doc_names_the_objects_the_manifests_define() -> None:
    text = OPERATIONS.read_text()
    for name in (
        "kruise-controller-manager",
        "kruise-webhook-service",
        "kruise-webhook-certs",
        "kruise-mutating-webhook-configuration",
        "kruise-validating-webhook-configuration",
        "kubectl apply -k config/default",
        "make deploy",
        "/readyz",
        "/healthz",
    ):
        assert name in text, name


def makefile_targets() -> dict[str, str]:
    """target -> its `## ` help text."""
    return dict(re.findall(r"^([a-z-]+):.*?## (.+)$", MAKEFILE.read_text(), re.MULTILINE))


def test_shipping_targets_are_listed_phony_and_documented() -> None:
    text = MAKEFILE.read_text()
    phony = {t for line in re.findall(r"^\.PHONY:(.*)$", text, re.MULTILINE) for t in line.split()}
    targets = makefile_targets()
    for target in SHIP_TARGETS:
        assert target in targets, target
        assert target in phony, target
    # Appended after the existing targets, which stay as they were.
    assert text.index("\ndocker-build:") > text.index("\nclean:")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("docker-build", "docker build -t kruise-py:latest ."),
        ("deploy", 'kubectl apply -k "$dir"'),
        ("manifests-render", 'kubectl kustomize "$dir"'),
        ("undeploy", "kubectl delete -k config/default --ignore-not-found"),
    ],
)
def test_shipping_target_commands(target: str, expected: str) -> None:
    result = subprocess.run(
        ["make", "-n", target, "KUBECTL=kubectl", "DOCKER=docker"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    if target in {"deploy", "manifests-render"}:
        assert "config/default" in result.stdout
        assert "name: kruise-py" in result.stdout
