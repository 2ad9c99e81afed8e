"""The fault plan without a network: reading requests, matching rules, seeded decisions."""

from __future__ import annotations

import pytest

from kruise.runtime.envtest import Fault, FaultKind, FaultPlan, Rule
from kruise.runtime.envtest.faultproxy import RequestInfo


def req(method: str, path: str, **query: str) -> RequestInfo:
    return RequestInfo.parse(method, path, query)


GET_POD = req("GET", "/api/v1/namespaces/ns/pods/p")
UPDATE_CLONESET = req("PUT", "/apis/apps.kruise.io/v1alpha1/namespaces/ns/clonesets/c")
WATCH_PODS = req("GET", "/api/v1/namespaces/ns/pods", watch="1", resourceVersion="7")


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        ("GET", "/api/v1/namespaces/ns/pods/p", {}, ("get", "pods", "ns", "p")),
        ("GET", "/api/v1/namespaces/ns/pods", {}, ("list", "pods", "ns", "")),
        ("GET", "/api/v1/pods", {"watch": "true"}, ("watch", "pods", "", "")),
        ("GET", "/api/v1/watch/namespaces/ns/pods", {}, ("watch", "pods", "ns", "")),
        ("POST", "/api/v1/namespaces/ns/pods", {}, ("create", "pods", "ns", "")),
        ("PUT", "/api/v1/namespaces/ns/pods/p/status", {}, ("update", "pods/status", "ns", "p")),
        (
            "POST",
            "/api/v1/namespaces/ns/pods/p/eviction",
            {},
            ("create", "pods/eviction", "ns", "p"),
        ),
        (
            "PATCH",
            "/apis/apps/v1/namespaces/ns/deployments/d",
            {},
            ("patch", "deployments.apps", "ns", "d"),
        ),
        ("DELETE", "/api/v1/namespaces/ns/configmaps/c", {}, ("delete", "configmaps", "ns", "c")),
        (
            "DELETE",
            "/api/v1/namespaces/ns/configmaps",
            {},
            ("deletecollection", "configmaps", "ns", ""),
        ),
        ("GET", "/api/v1/nodes/n1", {}, ("get", "nodes", "", "n1")),
        ("GET", "/api/v1/namespaces", {}, ("list", "namespaces", "", "")),
        ("GET", "/api/v1/namespaces/ns", {}, ("get", "namespaces", "ns", "ns")),
        (
            "PUT",
            "/api/v1/namespaces/ns/finalize",
            {},
            ("update", "namespaces/finalize", "ns", "ns"),
        ),
        (
            "PUT",
            "/apis/apps.kruise.io/v1beta1/namespaces/ns/statefulsets/s/scale",
            {},
            ("update", "statefulsets.apps.kruise.io/scale", "ns", "s"),
        ),
    ],
)
def test_requests_are_read_as_kube_apiserver_reads_them(
    method: str, path: str, query: dict[str, str], expected: tuple[str, str, str, str]
) -> None:
    info = RequestInfo.parse(method, path, query)
    assert (info.verb, info.group_resource, info.namespace, info.name) == expected


@pytest.mark.parametrize(
    "path", ["/api", "/apis", "/apis/apps/v1", "/healthz", "/version", "/api/v1"]
)
def test_discovery_and_health_are_not_resource_requests(path: str) -> None:
    info = req("GET", path)
    assert not info.is_resource_request
    assert FaultPlan([Rule.of(Fault.internal_error())]).decide(info) is None


def test_rules_match_verbs_resources_and_namespaces() -> None:
    rule = Rule.of(
        Fault.internal_error(),
        verbs=["get", "update"],
        resources=["pods", "*.apps.kruise.io"],
        namespaces=["ns"],
    )
    assert rule.matches(GET_POD)
    assert rule.matches(UPDATE_CLONESET)
    assert not rule.matches(req("GET", "/api/v1/namespaces/other/pods/p"))
    assert not rule.matches(req("DELETE", "/api/v1/namespaces/ns/pods/p"))
    # A pattern without "/" leaves subresources alone; "pods/*" takes them all.
    assert not rule.matches(req("PUT", "/api/v1/namespaces/ns/pods/p/status"))
    status = Rule.of(Fault.internal_error(), resources=["pods/*"])
    assert status.matches(req("PUT", "/api/v1/namespaces/ns/pods/p/status"))
    assert not status.matches(GET_POD)


def test_conflicts_hit_only_writes_and_watch_faults_only_watches() -> None:
    conflict = Rule.of(Fault.conflict())
    assert conflict.matches(UPDATE_CLONESET)
    assert not conflict.matches(GET_POD)
    assert not conflict.matches(WATCH_PODS)
    for fault in (
        Fault.watch_cut(),
        Fault.watch_expired(),
        Fault.watch_gone(),
        Fault.watch_stall(),
    ):
        rule = Rule.of(fault)
        assert rule.matches(WATCH_PODS)
        assert not rule.matches(GET_POD)
        assert not rule.matches(req("GET", "/api/v1/namespaces/ns/pods"))


def test_rules_refuse_unknown_verbs_and_impossible_probabilities() -> None:
    with pytest.raises(ValueError, match="unknown verbs"):
        Rule.of(Fault.internal_error(), verbs=["fetch"])
    with pytest.raises(ValueError, match="probability"):
        Rule.of(Fault.internal_error(), probability=1.5)


def test_the_first_rule_that_fires_decides_and_max_count_bounds_it() -> None:
    plan = FaultPlan(
        [
            Rule.of(Fault.unavailable(), verbs=["get"], max_count=2),
            Rule.of(Fault.internal_error()),
        ]
    )
    kinds = [plan.decide(GET_POD) for _ in range(4)]
    assert [d.fault.kind if d else None for d in kinds] == [
        FaultKind.UNAVAILABLE,
        FaultKind.UNAVAILABLE,
        FaultKind.INTERNAL_ERROR,
        FaultKind.INTERNAL_ERROR,
    ]
    assert plan.fired() == [2, 2]


def test_probability_zero_never_fires_and_one_always_does() -> None:
    never = FaultPlan([Rule.of(Fault.internal_error(), probability=0.0)])
    always = FaultPlan([Rule.of(Fault.internal_error(), probability=1.0)])
    assert all(never.decide(GET_POD) is None for _ in range(100))
    assert all(always.decide(GET_POD) is not None for _ in range(100))


def _decisions(plan: FaultPlan, requests: list[RequestInfo]) -> list[tuple[int, int, float] | None]:
    out: list[tuple[int, int, float] | None] = []
    for request in requests:
        decision = plan.decide(request)
        out.append(None if decision is None else (decision.rule, decision.match, decision.delay))
    return out


def _mixed_plan(seed: int) -> FaultPlan:
    return FaultPlan(
        [
            Rule.of(Fault.conflict(), probability=0.3),
            Rule.of(Fault.latency(0.01, up_to=0.5), probability=0.4),
            Rule.of(Fault.watch_cut(after_events=2), probability=0.5),
        ],
        seed=seed,
    )


SEQUENCE = [GET_POD, UPDATE_CLONESET, WATCH_PODS] * 100


def test_the_same_seed_and_request_sequence_replay_exactly() -> None:
    first = _decisions(_mixed_plan(3), SEQUENCE)
    assert _decisions(_mixed_plan(3), SEQUENCE) == first
    assert _decisions(_mixed_plan(4), SEQUENCE) != first
    fired = [d for d in first if d is not None]
    # Roughly the probabilities asked for, and latencies drawn within their range.
    assert 60 < len(fired) < 200
    assert all(0.01 <= delay <= 0.5 for rule, _, delay in fired if rule == 1)


def test_a_decision_depends_only_on_its_rule_and_match_number() -> None:
    """Requests of other rules in between do not shift a rule's draws."""
    watches_only = _decisions(_mixed_plan(9), [WATCH_PODS] * 50)
    interleaved = _decisions(_mixed_plan(9), [r for w in [WATCH_PODS] * 50 for r in (GET_POD, w)])
    watch_rule = [d for d in watches_only if d and d[0] == 2]
    assert watch_rule == [d for d in interleaved if d and d[0] == 2]


def test_disabling_stops_new_faults_and_enabling_resumes_them() -> None:
    plan = FaultPlan([Rule.of(Fault.internal_error())])
    plan.disable()
    assert plan.decide(GET_POD) is None
    plan.enable()
    assert plan.decide(GET_POD) is not None


def test_new_rules_start_their_counters_afresh() -> None:
    rule = Rule.of(Fault.internal_error(), max_count=1)
    plan = FaultPlan([rule])
    assert plan.decide(GET_POD) is not None
    assert plan.decide(GET_POD) is None
    plan.set_rules([rule])
    assert plan.fired() == [0]
    assert plan.decide(GET_POD) is not None
