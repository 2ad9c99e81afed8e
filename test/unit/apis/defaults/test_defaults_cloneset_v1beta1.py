"""v1beta1 CloneSet defaults: v1alpha1's values, in v1beta1's spelling (OpenKruise v1.9)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kruise.apis.apps.conversion import V1ALPHA1, V1BETA1, CloneSetConverter
from kruise.apis.apps.defaults import default_cloneset, default_cloneset_v1beta1

converter = CloneSetConverter()
TEMPLATE = {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c"}]}}


def beta(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": V1BETA1,
        "kind": "CloneSet",
        "metadata": {"name": "a"},
        "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": TEMPLATE, **spec},
    }


def test_an_empty_strategy_becomes_a_rolling_update_by_recreation() -> None:
    spec = default_cloneset_v1beta1(beta())["spec"]
    assert spec["replicas"] == 1
    assert spec["revisionHistoryLimit"] == 10
    assert spec["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {
            "podUpdatePolicy": "ReCreate",
            "partition": 0,
            "maxUnavailable": "20%",
            "maxSurge": 0,
        },
    }
    assert "scaleStrategy" not in spec  # enablePVCReuse unset: false, no reuse
    assert spec["template"]["spec"]["restartPolicy"] == "Always"
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"


@pytest.mark.parametrize("policy", ["InPlaceIfPossible", "InPlaceOnly"])
def test_in_place_policies_get_an_in_place_strategy(policy: str) -> None:
    strategy = {"rollingUpdate": {"podUpdatePolicy": policy}}
    rolling = default_cloneset_v1beta1(beta(updateStrategy=strategy))["spec"]["updateStrategy"]
    assert rolling["type"] == "RollingUpdate"
    assert rolling["rollingUpdate"]["inPlaceUpdateStrategy"] == {}


def test_on_delete_gets_no_rolling_update() -> None:
    spec = default_cloneset_v1beta1(beta(updateStrategy={"type": "OnDelete"}))["spec"]
    assert spec["updateStrategy"] == {"type": "OnDelete"}


def test_what_is_set_is_kept() -> None:
    strategy = {
        "type": "RollingUpdate",
        "rollingUpdate": {
            "podUpdatePolicy": "InPlaceOnly",
            "partition": "50%",
            "maxUnavailable": 1,
            "maxSurge": 0,
            "inPlaceUpdateStrategy": {"gracePeriodSeconds": 3, "imagePreDownloadParallelism": 2},
        },
    }
    obj = beta(replicas=4, updateStrategy=copy.deepcopy(strategy), revisionHistoryLimit=2)
    spec = default_cloneset_v1beta1(obj)["spec"]
    assert spec["updateStrategy"] == strategy
    assert (spec["replicas"], spec["revisionHistoryLimit"]) == (4, 2)


def test_the_argument_is_not_changed() -> None:
    obj = beta()
    before = copy.deepcopy(obj)
    default_cloneset_v1beta1(obj)
    assert obj == before


def test_a_spec_of_the_wrong_type_is_left_for_schema_validation() -> None:
    assert default_cloneset_v1beta1({"spec": "x"}) == {"spec": "x"}
    assert default_cloneset_v1beta1({"spec": {"updateStrategy": 3}})["spec"]["updateStrategy"] == 3


strategies = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["", "RollingUpdate"]),
        "rollingUpdate": st.fixed_dictionaries(
            {},
            optional={
                "podUpdatePolicy": st.sampled_from(
                    ["", "ReCreate", "InPlaceIfPossible", "InPlaceOnly"]
                ),
                "partition": st.one_of(st.integers(0, 5), st.just("10%")),
                "maxSurge": st.integers(0, 2),
            },
        ),
    },
)


@settings(max_examples=200, deadline=None)
@given(strategies, st.one_of(st.none(), st.integers(0, 9)))
def test_both_versions_default_to_the_same_meaning(strategy: dict[str, Any], replicas: Any) -> None:
    """For a rolling update, defaulting in v1beta1 and converting gives what converting and
    defaulting in v1alpha1 gives."""
    obj = beta(updateStrategy=strategy, **({} if replicas is None else {"replicas": replicas}))
    in_beta = converter.convert(default_cloneset_v1beta1(obj), V1ALPHA1)
    in_alpha = default_cloneset(converter.convert(obj, V1ALPHA1))
    for converted in (in_beta, in_alpha):
        converted["metadata"].pop("annotations", None)  # spellings v1alpha1 cannot see
    assert in_beta == in_alpha


@settings(max_examples=200, deadline=None)
@given(strategies)
def test_defaulting_is_idempotent(strategy: dict[str, Any]) -> None:
    once = default_cloneset_v1beta1(beta(updateStrategy=strategy))
    assert default_cloneset_v1beta1(once) == once
