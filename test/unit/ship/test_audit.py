"""`make audit`'s verdicts (hack/audit.py) on pip-audit reports, and the lock it audits."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
LOCK = ROOT / "requirements" / "runtime.lock"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hack_audit", ROOT / "hack" / "audit.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["hack_audit"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def report(*dependencies: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def vuln(id_: str, *fixes: str) -> dict[str, object]:
    return {"id": id_, "fix_versions": list(fixes), "aliases": [], "description": ""}


def test_a_vulnerability_with_a_fix_fails(audit: ModuleType) -> None:
    verdict = audit.read_report(
        report(
            {"name": "aiohttp", "version": "3.8.0", "vulns": [vuln("PYSEC-1", "3.9.2")]},
            {"name": "six", "version": "1.17.0", "vulns": []},
        ),
        1,
        "",
    )
    code, lines = audit.decide(verdict, "runtime.lock")
    assert code == 1
    assert "audit: VULNERABLE aiohttp 3.8.0: PYSEC-1 (fixed in 3.9.2)" in lines


def test_a_vulnerability_without_a_fix_is_reported_and_passes(audit: ModuleType) -> None:
    verdict = audit.read_report(
        report({"name": "pyyaml", "version": "6.0.4", "vulns": [vuln("GHSA-x")]}), 1, ""
    )
    code, lines = audit.decide(verdict, "runtime.lock")
    assert code == 0
    assert lines[0] == "audit: pyyaml 6.0.4: GHSA-x (no fixed release yet)"


def test_a_clean_lock_passes(audit: ModuleType) -> None:
    verdict = audit.read_report(report({"name": "six", "version": "1.17.0", "vulns": []}), 0, "")
    assert audit.decide(verdict, "runtime.lock") == (
        0,
        ["audit: 1 packages of runtime.lock checked, no fixable vulnerability"],
    )


def test_every_package_unknown_means_the_service_did_not_answer(audit: ModuleType) -> None:
    skipped = {
        "name": "six",
        "skip_reason": "Dependency not found on PyPI and could not be audited",
    }
    verdict = audit.read_report(report(skipped, {**skipped, "name": "attrs"}), 0, "")
    assert not verdict.reached


def test_a_connection_error_means_the_service_did_not_answer(audit: ModuleType) -> None:
    stderr = "ERROR:pip_audit._cli:ConnectionError: Max retries exceeded with url: /v1/query"
    assert not audit.read_report("", 1, stderr).reached
    with pytest.raises(RuntimeError, match="pip-audit failed"):
        audit.read_report("", 2, "usage: pip-audit: unrecognized arguments")


def test_no_answer_is_one_line_and_no_failure(audit: ModuleType) -> None:
    code, lines = audit.decide(None, "requirements/runtime.lock")
    assert code == 0
    assert len(lines) == 1
    assert "no vulnerability service" in lines[0]


# ---- the lock ------------------------------------------------------------------------


def locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from requirements/runtime.lock."""
    text = LOCK.read_text().replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)\s*(.*)$", line)
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", match.group(3))
            found[canonicalize_name(match.group(1))] = (match.group(2), hashes)
    return found


def test_every_locked_package_is_pinned_with_hashes() -> None:
    pins = locked()
    assert pins
    for name, (version, hashes) in pins.items():
        assert hashes, f"{name}=={version} has no hash"
    for line in LOCK.read_text().splitlines():
        assert not line.startswith(("-e", "--index-url", "--extra-index-url", "--find-links"))


def test_the_lock_satisfies_every_runtime_dependency() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = locked()
    for spec in pyproject["project"]["dependencies"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in the lock: run make lock"
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (
            f"{name}=={pins[name][0]} does not satisfy {spec}: run make lock"
        )
    assert "kruise-py" not in pins
