"""CloneSet validation: each rule's exact error, and the edge value it still accepts."""

from __future__ import annotations

from typing import Any

import pytest
from support.fields import DELETE, with_field
from support.validation import UID, cloneset, messages

from kruise.apis.apps.validation.cloneset import PodLookup, pods_to_look_up, validate_cloneset

US = "spec.updateStrategy"
PRIO = f"{US}.priorityStrategy"
IMMUTABLE = (
    "Forbidden: updates to cloneset spec for fields other than 'replicas', 'template', "
    "'lifecycle', 'scaleStrategy', 'updateStrategy', 'minReadySeconds', "
    "'progressDeadlineSeconds', 'volumeClaimTemplates' and 'revisionHistoryLimit' are forbidden"
)


def test_sample_is_valid() -> None:
    assert validate_cloneset(cloneset()) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "spec.replicas",
            -1,
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        ),
        ("spec.replicas", 0, None),
        ("spec.selector", DELETE, "spec.selector: Required value"),
        (
            "spec.selector",
            {},
            "spec.selector: Invalid value: {}: empty selector is invalid for cloneset",
        ),
        (
            "spec.selector.matchLabels.app",
            "other",
            'spec.template.metadata.labels: Invalid value: {"app":"demo"}: '
            "`selector` does not match template `labels`",
        ),
        (
            "spec.selector",
            {"matchExpressions": [{"key": "app", "operator": "Is", "values": ["demo"]}]},
            'spec.selector.matchExpressions[0].operator: Unsupported value: "Is": '
            'supported values: "In", "NotIn", "Exists", "DoesNotExist"',
        ),
        (
            "spec.selector",
            {"matchExpressions": [{"key": "app", "operator": "In"}]},
            "spec.selector.matchExpressions[0].values: Required value: "
            "must be specified when `operator` is 'In' or 'NotIn'",
        ),
        (
            "spec.selector",
            {"matchExpressions": [{"key": "app", "operator": "In", "values": ["demo"]}]},
            None,
        ),
        (
            "spec.template.spec.restartPolicy",
            "Never",
            'spec.template.spec.restartPolicy: Unsupported value: "Never": supported '
            'values: "Always"',
        ),
        ("spec.template.spec.restartPolicy", "", None),
        (
            "spec.template.spec.activeDeadlineSeconds",
            10,
            "spec.template.spec.activeDeadlineSeconds: Forbidden: "
            "activeDeadlineSeconds in cloneset is not supported",
        ),
        (
            f"{US}.type",
            "Rolling",
            f'{US}.type: Unsupported value: "Rolling": '
            'supported values: "ReCreate", "InPlaceIfPossible", "InPlaceOnly", "OnDelete"',
        ),
        (f"{US}.type", "OnDelete", None),
        (
            f"{US}.partition",
            "120%",
            f'{US}.partition: Invalid value: "120%": must be between 0% and 100%',
        ),
        (
            f"{US}.partition",
            "101%",
            f'{US}.partition: Invalid value: "101%": must be between 0% and 100%',
        ),
        (
            f"{US}.partition",
            "-5%",
            f'{US}.partition: Invalid value: "-5%": must be between 0% and 100%',
        ),
        (f"{US}.partition", "100%", None),
        (f"{US}.partition", "0%", None),
        (
            f"{US}.partition",
            "5",
            f'{US}.partition: Invalid value: "5": a string must be a percentage such as "5%"; '
            "write a count as the number 5, without quotes",
        ),
        (
            f"{US}.partition",
            "abc",
            f'{US}.partition: Invalid value: "abc": must be an integer or a percentage '
            f'such as "20%"',
        ),
        (
            f"{US}.partition",
            -1,
            f"{US}.partition: Invalid value: -1: must be greater than or equal to 0",
        ),
        (f"{US}.partition", 9, None),  # above replicas: every pod stays at the old revision
        (
            f"{US}.maxUnavailable",
            "101%",
            f'{US}.maxUnavailable: Invalid value: "101%": must be between 0% and 100%',
        ),
        (f"{US}.maxUnavailable", "100%", None),
        (f"{US}.maxSurge", "150%", None),
        (
            f"{US}.maxSurge",
            "-1%",
            f'{US}.maxSurge: Invalid value: "-1%": must be greater than or equal to 0%',
        ),
        (
            f"{US}.inPlaceUpdateStrategy.gracePeriodSeconds",
            -1,
            f"{US}.inPlaceUpdateStrategy.gracePeriodSeconds: Invalid value: -1: "
            "must be greater than or equal to 0",
        ),
        (
            "spec.minReadySeconds",
            -1,
            "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
        ),
        ("spec.minReadySeconds", 0, None),
        (
            "spec.revisionHistoryLimit",
            -1,
            "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            "metadata.name",
            "Demo",
            'metadata.name: Invalid value: "Demo": a lowercase RFC 1123 subdomain must consist of '
            "lower case alphanumeric characters, '-' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'example.com', regex used for validation is "
            r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
        ("metadata.name", "demo.v2", None),
    ],
)
def test_field_rule(field: str, value: Any, expected: str | None) -> None:
    errors = messages(validate_cloneset(with_field(cloneset(), field, value)))
    assert errors == ([expected] if expected else [])


def _strategy(**fields: Any) -> dict[str, Any]:
    obj = cloneset()
    obj["spec"]["updateStrategy"].update(fields)
    return obj


def test_max_surge_is_refused_with_in_place_only() -> None:
    errors = validate_cloneset(_strategy(type="InPlaceOnly", maxSurge=1))
    assert messages(errors) == [
        f"{US}.maxSurge: Invalid value: 1: can not use maxSurge with strategy type InPlaceOnly"
    ]
    assert validate_cloneset(_strategy(type="InPlaceOnly", maxSurge=0)) == []


def test_every_update_strategy_field_is_checked_in_order() -> None:
    errors = validate_cloneset(
        _strategy(
            type="Bogus",
            partition="5",
            priorityStrategy={
                "weightPriority": [{"weight": 1, "matchSelector": {"matchLabels": {"a": "b"}}}],
                "orderPriority": [{"orderedKey": "a"}],
            },
            scatterStrategy=[{"key": "", "value": ""}],
            inPlaceUpdateStrategy={"gracePeriodSeconds": -1},
            maxUnavailable="abc",
            maxSurge=0,  # with an unreadable maxUnavailable, the joint rule is not applied
        )
    )
    assert [e.field for e in errors] == [
        f"{US}.type",
        f"{US}.partition",
        f"{US}.priorityStrategy",
        f"{US}.scatterStrategy[0].key",
        f"{US}.inPlaceUpdateStrategy.gracePeriodSeconds",
        f"{US}.maxUnavailable",
    ]
    assert messages(validate_cloneset(_strategy(maxUnavailable="101%", maxSurge="x"))) == [
        f'{US}.maxUnavailable: Invalid value: "101%": must be between 0% and 100%',
        f'{US}.maxSurge: Invalid value: "x": must be an integer or a percentage such as "20%"',
    ]


def test_max_unavailable_and_max_surge_cannot_both_resolve_below_one() -> None:
    errors = validate_cloneset(_strategy(maxUnavailable=0, maxSurge=0))
    assert messages(errors) == [
        f"{US}.maxUnavailable: Invalid value: 0: "
        "maxUnavailable and maxSurge should not both be less than 1"
    ]
    # 10% of 5 rounds up to 1 pod of surge.
    assert validate_cloneset(_strategy(maxUnavailable="0%", maxSurge="10%")) == []
    # Nothing to update with no replicas.
    assert (
        validate_cloneset(with_field(_strategy(maxUnavailable=0, maxSurge=0), "spec.replicas", 0))
        == []
    )


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (
            {"weightPriority": [{"weight": 101, "matchSelector": {"matchLabels": {"a": "b"}}}]},
            f"{PRIO}.weightPriority[0].weight: Invalid value: 101: must be between 0 "
            f"and 100, inclusive",
        ),
        (
            {"weightPriority": [{"weight": -1, "matchSelector": {"matchLabels": {"a": "b"}}}]},
            f"{PRIO}.weightPriority[0].weight: Invalid value: -1: must be between 0 "
            f"and 100, inclusive",
        ),
        ({"weightPriority": [{"weight": 0, "matchSelector": {"matchLabels": {"a": "b"}}}]}, None),
        ({"weightPriority": [{"weight": 100, "matchSelector": {"matchLabels": {"a": "b"}}}]}, None),
        (
            {"weightPriority": [{"weight": 50, "matchSelector": {}}]},
            f"{PRIO}.weightPriority[0].matchSelector: Required value: a non-empty "
            f"selector is required",
        ),
        (
            {
                "weightPriority": [{"weight": 50, "matchSelector": {"matchLabels": {"a": "b"}}}],
                "orderPriority": [{"orderedKey": "rank"}],
            },
            f"{PRIO}: Forbidden: only one of weightPriority and orderPriority can be used",
        ),
        (
            {"orderPriority": [{"orderedKey": ""}]},
            f"{PRIO}.orderPriority[0].orderedKey: Required value",
        ),
        ({"orderPriority": [{"orderedKey": "rank"}]}, None),
    ],
)
def test_priority_strategy(strategy: dict[str, Any], expected: str | None) -> None:
    errors = messages(validate_cloneset(_strategy(priorityStrategy=strategy)))
    assert errors == ([expected] if expected else [])


def test_scatter_strategy() -> None:
    terms = [
        {"key": "zone", "value": "a"},
        {"key": "zone", "value": "a"},
        {"key": "", "value": "b"},
    ]
    assert messages(validate_cloneset(_strategy(scatterStrategy=terms))) == [
        f'{US}.scatterStrategy[1]: Duplicate value: {{"key":"zone","value":"a"}}',
        f"{US}.scatterStrategy[2].key: Required value",
    ]
    ok = [{"key": "zone", "value": "a"}, {"key": "zone", "value": "b"}]
    assert validate_cloneset(_strategy(scatterStrategy=ok)) == []


def test_claim_templates_need_unique_names_and_back_volume_mounts() -> None:
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
    obj = with_field(cloneset(), "spec.volumeClaimTemplates", [claim, claim])
    obj = with_field(
        obj, "spec.template.spec.containers[0].volumeMounts", [{"name": "data", "mountPath": "/d"}]
    )
    assert messages(validate_cloneset(obj)) == [
        'spec.volumeClaimTemplates[1].metadata.name: Duplicate value: "data"'
    ]
    assert validate_cloneset(with_field(obj, "spec.volumeClaimTemplates", [claim])) == []


def test_pods_to_delete_duplicates_are_listed() -> None:
    obj = with_field(cloneset(), "spec.scaleStrategy.podsToDelete", ["b", "a", "b", "a"])
    assert messages(validate_cloneset(obj, cloneset())) == [
        'spec.scaleStrategy.podsToDelete: Invalid value: ["b","a","b","a"]: duplicated items [a b]'
    ]
    assert pods_to_look_up(obj, cloneset()) == []


def test_pods_to_delete_is_refused_on_create() -> None:
    obj = with_field(cloneset(), "spec.scaleStrategy.podsToDelete", ["demo-abcde"])
    assert pods_to_look_up(obj, None) == []
    assert messages(validate_cloneset(obj)) == [
        'spec.scaleStrategy.podsToDelete: Invalid value: "demo-abcde": '
        "pod demo-abcde cannot belong to a CloneSet that is being created"
    ]


def _pod(owner_uid: str | None = UID, terminating: bool = False) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "p", "namespace": "default"}
    if owner_uid is not None:
        metadata["ownerReferences"] = [
            {"apiVersion": "v1", "kind": "Other", "name": "x", "uid": "not-a-controller"},
            {"kind": "CloneSet", "name": "demo", "uid": owner_uid, "controller": True},
        ]
    if terminating:
        metadata["deletionTimestamp"] = "2020-01-01T00:00:00Z"
    return {"metadata": metadata}


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        (PodLookup(pod=_pod()), None),
        (PodLookup(pod=None), "pod p2 does not exist"),
        (PodLookup(error="connection refused"), "pod p2 could not be read: connection refused"),
        (PodLookup(pod=_pod(terminating=True)), "pod p2 is already terminating"),
        (PodLookup(pod=_pod(owner_uid=None)), "pod p2 is not controlled by this CloneSet"),
        (PodLookup(pod=_pod(owner_uid="another")), "pod p2 is not controlled by this CloneSet"),
    ],
)
def test_pods_newly_added_to_pods_to_delete_are_checked(
    lookup: PodLookup, expected: str | None
) -> None:
    old = with_field(cloneset(), "spec.scaleStrategy.podsToDelete", ["p1"])
    new = with_field(cloneset(), "spec.scaleStrategy.podsToDelete", ["p1", "p2"])
    assert pods_to_look_up(new, old) == ["p2"]
    errors = messages(validate_cloneset(new, old, {"p2": lookup}))
    prefix = 'spec.scaleStrategy.podsToDelete: Invalid value: "p2": '
    assert errors == ([prefix + expected] if expected else [])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spec.selector", {"matchLabels": {"app": "demo", "tier": "web"}}),
    ],
)
def test_immutable_fields(field: str, value: Any) -> None:
    old = cloneset()
    new = with_field(old, field, value)
    new = with_field(new, "spec.template.metadata.labels.tier", "web")
    assert messages(validate_cloneset(new, old)) == [f"{field}: {IMMUTABLE}"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spec.replicas", 9),
        ("spec.template.spec.containers[0].image", "nginx:1.20"),
        ("spec.volumeClaimTemplates", [{"metadata": {"name": "data"}}]),
        ("spec.scaleStrategy", {"podsToDelete": []}),
        ("spec.updateStrategy.paused", True),
        ("spec.minReadySeconds", 30),
        ("spec.lifecycle", {"preDelete": {"finalizersHandler": ["example.com/hold"]}}),
        ("spec.revisionHistoryLimit", 3),
    ],
)
def test_mutable_fields(field: str, value: Any) -> None:
    old = cloneset()
    assert validate_cloneset(with_field(old, field, value), old) == []


def test_metadata_name_is_immutable() -> None:
    old = cloneset()
    assert messages(validate_cloneset(with_field(old, "metadata.name", "other"), old)) == [
        'metadata.name: Invalid value: "other": field is immutable'
    ]


IN_PLACE = "only container images may change when spec.updateStrategy.type is InPlaceOnly"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("spec.template.spec.containers[0].image", "nginx:1.20", None),
        ("spec.template.metadata.annotations", {"note": "changed"}, None),
        (
            "spec.template.spec.containers[0].imagePullPolicy",
            "IfNotPresent",
            "spec.template.spec.containers[0].imagePullPolicy: Forbidden: "
            f"{IN_PLACE} (this is a replace of /containers/0/imagePullPolicy)",
        ),
        (
            "spec.template.spec.containers[0].env",
            [{"name": "A", "value": "1"}],
            "spec.template.spec.containers[0].env: Forbidden: "
            f"{IN_PLACE} (this is a add of /containers/0/env)",
        ),
    ],
)
def test_in_place_only_allows_only_image_changes(
    field: str, value: Any, expected: str | None
) -> None:
    old = _strategy(type="InPlaceOnly")
    new = with_field(old, field, value)
    errors = messages(validate_cloneset(new, old))
    assert errors == ([expected] if expected else [])
    # The same change is fine when in-place is only preferred.
    relaxed_old = with_field(old, f"{US}.type", "InPlaceIfPossible")
    relaxed_new = with_field(new, f"{US}.type", "InPlaceIfPossible")
    assert validate_cloneset(relaxed_new, relaxed_old) == []


def test_in_place_only_refuses_a_new_container() -> None:
    old = _strategy(type="InPlaceOnly")
    sidecar = {**old["spec"]["template"]["spec"]["containers"][0], "name": "sidecar"}
    new = with_field(old, "spec.template.spec.containers[1]", sidecar)
    assert messages(validate_cloneset(new, old)) == [
        f"spec.template.spec.containers[1]: Forbidden: {IN_PLACE} (this is a add of /containers/1)"
    ]


def test_an_update_is_judged_by_what_it_changes() -> None:
    """A CloneSet that OpenKruise admitted with partition "5" can still be scaled and
    deleted; only writing a new bad value is refused."""
    stored = with_field(cloneset(), f"{US}.partition", "5")
    assert validate_cloneset(with_field(stored, "spec.replicas", 8), stored) == []
    finalizing = with_field(stored, "metadata.deletionTimestamp", "2021-01-01T00:00:00Z")
    assert validate_cloneset(with_field(finalizing, "metadata.finalizers", []), stored) == []
    assert messages(validate_cloneset(with_field(stored, f"{US}.partition", "7"), stored)) == [
        f'{US}.partition: Invalid value: "7": a string must be a percentage such as "7%"; '
        "write a count as the number 7, without quotes"
    ]
