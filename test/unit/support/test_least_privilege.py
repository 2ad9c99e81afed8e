"""The audit-log analysis behind the e2e session's least-privilege check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.least_privilege import EXERCISERS, NOT_EXERCISED, Grant, findings, used

ACCOUNT = "system:serviceaccount:kube-system:kruise-manager"
PODS_CREATE: Grant = ("", "pods", "create")
STATUS_UPDATE: Grant = ("apps.kruise.io", "clonesets/status", "update")


def event(verb: str, group: str, resource: str, decision: str = "allow", **ref: Any) -> dict:
    object_ref = {"apiGroup": group, "resource": resource, "namespace": "ns", **ref}
    return {
        "verb": verb,
        "user": {"username": ACCOUNT},
        "objectRef": object_ref,
        "annotations": {"authorization.k8s.io/decision": decision},
    }


def audit_log(tmp_path: Path, *events: dict) -> Path:
    path = tmp_path / "audit.log"
    path.write_text("".join(json.dumps(e) + "\n" for e in events) + "\n")
    return path


def test_used_grants_and_refusals_come_from_the_authorizer_decision(tmp_path: Path) -> None:
    log = audit_log(
        tmp_path,
        event("create", "", "pods"),
        event("update", "apps.kruise.io", "clonesets", subresource="status"),
        event("delete", "", "secrets", decision="forbid", name="kruise-webhook-certs"),
        {"verb": "get", "requestURI": "/apis"},  # discovery: no object
    )
    seen, refused = used(log)
    assert seen == {PODS_CREATE, STATUS_UPDATE}
    assert refused == ["('', 'secrets', 'delete') ns/kruise-webhook-certs"]


def test_a_clean_session_has_no_findings(tmp_path: Path) -> None:
    log = audit_log(tmp_path, event("create", "", "pods"))
    grants = {PODS_CREATE, *NOT_EXERCISED}
    assert findings(log, EXERCISERS, lambda: grants) == []


def test_a_refused_request_is_a_finding_even_in_a_partial_run(tmp_path: Path) -> None:
    log = audit_log(
        tmp_path, event("create", "", "pods"), event("list", "", "nodes", decision="forbid")
    )
    [problem] = findings(log, ["test_cloneset_e2e.py"], lambda: pytest.fail("not asked"))
    assert problem.startswith("refused (a rule is missing): ('', 'nodes', 'list')")


def test_an_unused_grant_is_a_finding_only_when_the_whole_suite_ran(tmp_path: Path) -> None:
    log = audit_log(tmp_path, event("create", "", "pods"))
    grants = {PODS_CREATE, ("", "nodes", "delete"), *NOT_EXERCISED}
    [problem] = findings(log, EXERCISERS, lambda: grants)
    assert problem == ("granted but never used (drop them or say why): [('', 'nodes', 'delete')]")
    assert findings(log, EXERCISERS[:1], lambda: grants) == []


def test_an_explanation_without_its_grant_is_stale(tmp_path: Path) -> None:
    log = audit_log(tmp_path, event("create", "", "pods"))
    gone = next(iter(NOT_EXERCISED))
    grants = {PODS_CREATE, *NOT_EXERCISED} - {gone}
    [problem] = findings(log, EXERCISERS, lambda: grants)
    assert problem == f"explanations for grants that no longer exist: {[gone]}"


def test_an_empty_log_is_a_finding(tmp_path: Path) -> None:
    assert findings(audit_log(tmp_path), EXERCISERS) == [
        "the audit log recorded no request of kruise-manager"
    ]
