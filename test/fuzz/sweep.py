"""One sweep of cases against the target, the run's tally, and the after-run health check."""

from __future__ import annotations

import json
from collections import Counter

from support.admission import cloneset

from fuzz.checks import check, outcome
from fuzz.mutations import ANSWER, Case
from fuzz.reviews import webhook_paths
from fuzz.schema import NAMESPACE
from fuzz.target import Target


def pods_to_delete_update(names: list[str]) -> Case:
    """A valid CloneSet UPDATE newly naming ``names`` in podsToDelete, to the validating
    webhook, which reads each newly named pod."""
    old = cloneset()
    new = json.loads(json.dumps(old))
    new["spec"]["scaleStrategy"] = {"podsToDelete": names}
    review = {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "pods-to-delete",
            "kind": {"group": "apps.kruise.io", "version": "v1alpha1", "kind": "CloneSet"},
            "resource": {"group": "apps.kruise.io", "version": "v1alpha1", "resource": "clonesets"},
            "name": "demo",
            "namespace": NAMESPACE,
            "operation": "UPDATE",
            "userInfo": {"username": "fuzz"},
            "object": new,
            "oldObject": old,
        },
    }
    path = webhook_paths("CloneSet")[1]
    return Case(
        path,
        json.dumps(review).encode(),
        "application/json",
        ANSWER,
        "whole",
        "pods-to-delete",
        review,
    )


def _valid_review() -> Case:
    obj = cloneset()
    review = {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "still-answering",
            "kind": {"group": "apps.kruise.io", "version": "v1alpha1", "kind": "CloneSet"},
            "resource": {"group": "apps.kruise.io", "version": "v1alpha1", "resource": "clonesets"},
            "name": "demo",
            "namespace": "default",
            "operation": "CREATE",
            "userInfo": {"username": "fuzz"},
            "object": obj,
        },
    }
    path = webhook_paths("CloneSet")[0]  # the defaulting webhook: allowed, with a patch
    return Case(
        path,
        json.dumps(review).encode(),
        "application/json",
        ANSWER,
        "whole",
        "still-answering",
        review,
    )


def assert_still_answering(target: Target) -> None:
    """A valid review is answered and allowed, within the handler timeout."""
    case = _valid_review()
    [answer] = target.send([case])
    assert answer.status == 200, answer
    assert not check(case, answer)
    assert json.loads(answer.body)["response"]["allowed"] is True, answer.body


def sweep(target: Target, cases: list[Case], tally: Counter[str]) -> None:
    """Send ``cases``; fail on any wrong answer, error logged, or read of a non-pod."""
    logged, reads = len(target.errors()), len(target.pod_reads)
    answers = target.send(cases)
    tally.update(outcome(answer) for answer in answers)
    problems = [
        f"{problem}\n    for {case.describe()}"
        for case, answer in zip(cases, answers, strict=True)
        for problem in check(case, answer)
    ]
    problems += [f"logged: {line}" for line in target.errors()[logged:]]
    problems += [
        f"the pod read for {name!r} read a {kind}"
        for name, kind in target.pod_reads[reads:]
        if kind not in (None, "Pod")
    ]
    assert not problems, "\n".join(problems[:10])


def report(what: str, sent: int, tally: Counter[str]) -> None:
    print(f"\n{sent} {what}: " + ", ".join(f"{k} {v}" for k, v in tally.most_common()))
