"""Round trips between v1alpha1 and v1beta1 StatefulSets are identities (hypothesis)."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kruise.apis.apps.conversion import (
    CARRIED_FIELDS_ANNOTATION,
    V1ALPHA1,
    V1BETA1,
    StatefulSetConverter,
)

converter = StatefulSetConverter()

# Stands for a key that is absent, where None would mean a JSON null.
NOTHING: Any = object()

ROUND_TRIPS = settings(
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

names = st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=20)
label_keys = st.one_of(
    names,
    st.builds(
        lambda prefix, name: f"{prefix}/{name}", st.sampled_from(["apps.kruise.io", "x.io"]), names
    ),
).filter(lambda key: key != CARRIED_FIELDS_ANNOTATION)
label_maps = st.dictionaries(label_keys, st.text(max_size=12), max_size=2)
# Unknown fields: no field of either version starts with "x", so these never collide.
extra_keys = st.text(string.ascii_letters, max_size=10).map(lambda name: "x" + name)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.one_of(
    json_scalars,
    st.lists(json_scalars, max_size=2),
    st.dictionaries(st.text(max_size=6), json_scalars, max_size=2),
)


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


selectors = st.builds(lambda labels: {"matchLabels": labels}, label_maps)
templates = st.builds(
    lambda labels, images: {
        "metadata": {"labels": labels},
        "spec": {
            "containers": [{"name": f"c{i}", "image": image} for i, image in enumerate(images)]
        },
    },
    label_maps,
    st.lists(st.sampled_from(["nginx:1.19", "nginx:1.20", "busybox", "redis:6"]), max_size=3),
)
claims = st.lists(
    st.builds(
        lambda name, size: {
            "metadata": {"name": name},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": size}},
            },
        },
        names,
        st.sampled_from(["1Gi", "10Gi", "500Mi"]),
    ),
    max_size=2,
)
int_or_percent = st.one_of(st.integers(0, 100), st.integers(0, 100).map(lambda n: f"{n}%"))
priority_strategies = st.one_of(
    st.just({}),
    st.builds(
        lambda terms: {"weightPriority": terms},
        st.lists(
            st.builds(
                lambda weight, labels: {"weight": weight, "matchSelector": {"matchLabels": labels}},
                st.integers(0, 100),
                label_maps,
            ),
            max_size=2,
        ),
    ),
    st.builds(lambda keys: {"orderPriority": [{"orderedKey": k} for k in keys]}, st.lists(names)),
)
rolling_updates = with_extras(
    optional_fields(
        partition=st.integers(0, 1000),
        maxUnavailable=int_or_percent,
        podUpdatePolicy=st.sampled_from(["ReCreate", "InPlaceIfPossible", "InPlaceOnly"]),
        paused=st.booleans(),
        unorderedUpdate=with_extras(optional_fields(priorityStrategy=priority_strategies)),
        inPlaceUpdateStrategy=optional_fields(gracePeriodSeconds=st.integers(0, 60)),
        minReadySeconds=st.integers(0, 300),
    )
)
update_strategies = with_extras(
    st.one_of(
        st.just({}),
        st.just({"type": "OnDelete"}),
        st.just({"type": "RollingUpdate"}),
        st.builds(lambda r: {"type": "RollingUpdate", "rollingUpdate": r}, rolling_updates),
        st.builds(lambda r: {"rollingUpdate": r}, rolling_updates),
    )
)
ordinal_ranges = st.builds(lambda a, n: f"{a}-{a + n}", st.integers(0, 200), st.integers(0, 5))
reserve_ordinals = st.one_of(
    st.lists(st.one_of(st.integers(0, 200), ordinal_ranges), max_size=6),
    st.just(None),
)
hooks = optional_fields(
    labelsHandler=label_maps, finalizersHandler=st.lists(label_keys, max_size=2)
)
# The spec fields only v1beta1 has, beside reserveOrdinals.
later_spec_fields: dict[str, st.SearchStrategy[Any]] = {
    "lifecycle": optional_fields(preDelete=hooks, inPlaceUpdate=hooks, preNormal=hooks),
    "scaleStrategy": optional_fields(maxUnavailable=int_or_percent),
    "persistentVolumeClaimRetentionPolicy": optional_fields(
        whenDeleted=st.sampled_from(["Retain", "Delete"]),
        whenScaled=st.sampled_from(["Retain", "Delete"]),
    ),
    "ordinals": optional_fields(start=st.integers(0, 100)),
}
V1BETA1_ONLY = {
    "spec": {"reserveOrdinals", *later_spec_fields},
    "status": {"updatedReadyReplicas", "updatedAvailableReplicas"},
}


def specs(*, v1beta1: bool) -> st.SearchStrategy[dict[str, Any]]:
    shared: dict[str, st.SearchStrategy[Any]] = {
        "replicas": st.integers(0, 1000),
        "volumeClaimTemplates": claims,
        "serviceName": names,
        "podManagementPolicy": st.sampled_from(["OrderedReady", "Parallel"]),
        "updateStrategy": update_strategies,
        "revisionHistoryLimit": st.integers(0, 20),
    }
    if v1beta1:
        shared["reserveOrdinals"] = reserve_ordinals
        shared.update(later_spec_fields)
    return with_extras(
        st.builds(
            lambda required, optional: {**required, **optional},
            st.fixed_dictionaries({"selector": selectors, "template": templates}),
            optional_fields(**shared),
        )
    )


conditions = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["FailedCreatePod", "FailedUpdatePod"]),
            "status": st.sampled_from(["True", "False", "Unknown"]),
        },
        optional={"reason": names, "message": st.text(max_size=30)},
    ),
    max_size=2,
)
counts = st.integers(0, 1000)


def statuses(*, v1beta1: bool) -> st.SearchStrategy[dict[str, Any]]:
    optional: dict[str, st.SearchStrategy[Any]] = {
        "observedGeneration": st.integers(0, 2**40),
        "currentRevision": names,
        "updateRevision": names,
        "collisionCount": st.integers(0, 10),
        "conditions": conditions,
        "labelSelector": st.text(max_size=30),
    }
    if v1beta1:
        optional |= {"updatedReadyReplicas": counts, "updatedAvailableReplicas": counts}
    required = {
        "replicas": counts,
        "readyReplicas": counts,
        "availableReplicas": counts,
        "currentReplicas": counts,
        "updatedReplicas": counts,
    }
    return with_extras(st.fixed_dictionaries(required, optional=optional))


def metadata(annotations: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Object metadata whose ``annotations`` key takes its value (or absence) from a strategy."""
    return st.builds(
        lambda base, value: base if value is NOTHING else {**base, "annotations": value},
        with_extras(
            st.fixed_dictionaries(
                {"name": names},
                optional={
                    "namespace": names,
                    "uid": st.uuids().map(str),
                    "resourceVersion": st.integers(1, 10**9).map(str),
                    "generation": st.integers(1, 10**6),
                    "labels": label_maps,
                    "finalizers": st.lists(names, max_size=2),
                },
            )
        ),
        st.one_of(st.just(NOTHING), annotations),
    )


def objects(
    api_version: str,
    meta: st.SearchStrategy[dict[str, Any]],
    spec: st.SearchStrategy[Any],
    status: st.SearchStrategy[dict[str, Any]],
) -> st.SearchStrategy[dict[str, Any]]:
    return with_extras(
        st.builds(
            lambda m, s, status: {
                "apiVersion": api_version,
                "kind": "StatefulSet",
                "metadata": m,
                "spec": s,
                **status,
            },
            meta,
            spec,
            optional_fields(status=status),
        )
    )


# A valid v1beta1 object never carries the converter's annotation itself.
v1beta1_objects = objects(
    V1BETA1,
    metadata(st.one_of(st.none(), label_maps)),
    specs(v1beta1=True),
    statuses(v1beta1=True),
)


def with_carrier(meta: dict[str, Any], fields: dict[str, Any], empty: Any) -> dict[str, Any]:
    """Add the carrier annotation in its canonical form, as down-conversion would write it.

    ``fields`` are the carried spec fields (none: no annotation); ``empty`` is what the
    v1beta1 form's annotations were when the carrier is the only annotation.
    """
    if not fields:
        return meta
    payload: dict[str, Any] = {"spec": fields}
    annotations = meta.get("annotations")
    if not annotations:
        annotations = {}
        if empty is not NOTHING:
            payload["metadata"] = {"annotations": empty}
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return {**meta, "annotations": {**annotations, CARRIED_FIELDS_ANNOTATION: raw}}


v1alpha1_metadata = st.builds(
    with_carrier,
    metadata(st.one_of(st.none(), label_maps)),
    optional_fields(reserveOrdinals=reserve_ordinals, **later_spec_fields),
    st.sampled_from([NOTHING, {}, None]),
)
v1alpha1_objects = objects(
    V1ALPHA1, v1alpha1_metadata, specs(v1beta1=False), statuses(v1beta1=False)
)


def v1beta1_only(obj: dict[str, Any]) -> dict[str, set[str]]:
    """The v1beta1-only fields ``obj`` holds, by part."""
    return {part: names & set(obj.get(part) or {}) for part, names in V1BETA1_ONLY.items()}


def down(obj: dict[str, Any]) -> dict[str, Any]:
    return converter.convert(obj, V1ALPHA1)


def up(obj: dict[str, Any]) -> dict[str, Any]:
    return converter.convert(obj, V1BETA1)


@ROUND_TRIPS
@given(v1beta1_objects)
def test_v1beta1_to_v1alpha1_and_back_is_the_identity(obj: dict[str, Any]) -> None:
    converted = down(obj)
    assert converted["apiVersion"] == V1ALPHA1
    assert not any(v1beta1_only(converted).values())
    carried = CARRIED_FIELDS_ANNOTATION in (converted["metadata"].get("annotations") or {})
    assert carried == any(v1beta1_only(obj).values())
    assert up(converted) == obj


@ROUND_TRIPS
@given(v1alpha1_objects)
def test_v1alpha1_to_v1beta1_and_back_is_the_identity(obj: dict[str, Any]) -> None:
    converted = up(obj)
    assert converted["apiVersion"] == V1BETA1
    assert CARRIED_FIELDS_ANNOTATION not in (converted["metadata"].get("annotations") or {})
    assert down(converted) == obj


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v1beta1_objects, st.integers(0, 1000), label_maps)
def test_a_write_through_v1alpha1_keeps_what_only_v1beta1_holds(
    obj: dict[str, Any], replicas: int, labels: dict[str, str]
) -> None:
    read = down(obj)
    read["spec"]["replicas"] = replicas
    read["metadata"]["labels"] = labels
    written = up(read)
    assert written["spec"]["replicas"] == replicas
    assert written["metadata"]["labels"] == labels
    assert v1beta1_only(written) == v1beta1_only(obj)
    for part, fields in v1beta1_only(obj).items():
        assert {f: written[part][f] for f in fields} == {f: obj[part][f] for f in fields}
