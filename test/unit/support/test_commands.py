"""Installed commands come from the interpreter's environment, never a fixed path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support import commands
from support.commands import installed_command, manager_command, pip_command


def test_the_manager_and_pip_are_the_running_environments() -> None:
    bin_dir = Path(sys.executable).parent
    for command in (manager_command(), pip_command()):
        assert Path(command[0]).parent == bin_dir or command[:2] == [sys.executable, "-m"]


def test_a_missing_script_falls_back_to_its_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands.sys, "executable", str(tmp_path / "python"))
    assert installed_command("kruise-manager", "kruise_manager.main") == [
        str(tmp_path / "python"),
        "-m",
        "kruise_manager.main",
    ]
