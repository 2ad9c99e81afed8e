"""Advanced StatefulSet validation (v1beta1 form): each rule's error and its accepted edge."""

from __future__ import annotations

from typing import Any

import pytest
from support.fields import DELETE, with_field
from support.validation import messages, statefulset

from kruise.apis.apps.validation.statefulset import validate_statefulset

RU = "spec.updateStrategy.rollingUpdate"
GATE = [{"conditionType": "InPlaceUpdateReady"}]
IMMUTABLE = (
    "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
    "'template', 'reserveOrdinals', 'lifecycle', 'revisionHistoryLimit', "
    "'persistentVolumeClaimRetentionPolicy', 'volumeClaimTemplates', 'scaleStrategy' and "
    "'updateStrategy' are forbidden"
)


def test_sample_is_valid() -> None:
    assert validate_statefulset(statefulset()) == []


def parallel() -> dict[str, Any]:
    return with_field(statefulset(), "spec.podManagementPolicy", "Parallel")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("spec.podManagementPolicy", "", "spec.podManagementPolicy: Required value"),
        (
            "spec.podManagementPolicy",
            "Ordered",
            'spec.podManagementPolicy: Unsupported value: "Ordered": '
            'supported values: "OrderedReady", "Parallel"',
        ),
        ("spec.updateStrategy.type", "", "spec.updateStrategy.type: Required value"),
        (
            "spec.updateStrategy.type",
            "Recreate",
            'spec.updateStrategy.type: Unsupported value: "Recreate": '
            'supported values: "RollingUpdate", "OnDelete"',
        ),
        (
            "spec.updateStrategy.type",
            "OnDelete",
            f'{RU}: Invalid value: {{"partition":0,"maxUnavailable":1,"podUpdatePolicy":"ReCreate",'
            f"\"minReadySeconds\":0}}: only allowed for updateStrategy 'RollingUpdate'",
        ),
        (
            f"{RU}.partition",
            -1,
            f"{RU}.partition: Invalid value: -1: must be greater than or equal to 0",
        ),
        (f"{RU}.partition", 3, None),
        (f"{RU}.minReadySeconds", 300, None),
        (f"{RU}.minReadySeconds", 0, None),
        (
            f"{RU}.minReadySeconds",
            301,
            f"{RU}.minReadySeconds: Invalid value: 301: must be between 0 and 300, inclusive",
        ),
        (
            f"{RU}.minReadySeconds",
            -1,
            f"{RU}.minReadySeconds: Invalid value: -1: must be between 0 and 300, inclusive",
        ),
        (f"{RU}.maxUnavailable", DELETE, f"{RU}.maxUnavailable: Required value"),
        (
            f"{RU}.maxUnavailable",
            0,
            f"{RU}.maxUnavailable: Invalid value: 0: must be at least 1, or a percentage above 0%",
        ),
        (
            f"{RU}.maxUnavailable",
            2,
            f"{RU}.maxUnavailable: Invalid value: 2: must be 1 unless "
            f"podManagementPolicy is Parallel",
        ),
        (
            f"{RU}.maxUnavailable",
            "100%",
            f'{RU}.maxUnavailable: Invalid value: "100%": '
            "must be 1 unless podManagementPolicy is Parallel",
        ),
        (
            f"{RU}.maxUnavailable",
            "1",
            f'{RU}.maxUnavailable: Invalid value: "1": a string must be a percentage such as "1%"; '
            "write a count as the number 1, without quotes",
        ),
        (f"{RU}.podUpdatePolicy", "", f"{RU}.podUpdatePolicy: Required value"),
        (
            f"{RU}.podUpdatePolicy",
            "Recreate",
            f'{RU}.podUpdatePolicy: Unsupported value: "Recreate": '
            'supported values: "ReCreate", "InPlaceIfPossible", "InPlaceOnly"',
        ),
        (
            f"{RU}.podUpdatePolicy",
            "InPlaceIfPossible",
            "spec.template.spec.readinessGates: Invalid value: null: "
            "must contain InPlaceUpdateReady when podUpdatePolicy is InPlaceIfPossible",
        ),
        (
            f"{RU}.unorderedUpdate",
            {"priorityStrategy": {"orderPriority": [{"orderedKey": "rank"}]}},
            f"{RU}.unorderedUpdate: Forbidden: only allowed when podManagementPolicy is Parallel",
        ),
        (
            f"{RU}.inPlaceUpdateStrategy",
            {"gracePeriodSeconds": -5},
            f"{RU}.inPlaceUpdateStrategy.gracePeriodSeconds: Invalid value: -5: "
            "must be greater than or equal to 0",
        ),
        (
            "spec.replicas",
            -1,
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        ),
        ("spec.selector", DELETE, "spec.selector: Required value"),
        (
            "spec.selector",
            {},
            "spec.selector: Invalid value: {}: empty selector is invalid for statefulset",
        ),
        (
            "spec.template.metadata.labels",
            {"app": "other"},
            'spec.template.metadata.labels: Invalid value: {"app":"other"}: '
            "`selector` does not match template `labels`",
        ),
        (
            "spec.template.spec.restartPolicy",
            "OnFailure",
            'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": '
            'supported values: "Always"',
        ),
        (
            "spec.template.spec.activeDeadlineSeconds",
            5,
            "spec.template.spec.activeDeadlineSeconds: Forbidden: "
            "activeDeadlineSeconds in StatefulSet is not supported",
        ),
        (
            "spec.revisionHistoryLimit",
            -1,
            "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
        ),
    ],
)
def test_field_rule(field: str, value: Any, expected: str | None) -> None:
    errors = messages(validate_statefulset(with_field(statefulset(), field, value)))
    assert errors == ([expected] if expected else [])


@pytest.mark.parametrize("value", [1, 2, "1%", "50%", "100%"])
def test_parallel_sets_accept_any_positive_max_unavailable(value: Any) -> None:
    assert validate_statefulset(with_field(parallel(), f"{RU}.maxUnavailable", value)) == []


def test_parallel_max_unavailable_percent_over_100_is_refused() -> None:
    errors = messages(validate_statefulset(with_field(parallel(), f"{RU}.maxUnavailable", "101%")))
    assert errors == [f'{RU}.maxUnavailable: Invalid value: "101%": must be between 0% and 100%']


@pytest.mark.parametrize("policy", ["InPlaceIfPossible", "InPlaceOnly"])
def test_in_place_policies_pass_with_the_readiness_gate(policy: str) -> None:
    obj = with_field(statefulset(), f"{RU}.podUpdatePolicy", policy)
    assert validate_statefulset(with_field(obj, "spec.template.spec.readinessGates", GATE)) == []


def test_unordered_update_with_parallel() -> None:
    ok = {
        "priorityStrategy": {
            "weightPriority": [{"weight": 100, "matchSelector": {"matchLabels": {"a": "b"}}}]
        }
    }
    assert validate_statefulset(with_field(parallel(), f"{RU}.unorderedUpdate", ok)) == []
    bad = {"priorityStrategy": {"orderPriority": [{"orderedKey": ""}]}}
    assert messages(validate_statefulset(with_field(parallel(), f"{RU}.unorderedUpdate", bad))) == [
        f"{RU}.unorderedUpdate.priorityStrategy.orderPriority[0].orderedKey: Required value"
    ]


def test_on_delete_without_rolling_update_is_valid() -> None:
    obj = with_field(statefulset(), "spec.updateStrategy", {"type": "OnDelete"})
    assert validate_statefulset(obj) == []


@pytest.mark.parametrize(
    "field",
    ["spec.serviceName", "spec.podManagementPolicy", "spec.selector", "spec.futureField"],
)
def test_immutable_fields(field: str) -> None:
    values = {
        "spec.serviceName": "other",
        "spec.podManagementPolicy": "Parallel",
        "spec.selector": {"matchLabels": {"app": "demo", "tier": "web"}},
        "spec.futureField": {"a": 1},
    }
    old = with_field(statefulset(), "spec.template.metadata.labels.tier", "web")
    assert messages(validate_statefulset(with_field(old, field, values[field]), old)) == [
        f"{field}: {IMMUTABLE}"
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spec.replicas", 5),
        ("spec.template.spec.containers[0].image", "nginx:1.20"),
        (f"{RU}.partition", 2),
        ("spec.reserveOrdinals", [1, "3-4"]),
        # Mutable since OpenKruise v1.x.
        ("spec.revisionHistoryLimit", 3),
        ("spec.ordinals", {"start": 2}),
        ("spec.lifecycle", {"preDelete": {"finalizersHandler": ["example.com/hold"]}}),
        ("spec.scaleStrategy", {"maxUnavailable": 1}),
        ("spec.persistentVolumeClaimRetentionPolicy.whenScaled", "Delete"),
        ("spec.volumeClaimTemplates", [{"metadata": {"name": "data"}}]),
    ],
)
def test_mutable_fields(field: str, value: Any) -> None:
    old = statefulset()
    assert validate_statefulset(with_field(old, field, value), old) == []


def test_in_place_only_is_anchored() -> None:
    """v0.7.0 matched /containers/<n>/image unanchored, letting imagePullPolicy through."""
    old = with_field(statefulset(), f"{RU}.podUpdatePolicy", "InPlaceOnly")
    old = with_field(old, "spec.template.spec.readinessGates", GATE)
    image = with_field(old, "spec.template.spec.containers[0].image", "nginx:1.20")
    assert validate_statefulset(image, old) == []
    policy = with_field(old, "spec.template.spec.containers[0].imagePullPolicy", "Never")
    assert messages(validate_statefulset(policy, old)) == [
        "spec.template.spec.containers[0].imagePullPolicy: Forbidden: only container images "
        "may change when spec.updateStrategy.rollingUpdate.podUpdatePolicy is InPlaceOnly "
        "(this is a replace of /containers/0/imagePullPolicy)"
    ]
