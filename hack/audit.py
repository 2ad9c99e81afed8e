#!/usr/bin/env python3
"""`make audit`: the locked runtime dependencies against the published vulnerabilities.

Runs pip-audit on requirements/runtime.lock (without installing anything: the lock pins
every package with its hashes), asking PyPI's vulnerability data first and OSV's second.
Exits 1 when a locked package has a known vulnerability that a newer release fixes (take
it: `make lock` with LOCK_UPGRADE=1, or raise the floor in pyproject.toml); one without a
fix yet is reported and does not fail. When neither service can be reached, says so in
one line and exits 0: no answer is not a finding, and CI must not fail on the network.

Usage: hack/audit.py [--pip-audit PATH] [LOCK]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

SERVICES = ("pypi", "osv")
UNREACHABLE_HINTS = (
    "connection",
    "timed out",
    "timeout",
    "name or service not known",
    "temporary failure in name resolution",
    "max retries exceeded",
    "network is unreachable",
    "serviceerror",
)


@dataclass
class Verdict:
    """What one pip-audit run says about the lock."""

    reached: bool
    fixable: list[str] = field(default_factory=list)
    unfixed: list[str] = field(default_factory=list)
    audited: int = 0
    skipped: int = 0


def read_report(stdout: str, returncode: int, stderr: str) -> Verdict:
    """Read pip-audit's JSON report (``--format json``) and how it ended."""
    try:
        report: dict[str, Any] = json.loads(stdout)
    except ValueError:
        if returncode != 0 and any(hint in stderr.lower() for hint in UNREACHABLE_HINTS):
            return Verdict(reached=False)
        raise RuntimeError(f"pip-audit failed ({returncode}): {stderr.strip()[-2000:]}") from None
    verdict = Verdict(reached=True)
    for dependency in report.get("dependencies", []):
        if dependency.get("skip_reason"):
            verdict.skipped += 1
            continue
        verdict.audited += 1
        for vuln in dependency.get("vulns", []):
            fixes = vuln.get("fix_versions") or []
            where = f"{dependency['name']} {dependency.get('version', '?')}: {vuln.get('id', '?')}"
            if fixes:
                verdict.fixable.append(f"{where} (fixed in {', '.join(fixes)})")
            else:
                verdict.unfixed.append(f"{where} (no fixed release yet)")
    # Every package skipped as unknown: the service answered nothing (a mirror without
    # PyPI's JSON API answers 404 for every package).
    if verdict.audited == 0 and verdict.skipped > 0:
        verdict.reached = False
    return verdict


def run_pip_audit(pip_audit: str, lock: str, service: str) -> Verdict:
    command = [
        pip_audit,
        "--requirement",
        lock,
        "--require-hashes",
        "--disable-pip",
        "--vulnerability-service",
        service,
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        return Verdict(reached=False)
    return read_report(done.stdout, done.returncode, done.stderr)


def decide(verdict: Verdict | None, lock: str) -> tuple[int, list[str]]:
    """The exit code and the lines to print for the first service that answered."""
    if verdict is None:
        services = ", ".join(SERVICES)
        return 0, [f"audit: no vulnerability service ({services}) answered; {lock} not checked"]
    lines = [f"audit: {line}" for line in verdict.unfixed]
    if verdict.fixable:
        lines += [f"audit: VULNERABLE {line}" for line in verdict.fixable]
        lines.append(f"audit: {len(verdict.fixable)} fixable vulnerabilities in {lock}")
        return 1, lines
    note = f", {verdict.skipped} not known to the service" if verdict.skipped else ""
    lines.append(
        f"audit: {verdict.audited} packages of {lock} checked, no fixable vulnerability{note}"
    )
    return 0, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", nargs="?", default="requirements/runtime.lock")
    parser.add_argument("--pip-audit", default="pip-audit")
    args = parser.parse_args(argv)
    answered: Verdict | None = None
    for service in SERVICES:
        verdict = run_pip_audit(args.pip_audit, args.lock, service)
        if verdict.reached:
            answered = verdict
            break
    code, lines = decide(answered, args.lock)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
