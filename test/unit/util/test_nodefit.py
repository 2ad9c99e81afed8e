"""The node-fit predicate: node name, selector, affinity, taints, cordons, resources."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.util.nodefit import (
    NODE_AFFINITY_MISMATCH,
    NODE_NAME_MISMATCH,
    NODE_UNSCHEDULABLE,
    TOO_MANY_PODS,
    NodeUsage,
    fits,
    tolerated,
    unfit_reason,
)

Obj = dict[str, Any]


def node(
    name: str = "n1",
    labels: dict[str, str] | None = None,
    taints: list[Obj] | None = None,
    unschedulable: bool = False,
    allocatable: dict[str, str] | None = None,
) -> Obj:
    spec: Obj = {"taints": taints or []}
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "metadata": {"name": name, "labels": labels or {}},
        "spec": spec,
        "status": {"allocatable": allocatable or {"cpu": "2", "memory": "4Gi", "pods": "10"}},
    }


def pod(**spec: Any) -> Obj:
    return {"metadata": {}, "spec": {"containers": [{"name": "c"}], **spec}}


def required(*terms: Obj) -> Obj:
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}
        }
    }


def expr(key: str, op: str, *values: str) -> Obj:
    out: Obj = {"key": key, "operator": op}
    if values:
        out["values"] = list(values)
    return out


def test_a_pod_naming_a_node_fits_only_that_node() -> None:
    assert fits(pod(nodeName="n1"), node("n1"))
    assert unfit_reason(pod(nodeName="n2"), node("n1")) == NODE_NAME_MISMATCH


def test_node_selector_needs_every_label() -> None:
    n = node(labels={"a": "1", "b": "2"})
    assert fits(pod(nodeSelector={"a": "1"}), n)
    assert unfit_reason(pod(nodeSelector={"a": "1", "c": "3"}), n) == NODE_AFFINITY_MISMATCH


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        (expr("zone", "In", "z1", "z2"), True),
        (expr("zone", "In", "z3"), False),
        (expr("zone", "NotIn", "z3"), True),
        (expr("missing", "NotIn", "x"), True),
        (expr("zone", "Exists"), True),
        (expr("missing", "DoesNotExist"), True),
        (expr("zone", "DoesNotExist"), False),
        (expr("gen", "Gt", "4"), True),
        (expr("gen", "Lt", "4"), False),
        (expr("zone", "Gt", "1"), False),  # not a number
        (expr("missing", "Gt", "1"), False),
        (expr("zone", "In"), False),  # unreadable: no values
        (expr("zone", "Exists", "z1"), False),  # unreadable: values with Exists
        (expr("gen", "Gt", "x"), False),  # unreadable bound
        (expr("zone", "Sideways", "z1"), False),
    ],
)
def test_match_expressions(requirement: Obj, expected: bool) -> None:
    n = node(labels={"zone": "z1", "gen": "5"})
    assert fits(pod(affinity=required({"matchExpressions": [requirement]})), n) is expected


def test_terms_are_ored_and_expressions_anded() -> None:
    n = node(labels={"zone": "z1", "gen": "5"})
    both = {"matchExpressions": [expr("zone", "In", "z1"), expr("gen", "Lt", "3")]}
    assert not fits(pod(affinity=required(both)), n)
    either = required(both, {"matchExpressions": [expr("gen", "Gt", "3")]})
    assert fits(pod(affinity=either), n)


def test_an_unreadable_term_is_dropped_and_the_others_still_count() -> None:
    n = node(labels={"zone": "z1"})
    terms = required(
        {"matchExpressions": [expr("zone", "In")]}, {"matchExpressions": [expr("zone", "Exists")]}
    )
    assert fits(pod(affinity=terms), n)


def test_empty_terms_match_nothing() -> None:
    assert not fits(pod(affinity=required()), node())
    assert not fits(pod(affinity=required({})), node())


def test_match_fields_know_the_node_name_only() -> None:
    by_name = {"matchFields": [expr("metadata.name", "In", "n1")]}
    assert fits(pod(affinity=required(by_name)), node("n1"))
    assert not fits(pod(affinity=required(by_name)), node("n2"))
    not_name = {"matchFields": [expr("metadata.name", "NotIn", "n1")]}
    assert fits(pod(affinity=required(not_name)), node("n2"))
    other = {"matchFields": [expr("metadata.uid", "In", "x")]}
    assert not fits(pod(affinity=required(other)), node("n1"))


def test_selector_and_affinity_must_both_hold() -> None:
    n = node(labels={"zone": "z1"})
    spec = {
        "nodeSelector": {"disk": "ssd"},
        "affinity": required({"matchExpressions": [expr("zone", "Exists")]}),
    }
    assert not fits(pod(**spec), n)


@pytest.mark.parametrize(
    ("toleration", "taint", "expected"),
    [
        (
            {"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"},
            {"key": "k", "value": "v", "effect": "NoSchedule"},
            True,
        ),
        ({"key": "k", "value": "v"}, {"key": "k", "value": "v", "effect": "NoExecute"}, True),
        ({"key": "k", "value": "other"}, {"key": "k", "value": "v", "effect": "NoSchedule"}, False),
        (
            {"key": "k", "operator": "Exists"},
            {"key": "k", "value": "v", "effect": "NoSchedule"},
            True,
        ),
        ({"operator": "Exists"}, {"key": "anything", "effect": "NoExecute"}, True),
        (
            {"key": "k", "operator": "Exists", "effect": "NoExecute"},
            {"key": "k", "effect": "NoSchedule"},
            False,
        ),
        ({"key": "other", "operator": "Exists"}, {"key": "k", "effect": "NoSchedule"}, False),
        ({"key": "k", "operator": "Bogus"}, {"key": "k", "effect": "NoSchedule"}, False),
    ],
)
def test_tolerations(toleration: Obj, taint: Obj, expected: bool) -> None:
    assert tolerated(taint, [toleration]) is expected


def test_only_no_schedule_and_no_execute_taints_keep_pods_away() -> None:
    assert fits(pod(), node(taints=[{"key": "k", "effect": "PreferNoSchedule"}]))
    reason = unfit_reason(pod(), node(taints=[{"key": "k", "value": "v", "effect": "NoSchedule"}]))
    assert reason == "node(s) had untolerated taint {k: v}"
    assert not fits(pod(), node(taints=[{"key": "k", "effect": "NoExecute"}]))


def test_a_cordoned_node_needs_the_unschedulable_toleration() -> None:
    cordoned = node(unschedulable=True)
    assert unfit_reason(pod(), cordoned) == NODE_UNSCHEDULABLE
    tolerant = pod(
        tolerations=[
            {
                "key": "node.kubernetes.io/unschedulable",
                "operator": "Exists",
                "effect": "NoSchedule",
            }
        ]
    )
    assert fits(tolerant, cordoned)


def asking(cpu: str | None = None, memory: str | None = None) -> Obj:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    return {
        "metadata": {},
        "spec": {"containers": [{"name": "c", "resources": {"requests": requests}}]},
    }


def test_resources_are_checked_only_with_a_usage() -> None:
    big = asking(cpu="3")
    assert fits(big, node())
    assert unfit_reason(big, node(), NodeUsage()) == "Insufficient cpu"


def test_resources_count_what_bound_pods_take() -> None:
    n = node(allocatable={"cpu": "1", "memory": "1Gi", "pods": "3"})
    used = NodeUsage.of([asking(cpu="600m", memory="512Mi")])
    assert fits(asking(cpu="400m"), n, used)
    assert unfit_reason(asking(cpu="401m"), n, used) == "Insufficient cpu"
    assert unfit_reason(asking(memory="513Mi"), n, used) == "Insufficient memory"


def test_allocatable_pods_are_a_limit_too() -> None:
    n = node(allocatable={"cpu": "8", "memory": "8Gi", "pods": "2"})
    assert fits(asking(), n, NodeUsage(pods=1))
    assert unfit_reason(asking(), n, NodeUsage(pods=2)) == TOO_MANY_PODS


def test_a_node_reporting_nothing_allocatable_takes_no_pod() -> None:
    bare = {"metadata": {"name": "n"}, "spec": {}}
    assert unfit_reason(asking(), bare, NodeUsage()) == TOO_MANY_PODS
