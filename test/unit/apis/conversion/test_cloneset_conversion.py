"""CloneSet conversion between apps.kruise.io/v1alpha1 and v1beta1: one worked example per
renamed or restructured field, and what the carrier annotation may and may not do."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kruise.apis.apps.conversion import (
    CARRIED_FIELDS_ANNOTATION,
    V1ALPHA1,
    V1BETA1,
    CloneSetConverter,
    KruiseConverter,
)
from kruise.apis.apps.conversion.cloneset import field_path_in_v1beta1

converter = CloneSetConverter()
EXCLUDE = "apps.kruise.io/cloneset-scaling-exclude-preparing-delete"


def down(obj: dict[str, Any]) -> dict[str, Any]:
    return converter.convert(obj, V1ALPHA1)


def up(obj: dict[str, Any]) -> dict[str, Any]:
    return converter.convert(obj, V1BETA1)


def cloneset(version: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": version,
        "kind": "CloneSet",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]},
            },
            **spec,
        },
    }


def alpha(**spec: Any) -> dict[str, Any]:
    return cloneset(V1ALPHA1, **spec)


def beta(**spec: Any) -> dict[str, Any]:
    return cloneset(V1BETA1, **spec)


def carried(obj: dict[str, Any]) -> Any:
    raw = (obj["metadata"].get("annotations") or {}).get(CARRIED_FIELDS_ANNOTATION)
    return None if raw is None else json.loads(raw)


# (v1alpha1 spec, v1beta1 spec): the same meaning, each the other's conversion, nothing carried.
RESPELLED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "type ReCreate",
        {"updateStrategy": {"type": "ReCreate"}, "scaleStrategy": {"disablePVCReuse": True}},
        {
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"podUpdatePolicy": "ReCreate"},
            },
            "scaleStrategy": {},
        },
    ),
    (
        "type InPlaceIfPossible",
        {"updateStrategy": {"type": "InPlaceIfPossible"}},
        {
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible"},
            },
            "scaleStrategy": {"enablePVCReuse": True},
        },
    ),
    (
        "type InPlaceOnly",
        {"updateStrategy": {"type": "InPlaceOnly"}},
        {
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"podUpdatePolicy": "InPlaceOnly"},
            },
            "scaleStrategy": {"enablePVCReuse": True},
        },
    ),
    (
        "type OnDelete",
        {"updateStrategy": {"type": "OnDelete"}},
        {"updateStrategy": {"type": "OnDelete"}, "scaleStrategy": {"enablePVCReuse": True}},
    ),
    (
        "type unset",
        {"updateStrategy": {}},
        {"updateStrategy": {}, "scaleStrategy": {"enablePVCReuse": True}},
    ),
    (
        "OnDelete with a partition",
        {"updateStrategy": {"type": "OnDelete", "partition": 2}},
        {
            "updateStrategy": {"type": "OnDelete", "rollingUpdate": {"partition": 2}},
            "scaleStrategy": {"enablePVCReuse": True},
        },
    ),
    (
        "rolling update fields",
        {
            "updateStrategy": {
                "type": "InPlaceIfPossible",
                "partition": "50%",
                "maxUnavailable": 2,
                "maxSurge": "10%",
                "paused": True,
                "priorityStrategy": {"orderPriority": [{"orderedKey": "rank"}]},
                "scatterStrategy": [{"key": "zone", "value": "a"}],
                "inPlaceUpdateStrategy": {"gracePeriodSeconds": 10},
            }
        },
        {
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {
                    "podUpdatePolicy": "InPlaceIfPossible",
                    "partition": "50%",
                    "maxUnavailable": 2,
                    "maxSurge": "10%",
                    "paused": True,
                    "priorityStrategy": {"orderPriority": [{"orderedKey": "rank"}]},
                    "scatterStrategy": [{"key": "zone", "value": "a"}],
                    "inPlaceUpdateStrategy": {"gracePeriodSeconds": 10},
                },
            },
            "scaleStrategy": {"enablePVCReuse": True},
        },
    ),
    (
        "claims reused (v1alpha1 default)",
        {},
        {"scaleStrategy": {"enablePVCReuse": True}},
    ),
    (
        "claims not reused (v1beta1 default)",
        {"scaleStrategy": {"disablePVCReuse": True}},
        {"scaleStrategy": {}},
    ),
    (
        "shared scale fields",
        {"scaleStrategy": {"podsToDelete": ["web-a"], "maxUnavailable": "25%"}},
        {
            "scaleStrategy": {
                "podsToDelete": ["web-a"],
                "maxUnavailable": "25%",
                "enablePVCReuse": True,
            }
        },
    ),
    (
        "shared spec fields",
        {
            "progressDeadlineSeconds": 600,
            "minReadySeconds": 5,
            "revisionHistoryLimit": 4,
            "lifecycle": {
                "preNormal": {"finalizersHandler": ["example.com/ready"]},
                "preDelete": {"labelsHandler": {"hold": "true"}},
                "inPlaceUpdate": {"labelsHandler": {"drain": "true"}},
            },
            "volumeClaimTemplates": [{"metadata": {"name": "data"}}],
        },
        {
            "progressDeadlineSeconds": 600,
            "minReadySeconds": 5,
            "revisionHistoryLimit": 4,
            "lifecycle": {
                "preNormal": {"finalizersHandler": ["example.com/ready"]},
                "preDelete": {"labelsHandler": {"hold": "true"}},
                "inPlaceUpdate": {"labelsHandler": {"drain": "true"}},
            },
            "volumeClaimTemplates": [{"metadata": {"name": "data"}}],
            "scaleStrategy": {"enablePVCReuse": True},
        },
    ),
]


@pytest.mark.parametrize(
    ("name", "alpha_spec", "beta_spec"), RESPELLED, ids=[r[0] for r in RESPELLED]
)
def test_each_respelled_field_converts_both_ways(
    name: str, alpha_spec: dict[str, Any], beta_spec: dict[str, Any]
) -> None:
    assert up(alpha(**alpha_spec)) == beta(**beta_spec)
    assert down(beta(**beta_spec)) == alpha(**alpha_spec)


def test_exclude_preparing_delete_is_the_v1alpha1_label() -> None:
    obj = beta(scaleStrategy={"enablePVCReuse": True, "excludePreparingDelete": True})
    converted = down(obj)
    assert converted["metadata"]["labels"] == {"app": "web", EXCLUDE: "true"}
    assert "scaleStrategy" not in converted["spec"]
    assert carried(converted) is None
    assert up(converted) == obj


def test_the_v1alpha1_label_becomes_the_field_and_leaves_the_v1beta1_labels() -> None:
    obj = alpha()
    obj["metadata"]["labels"][EXCLUDE] = "true"
    converted = up(obj)
    assert converted["spec"]["scaleStrategy"] == {
        "enablePVCReuse": True,
        "excludePreparingDelete": True,
    }
    assert converted["metadata"]["labels"] == {"app": "web"}
    assert down(converted) == obj


def test_a_label_value_other_than_true_excludes_nothing_and_stays() -> None:
    obj = alpha()
    obj["metadata"]["labels"][EXCLUDE] = "false"
    converted = up(obj)
    assert "excludePreparingDelete" not in converted["spec"]["scaleStrategy"]
    assert converted["metadata"]["labels"][EXCLUDE] == "false"
    assert down(converted) == obj


def test_the_label_on_a_v1beta1_object_does_not_exclude_in_v1alpha1() -> None:
    # v1beta1 reads only the field; the label it ignores must not switch exclusion on.
    obj = beta(scaleStrategy={"enablePVCReuse": True})
    obj["metadata"]["labels"][EXCLUDE] = "true"
    converted = down(obj)
    assert EXCLUDE not in converted["metadata"]["labels"]
    assert carried(converted) == {"metadata": {"labels": {EXCLUDE: "true"}}}
    assert up(converted) == obj


def test_image_pre_download_fields_travel_in_the_annotation() -> None:
    in_place = {
        "gracePeriodSeconds": 5,
        "imagePreDownloadParallelism": 2,
        "imagePreDownloadTimeoutSeconds": 600,
        "imagePreDownloadMinUpdatedReadyPods": 1,
    }
    obj = beta(
        updateStrategy={
            "type": "RollingUpdate",
            "rollingUpdate": {
                "podUpdatePolicy": "InPlaceIfPossible",
                "inPlaceUpdateStrategy": in_place,
            },
        },
        scaleStrategy={"enablePVCReuse": True},
    )
    converted = down(obj)
    assert converted["spec"]["updateStrategy"] == {
        "type": "InPlaceIfPossible",
        "inPlaceUpdateStrategy": {"gracePeriodSeconds": 5},
    }
    pre_download = {k: v for k, v in in_place.items() if k.startswith("imagePreDownload")}
    assert carried(converted) == {
        "spec": {"updateStrategy": {"rollingUpdate": {"inPlaceUpdateStrategy": pre_download}}}
    }
    assert up(converted) == obj


def test_a_pod_update_policy_under_on_delete_is_carried() -> None:
    obj = beta(
        updateStrategy={"type": "OnDelete", "rollingUpdate": {"podUpdatePolicy": "InPlaceOnly"}},
        scaleStrategy={"enablePVCReuse": True},
    )
    converted = down(obj)
    assert converted["spec"]["updateStrategy"] == {"type": "OnDelete"}
    assert carried(converted) == {
        "spec": {"updateStrategy": {"rollingUpdate": {"podUpdatePolicy": "InPlaceOnly"}}}
    }
    assert up(converted) == obj


@pytest.mark.parametrize(
    ("beta_strategy", "payload"),
    [
        (
            {"rollingUpdate": {"podUpdatePolicy": "InPlaceOnly"}},
            {"overrides": {"/spec/updateStrategy/type": {"converted": "RollingUpdate"}}},
        ),
        (
            {"type": "RollingUpdate"},
            {"spec": {"updateStrategy": {"type": "RollingUpdate"}}},
        ),
        (
            {"type": "RollingUpdate", "rollingUpdate": {}},
            {"spec": {"updateStrategy": {"rollingUpdate": {}, "type": "RollingUpdate"}}},
        ),
    ],
    ids=["policy without type", "type without policy", "empty rollingUpdate"],
)
def test_v1beta1_spellings_v1alpha1_reads_alike_are_carried(
    beta_strategy: dict[str, Any], payload: dict[str, Any]
) -> None:
    obj = beta(updateStrategy=beta_strategy, scaleStrategy={"enablePVCReuse": True})
    converted = down(obj)
    assert carried(converted) == payload
    assert up(converted) == obj


@pytest.mark.parametrize(
    ("scale", "payload"),
    [
        (None, {"overrides": {"/spec/scaleStrategy": {"converted": {}}}}),
        ({"enablePVCReuse": False}, {"spec": {"scaleStrategy": {"enablePVCReuse": False}}}),
    ],
    ids=["no scaleStrategy", "enablePVCReuse false"],
)
def test_v1beta1_spellings_of_no_reuse_are_carried(
    scale: dict[str, Any] | None, payload: dict[str, Any]
) -> None:
    obj = beta() if scale is None else beta(scaleStrategy=scale)
    converted = down(obj)
    assert converted["spec"]["scaleStrategy"] == {"disablePVCReuse": True}
    assert carried(converted) == payload
    assert up(converted) == obj


@pytest.mark.parametrize(
    "scale", [{}, {"disablePVCReuse": False}], ids=["empty scaleStrategy", "disablePVCReuse false"]
)
def test_v1alpha1_spellings_of_reuse_come_back_canonical(scale: dict[str, Any]) -> None:
    converted = up(alpha(scaleStrategy=scale))
    assert converted["spec"]["scaleStrategy"] == {"enablePVCReuse": True}
    assert down(converted) == alpha()


def test_status_is_shared() -> None:
    status = {
        "observedGeneration": 4,
        "replicas": 3,
        "readyReplicas": 2,
        "availableReplicas": 2,
        "updatedReplicas": 1,
        "updatedReadyReplicas": 1,
        "updatedAvailableReplicas": 1,
        "expectedUpdatedReplicas": 3,
        "updateRevision": "web-2",
        "currentRevision": "web-1",
        "collisionCount": 1,
        "labelSelector": "app=web",
        "conditions": [
            {
                "type": "Progressing",
                "status": "True",
                "reason": "CloneSetUpdated",
                "lastUpdateTime": "2025-01-01T00:00:00Z",
                "lastTransitionTime": "2025-01-01T00:00:00Z",
            }
        ],
    }
    obj = {**alpha(), "status": status}
    converted = up(obj)
    assert converted["status"] == status
    assert down(converted) == obj


def test_a_v1alpha1_client_changing_the_type_drops_a_carried_policy_that_no_longer_fits() -> None:
    read = down(
        beta(
            updateStrategy={
                "type": "OnDelete",
                "rollingUpdate": {"podUpdatePolicy": "InPlaceOnly"},
            },
            scaleStrategy={"enablePVCReuse": True},
        )
    )
    del read["spec"]["updateStrategy"]["type"]  # back to the default, ReCreate
    written = up(read)
    assert written["spec"]["updateStrategy"] == {}
    assert down(written)["spec"]["updateStrategy"] == {}


def test_a_v1alpha1_client_editing_other_fields_keeps_what_is_carried() -> None:
    obj = beta(
        updateStrategy={
            "type": "OnDelete",
            "rollingUpdate": {
                "podUpdatePolicy": "InPlaceIfPossible",
                "partition": 1,
                "inPlaceUpdateStrategy": {"imagePreDownloadParallelism": 3},
            },
        },
    )
    read = down(obj)
    read["spec"]["updateStrategy"]["partition"] = 2
    read["spec"]["replicas"] = 5
    written = up(read)
    expected = copy.deepcopy(obj)
    expected["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 2
    expected["spec"]["replicas"] = 5
    assert written == expected


def test_a_v1alpha1_client_turning_reuse_on_wins_over_the_carried_spelling() -> None:
    read = down(beta())  # no scaleStrategy: reuse off, carried as an override
    del read["spec"]["scaleStrategy"]
    assert up(read)["spec"]["scaleStrategy"] == {"enablePVCReuse": True}


def test_fields_neither_version_knows_stay_where_they_are() -> None:
    obj = beta(
        updateStrategy={
            "type": "RollingUpdate",
            "xTop": 1,
            "rollingUpdate": {"podUpdatePolicy": "ReCreate", "xInner": [1]},
        },
        scaleStrategy={"enablePVCReuse": True, "xScale": "a"},
        xSpec={"k": "v"},
    )
    converted = down(obj)
    strategy = converted["spec"]["updateStrategy"]
    assert strategy == {"type": "ReCreate", "xTop": 1, "rollingUpdate": {"xInner": [1]}}
    assert converted["spec"]["scaleStrategy"] == {"xScale": "a"}
    assert converted["spec"]["xSpec"] == {"k": "v"}
    assert up(converted) == obj


def test_no_spec_converts_to_no_spec() -> None:
    obj = beta()
    del obj["spec"]
    assert up(down(obj)) == obj
    assert "spec" not in down(obj)


@pytest.mark.parametrize(
    ("v1alpha1_path", "v1alpha1_type", "v1beta1_path"),
    [
        (
            "spec.updateStrategy.partition",
            "ReCreate",
            "spec.updateStrategy.rollingUpdate.partition",
        ),
        (
            "spec.updateStrategy.priorityStrategy.weightPriority[0].weight",
            "ReCreate",
            "spec.updateStrategy.rollingUpdate.priorityStrategy.weightPriority[0].weight",
        ),
        (
            "spec.updateStrategy.scatterStrategy[1]",
            None,
            "spec.updateStrategy.rollingUpdate.scatterStrategy[1]",
        ),
        (
            "spec.updateStrategy.inPlaceUpdateStrategy.gracePeriodSeconds",
            "InPlaceOnly",
            "spec.updateStrategy.rollingUpdate.inPlaceUpdateStrategy.gracePeriodSeconds",
        ),
        (
            "spec.updateStrategy.type",
            "InPlaceOnly",
            "spec.updateStrategy.rollingUpdate.podUpdatePolicy",
        ),
        ("spec.updateStrategy.type", "OnDelete", "spec.updateStrategy.type"),
        ("spec.updateStrategy.type", "Bogus", "spec.updateStrategy.type"),
        ("spec.updateStrategy.partitionX", "ReCreate", "spec.updateStrategy.partitionX"),
        ("spec.scaleStrategy.disablePVCReuse", None, "spec.scaleStrategy.enablePVCReuse"),
        (f"metadata.labels[{EXCLUDE}]", None, "spec.scaleStrategy.excludePreparingDelete"),
        ("spec.scaleStrategy.maxUnavailable", None, "spec.scaleStrategy.maxUnavailable"),
        ("spec.replicas", None, "spec.replicas"),
    ],
)
def test_field_paths_in_v1beta1(v1alpha1_path: str, v1alpha1_type: Any, v1beta1_path: str) -> None:
    assert field_path_in_v1beta1(v1alpha1_path, v1alpha1_type) == v1beta1_path


def test_the_kruise_converter_picks_the_kind() -> None:
    kruise = KruiseConverter()
    for kind in ("CloneSet", "StatefulSet", "BroadcastJob", "AdvancedCronJob"):
        obj = {"apiVersion": V1ALPHA1, "kind": kind, "metadata": {"name": "a"}, "spec": {}}
        assert kruise.convert(obj, V1BETA1)["apiVersion"] == V1BETA1
    with pytest.raises(ValueError, match="kind: Unsupported value: 'Deployment'"):
        kruise.convert({"apiVersion": V1ALPHA1, "kind": "Deployment"}, V1BETA1)
    with pytest.raises(ValueError, match="must be a JSON object"):
        kruise.convert([], V1BETA1)  # type: ignore[arg-type]


def test_what_still_fits_is_kept_when_something_carried_no_longer_does() -> None:
    read = down(
        beta(
            updateStrategy={
                "type": "OnDelete",
                "rollingUpdate": {
                    "podUpdatePolicy": "InPlaceOnly",
                    "inPlaceUpdateStrategy": {"imagePreDownloadParallelism": 3},
                },
            },
            scaleStrategy={"enablePVCReuse": True},
        )
    )
    del read["spec"]["updateStrategy"]["type"]  # ReCreate: the carried policy would undo it
    assert up(read)["spec"]["updateStrategy"] == {
        "rollingUpdate": {"inPlaceUpdateStrategy": {"imagePreDownloadParallelism": 3}},
    }
