"""Least privilege, proven from the API server's audit log of an e2e session.

In the local e2e mode kruise-manager runs under its ServiceAccount's token and the API
server records every request that identity makes (see ``AUDIT_POLICY`` in
``support/kruise_env.py``). Against the rules of config/rbac:

* nothing it asked for was refused (a missing rule), and
* every verb granted was used by some request in the session, or is listed in
  ``NOT_EXERCISED`` with the reason the suite does not reach it (an excess rule). This
  second check means something only when the modules in ``EXERCISERS`` ran.

The e2e environment fixture (test/e2e/kruise/conftest.py) runs ``findings`` once the
session's last e2e test is done and kruise-manager has stopped.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import yaml

from kruise.runtime.envtest.binaries import Binaries
from support.paths import REPO_ROOT

Grant = tuple[str, str, str]  # (apiGroup, resource[/subresource], verb)

# Granted but not reached by the e2e suite, and why each is needed.
NOT_EXERCISED: dict[Grant, str] = {
    ("apps", "controllerrevisions", "update"): (
        "a rollback renumbers the older equal revision (cloneset/revision.py); covered by "
        "test_revisions_status.py::test_rollback_reuses_the_older_revision"
    ),
    ("apps", "controllerrevisions", "delete"): (
        "history beyond revisionHistoryLimit (10) is pruned (cloneset/reconcile.py); covered "
        "by test_revisions_status.py with a limit of 1"
    ),
    ("apps", "controllerrevisions", "get"): (
        "a create that meets AlreadyExists reads the existing revision to compare data "
        "(cloneset/revision.py, hash collisions)"
    ),
    ("", "events", "patch"): (
        "the event recorder patches count/lastTimestamp when an identical event repeats "
        "within its aggregation window (kruise/runtime/events.py)"
    ),
    ("", "secrets", "update"): (
        "the certificate controller rewrites the Secret when it is damaged or expires "
        "(kruise/webhook/certs/controller.py); covered by test/integration/webhook/certs"
    ),
    ("apiextensions.k8s.io", "customresourcedefinitions", "get"): (
        "the certificate controller re-reads a CRD after a conflict on injection "
        "(kruise/webhook/certs/inject.py)"
    ),
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "get"): (
        "re-read after a conflict on caBundle injection (kruise/webhook/certs/inject.py)"
    ),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations", "get"): (
        "re-read after a conflict on caBundle injection (kruise/webhook/certs/inject.py)"
    ),
    ("apps.kruise.io", "clonesets", "get"): (
        "the status write re-reads the CloneSet after a conflict (cloneset/reconcile.py)"
    ),
    ("", "pods", "get"): (
        "the CloneSet validating webhook reads pods newly named in podsToDelete "
        "(kruise/webhook/setup.py); in URL mode it runs with the same identity"
    ),
    ("apps.kruise.io", "broadcastjobs", "patch"): (
        "the Pause failure policy writes spec.paused once a pod fails "
        "(broadcastjob/reconcile.py, _pause); kwok's pods always succeed; covered by "
        "test/integration/controller/broadcastjob/test_failure_policy.py"
    ),
    ("apps.kruise.io", "broadcastjobs", "get"): (
        "re-read after a status conflict (broadcastjob/reconcile.py), and by the "
        "AdvancedCronJob controller when a child's create meets AlreadyExists or status.active "
        "names a child the cache does not show yet (advancedcronjob/reconcile.py)"
    ),
    ("authentication.k8s.io", "tokenreviews", "create"): (
        "--metrics-secure checks each scrape's bearer token (kruise/runtime/metrics/auth.py); "
        "the local e2e manager serves plain metrics; covered, audit log included, by "
        "test/e2e/ship/test_metrics_auth_e2e.py"
    ),
    ("authorization.k8s.io", "subjectaccessreviews", "create"): (
        "--metrics-secure asks whether a scraper may get /metrics "
        "(kruise/runtime/metrics/auth.py); covered, audit log included, by "
        "test/e2e/ship/test_metrics_auth_e2e.py"
    ),
    ("batch", "jobs", "get"): (
        "the AdvancedCronJob controller reads a Job child live when its create meets "
        "AlreadyExists or status.active names one the cache does not show yet "
        "(advancedcronjob/reconcile.py)"
    ),
}

# The test modules that must have run for "every grant was used" to mean anything.
EXERCISERS = (
    "test_cloneset_e2e.py",
    "test_operations_e2e.py",
    "test_statefulset_e2e.py",
    "test_broadcastjob_e2e.py",
    "test_advancedcronjob_e2e.py",
)


def granted() -> set[Grant]:
    """Every (apiGroup, resource, verb) the Roles and ClusterRoles of config/rbac grant."""
    kubectl = Binaries.default().kubectl
    rendered = subprocess.run(
        [str(kubectl), "kustomize", str(REPO_ROOT / "config" / "rbac")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    grants: set[Grant] = set()
    for doc in yaml.safe_load_all(rendered):
        if not doc or doc.get("kind") not in ("ClusterRole", "Role"):
            continue
        for rule in doc.get("rules", []):
            for group in rule.get("apiGroups", []):
                for resource in rule.get("resources", []):
                    for verb in rule.get("verbs", []):
                        grants.add((group, resource, verb))
    return grants


def audit_events(path: Path) -> Iterator[dict[str, Any]]:
    for line in path.read_text().splitlines():
        if line.strip():
            yield json.loads(line)


def used(path: Path) -> tuple[set[Grant], list[str]]:
    """The grants the audited requests used, and the requests the authorizer refused."""
    seen: set[Grant] = set()
    refused: list[str] = []
    for event in audit_events(path):
        ref = event.get("objectRef")
        if not ref:
            continue  # discovery and other non-resource requests
        resource = ref.get("resource", "")
        if ref.get("subresource"):
            resource += "/" + ref["subresource"]
        grant = (ref.get("apiGroup", ""), resource, event["verb"])
        # A 403 can also come from admission (a namespace being deleted); only the
        # authorizer's "forbid" decision means a missing rule.
        decision = (event.get("annotations") or {}).get("authorization.k8s.io/decision")
        if decision == "forbid":
            refused.append(f"{grant} {ref.get('namespace', '')}/{ref.get('name', '')}")
        else:
            seen.add(grant)
    return seen, refused


def findings(
    audit_log: Path, ran: Collection[str], grants: Callable[[], set[Grant]] = granted
) -> list[str]:
    """What breaks least privilege in ``audit_log`` (empty: nothing). ``ran`` names the
    test modules (file names) of the session; ``grants`` says what config/rbac grants."""
    seen, refused = used(audit_log)
    if not seen:
        return ["the audit log recorded no request of kruise-manager"]
    problems = [f"refused (a rule is missing): {request}" for request in refused]
    if not set(EXERCISERS) <= set(ran):
        return problems  # a partial run proves nothing about unused grants
    granted_now = grants()
    unexplained = sorted(g for g in granted_now - seen if g not in NOT_EXERCISED)
    if unexplained:
        problems.append(f"granted but never used (drop them or say why): {unexplained}")
    # Some explained paths (retries after conflicts) run in some sessions and not others;
    # an explanation is stale only when its grant is gone.
    stale = sorted(g for g in NOT_EXERCISED if g not in granted_now)
    if stale:
        problems.append(f"explanations for grants that no longer exist: {stale}")
    return problems
