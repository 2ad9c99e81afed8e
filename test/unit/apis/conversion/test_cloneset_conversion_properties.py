"""Round trips between v1alpha1 and v1beta1 CloneSets (hypothesis).

v1beta1 -> v1alpha1 -> v1beta1 is the identity for every v1beta1 object; v1alpha1 ->
v1beta1 -> v1alpha1 is the identity for canonically spelled v1alpha1 objects and gives the
canonical spelling of the others (``disablePVCReuse: false`` and an empty ``scaleStrategy``
left out), never a different meaning.
"""

from __future__ import annotations

import copy
import json
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kruise.apis.apps.conversion import (
    CARRIED_FIELDS_ANNOTATION,
    V1ALPHA1,
    V1BETA1,
    CloneSetConverter,
)

converter = CloneSetConverter()
EXCLUDE = "apps.kruise.io/cloneset-scaling-exclude-preparing-delete"

# Stands for a key that is absent, where None would mean a JSON null.
NOTHING: Any = object()

ROUND_TRIPS = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

names = st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12)
label_keys = st.one_of(
    names,
    st.builds(lambda p, n: f"{p}/{n}", st.sampled_from(["apps.kruise.io", "x.io"]), names),
    st.just(EXCLUDE),
).filter(lambda key: key != CARRIED_FIELDS_ANNOTATION)
label_values = st.one_of(st.sampled_from(["true", "false", "True", ""]), st.text(max_size=8))
label_maps = st.dictionaries(label_keys, label_values, max_size=3)
# Unknown fields: no field of either version starts with "x", so these never collide.
extra_keys = st.text(string.ascii_letters, max_size=8).map(lambda name: "x" + name)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.one_of(
    json_scalars,
    st.lists(json_scalars, max_size=2),
    st.dictionaries(st.text(max_size=6), json_scalars, max_size=2),
)
booleans_or_null = st.one_of(st.booleans(), st.none())


def with_extras(base: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects from ``base`` with a few unknown keys beside the known ones."""
    return st.builds(
        lambda known, extra: {**extra, **known},
        base,
        st.dictionaries(extra_keys, json_values, max_size=2),
    )


def optional_fields(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts where each named field is independently present or absent."""
    return st.fixed_dictionaries({}, optional=fields)


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value, or NOTHING (the key left out), or null."""
    return st.one_of(st.just(NOTHING), st.none(), value)


def put(obj: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return obj if value is NOTHING else {**obj, key: value}


int_or_percent = st.one_of(st.integers(0, 100), st.integers(0, 100).map(lambda n: f"{n}%"))
priority_strategies = st.one_of(
    st.just({}),
    st.builds(
        lambda weight, labels: {
            "weightPriority": [{"weight": weight, "matchSelector": {"matchLabels": labels}}]
        },
        st.integers(0, 100),
        label_maps,
    ),
    st.builds(lambda keys: {"orderPriority": [{"orderedKey": k} for k in keys]}, st.lists(names)),
)
scatter_strategies = st.lists(st.fixed_dictionaries({"key": names, "value": names}), max_size=2)
policies = st.sampled_from(["ReCreate", "InPlaceIfPossible", "InPlaceOnly"])
lifecycles = optional_fields(
    preDelete=st.fixed_dictionaries({"finalizersHandler": st.lists(names, max_size=1)}),
    inPlaceUpdate=st.fixed_dictionaries({"labelsHandler": label_maps}),
    preNormal=st.fixed_dictionaries({"finalizersHandler": st.lists(names, max_size=1)}),
)


def shared_spec_fields() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "replicas": st.integers(0, 1000),
        "revisionHistoryLimit": st.integers(0, 20),
        "minReadySeconds": st.integers(0, 300),
        "progressDeadlineSeconds": st.integers(0, 2**31 - 1),
        "lifecycle": lifecycles,
        "volumeClaimTemplates": st.lists(
            st.fixed_dictionaries({"metadata": st.fixed_dictionaries({"name": names})}),
            max_size=1,
        ),
    }


selectors = st.builds(lambda labels: {"matchLabels": labels}, label_maps)
templates = st.builds(
    lambda labels, image: {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "main", "image": image}]},
    },
    label_maps,
    st.sampled_from(["nginx:1.19", "busybox", "redis:6"]),
)

# v1beta1

in_place_v1beta1 = with_extras(
    optional_fields(
        gracePeriodSeconds=st.integers(0, 60),
        imagePreDownloadParallelism=st.one_of(st.integers(0, 10), st.just("5")),
        imagePreDownloadTimeoutSeconds=st.integers(0, 900),
        imagePreDownloadMinUpdatedReadyPods=st.integers(0, 10),
    )
)
rolling_updates = with_extras(
    optional_fields(
        partition=int_or_percent,
        maxUnavailable=int_or_percent,
        maxSurge=int_or_percent,
        podUpdatePolicy=st.one_of(policies, st.none()),
        paused=booleans_or_null,
        priorityStrategy=priority_strategies,
        scatterStrategy=scatter_strategies,
        inPlaceUpdateStrategy=st.one_of(in_place_v1beta1, st.none()),
    )
)
update_strategies_v1beta1 = with_extras(
    st.builds(
        lambda kind, rolling: put(put({}, "type", kind), "rollingUpdate", rolling),
        maybe(st.sampled_from(["RollingUpdate", "OnDelete"])),
        maybe(rolling_updates),
    )
)
scale_strategies_v1beta1 = with_extras(
    optional_fields(
        podsToDelete=st.lists(names, max_size=2, unique=True),
        maxUnavailable=int_or_percent,
        enablePVCReuse=booleans_or_null,
        excludePreparingDelete=booleans_or_null,
    )
)


def specs(
    update: st.SearchStrategy[Any], scale: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    return with_extras(
        st.builds(
            lambda required, optional, u, s: put(
                put({**required, **optional}, "updateStrategy", u), "scaleStrategy", s
            ),
            st.fixed_dictionaries({"selector": selectors, "template": templates}),
            optional_fields(**shared_spec_fields()),
            maybe(update),
            maybe(scale),
        )
    )


conditions = st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Progressing", "FailedScale"]), "status": st.just("True")},
        optional={"reason": names, "lastUpdateTime": st.just("2025-01-01T00:00:00Z")},
    ),
    max_size=2,
)
statuses = with_extras(
    optional_fields(
        observedGeneration=st.integers(0, 2**40),
        replicas=st.integers(0, 100),
        updatedReplicas=st.integers(0, 100),
        updatedAvailableReplicas=st.integers(0, 100),
        expectedUpdatedReplicas=st.integers(0, 100),
        updateRevision=names,
        conditions=conditions,
        labelSelector=st.text(max_size=20),
    )
)
annotation_maps = st.dictionaries(
    names.filter(lambda key: key != CARRIED_FIELDS_ANNOTATION), st.text(max_size=8), max_size=2
)
metadata = st.builds(
    lambda base, labels, annotations: put(put(base, "labels", labels), "annotations", annotations),
    with_extras(
        st.fixed_dictionaries(
            {"name": names},
            optional={
                "namespace": names,
                "uid": st.uuids().map(str),
                "generation": st.integers(1, 10**6),
                "finalizers": st.lists(names, max_size=1),
            },
        )
    ),
    maybe(label_maps),
    maybe(annotation_maps),
)


def objects(api_version: str, spec: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return with_extras(
        st.builds(
            lambda m, s, status: {
                "apiVersion": api_version,
                "kind": "CloneSet",
                "metadata": m,
                "spec": s,
                **status,
            },
            metadata,
            spec,
            optional_fields(status=statuses),
        )
    )


v1beta1_objects = objects(V1BETA1, specs(update_strategies_v1beta1, scale_strategies_v1beta1))

# v1alpha1

update_strategies_v1alpha1 = with_extras(
    optional_fields(
        type=st.one_of(policies, st.just("OnDelete")),
        partition=int_or_percent,
        maxUnavailable=int_or_percent,
        maxSurge=int_or_percent,
        paused=booleans_or_null,
        priorityStrategy=priority_strategies,
        scatterStrategy=scatter_strategies,
        inPlaceUpdateStrategy=optional_fields(gracePeriodSeconds=st.integers(0, 60)),
    )
)
scale_strategies_v1alpha1 = with_extras(
    optional_fields(
        podsToDelete=st.lists(names, max_size=2, unique=True),
        maxUnavailable=int_or_percent,
        disablePVCReuse=booleans_or_null,
    )
)
v1alpha1_objects = objects(V1ALPHA1, specs(update_strategies_v1alpha1, scale_strategies_v1alpha1))


def canonical(obj: dict[str, Any]) -> dict[str, Any]:
    """The v1alpha1 spelling the converter gives back: ``disablePVCReuse`` only when true,
    and no ``scaleStrategy`` that is then empty or null."""
    out = copy.deepcopy(obj)
    spec = out["spec"]
    scale = spec.get("scaleStrategy", NOTHING)
    if scale is NOTHING:
        return out
    scale = dict(scale or {})
    if scale.get("disablePVCReuse") is not True:
        scale.pop("disablePVCReuse", None)
    if scale:
        spec["scaleStrategy"] = scale
    else:
        del spec["scaleStrategy"]
    return out


def down(obj: dict[str, Any]) -> dict[str, Any]:
    return converter.convert(obj, V1ALPHA1)


def up(obj: dict[str, Any]) -> dict[str, Any]:
    return converter.convert(obj, V1BETA1)


def as_json(obj: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True)


def annotations_of(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["metadata"].get("annotations") or {}


@ROUND_TRIPS
@given(v1beta1_objects)
def test_v1beta1_to_v1alpha1_and_back_is_the_identity(obj: dict[str, Any]) -> None:
    converted = down(obj)
    assert converted["apiVersion"] == V1ALPHA1
    leftover = (converted["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
    assert all(key.startswith("x") for key in leftover)  # only fields neither version knows
    assert not {"enablePVCReuse", "excludePreparingDelete"} & set(
        converted["spec"].get("scaleStrategy") or {}
    )
    back = up(converted)
    assert as_json(back) == as_json(obj)  # unlike ==, JSON keeps true apart from 1
    assert CARRIED_FIELDS_ANNOTATION not in annotations_of(back)


@ROUND_TRIPS
@given(v1beta1_objects)
def test_a_v1alpha1_object_converted_from_v1beta1_round_trips(obj: dict[str, Any]) -> None:
    read = down(obj)
    assert down(up(read)) == read


@ROUND_TRIPS
@given(v1alpha1_objects)
def test_v1alpha1_to_v1beta1_and_back_gives_the_canonical_spelling(obj: dict[str, Any]) -> None:
    converted = up(obj)
    assert converted["apiVersion"] == V1BETA1
    assert CARRIED_FIELDS_ANNOTATION not in annotations_of(converted)
    assert "disablePVCReuse" not in converted["spec"]["scaleStrategy"]
    assert down(converted) == canonical(obj)
    assert up(canonical(obj)) == converted


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v1beta1_objects, st.integers(0, 1000), int_or_percent)
def test_a_write_through_v1alpha1_keeps_what_only_v1beta1_holds(
    obj: dict[str, Any], replicas: int, partition: Any
) -> None:
    read = down(obj)
    read["spec"]["replicas"] = replicas
    strategy = read["spec"].get("updateStrategy")
    if not isinstance(strategy, dict):
        strategy = read["spec"]["updateStrategy"] = {}
    strategy["partition"] = partition
    labels = read["metadata"].get("labels") or {}
    read["metadata"]["labels"] = {**labels, "edited": "yes"}
    written = up(read)

    expected = copy.deepcopy(obj)
    expected["spec"]["replicas"] = replicas
    beta_strategy = expected["spec"].get("updateStrategy")
    if not isinstance(beta_strategy, dict):
        beta_strategy = expected["spec"]["updateStrategy"] = {}
    rolling = beta_strategy.get("rollingUpdate")
    if not isinstance(rolling, dict):
        rolling = beta_strategy["rollingUpdate"] = {}
    rolling["partition"] = partition
    expected["metadata"]["labels"] = {**(obj["metadata"].get("labels") or {}), "edited": "yes"}
    assert written == expected
