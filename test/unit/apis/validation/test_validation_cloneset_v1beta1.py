"""v1beta1 CloneSet validation: v1alpha1's rules, each error at its v1beta1 field path, and
the checks of the fields only v1beta1 has."""

from __future__ import annotations

from typing import Any

import pytest
from support.fields import with_field
from support.validation import cloneset, messages

from kruise.apis.apps.conversion import V1BETA1, CloneSetConverter
from kruise.apis.apps.validation.cloneset import PodLookup
from kruise.apis.apps.validation.cloneset_v1beta1 import as_v1alpha1, validate_cloneset_v1beta1

RU = "spec.updateStrategy.rollingUpdate"
IN_PLACE = f"{RU}.inPlaceUpdateStrategy"


def beta_cloneset(**changes: Any) -> dict[str, Any]:
    """The valid, defaulted sample CloneSet as v1beta1, with fields changed by path."""
    obj = CloneSetConverter().convert(cloneset(), V1BETA1)
    for path, value in changes.items():
        obj = with_field(obj, path, value)
    return obj


def test_sample_is_valid() -> None:
    assert validate_cloneset_v1beta1(beta_cloneset()) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            f"{RU}.partition",
            "120%",
            f'{RU}.partition: Invalid value: "120%": must be between 0% and 100%',
        ),
        (
            f"{RU}.maxUnavailable",
            -1,
            f"{RU}.maxUnavailable: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            f"{RU}.inPlaceUpdateStrategy.gracePeriodSeconds",
            -5,
            f"{IN_PLACE}.gracePeriodSeconds: Invalid value: -5: must be greater than or equal to 0",
        ),
        (
            f"{RU}.scatterStrategy",
            [{"key": "zone", "value": "a"}, {"key": "zone", "value": "a"}],
            f"{RU}.scatterStrategy",
        ),
        (
            f"{RU}.priorityStrategy.weightPriority",
            [{"weight": 101, "matchSelector": {"matchLabels": {"a": "b"}}}],
            f"{RU}.priorityStrategy.weightPriority[0].weight",
        ),
        (
            "spec.scaleStrategy.maxUnavailable",
            "150%",
            'spec.scaleStrategy.maxUnavailable: Invalid value: "150%"',
        ),
        (
            "spec.progressDeadlineSeconds",
            -1,
            "spec.progressDeadlineSeconds: Invalid value: -1",
        ),
        (
            f"{IN_PLACE}.imagePreDownloadParallelism",
            "50%",
            f'{IN_PLACE}.imagePreDownloadParallelism: Invalid value: "50%": '
            "must be a number of nodes, not a percentage",
        ),
        (
            f"{IN_PLACE}.imagePreDownloadParallelism",
            "5",
            f'{IN_PLACE}.imagePreDownloadParallelism: Invalid value: "5": '
            "must be an integer, not a string",
        ),
        (
            f"{IN_PLACE}.imagePreDownloadParallelism",
            -1,
            f"{IN_PLACE}.imagePreDownloadParallelism: Invalid value: -1: "
            "must be greater than or equal to 0",
        ),
        (
            f"{IN_PLACE}.imagePreDownloadTimeoutSeconds",
            -1,
            f"{IN_PLACE}.imagePreDownloadTimeoutSeconds: Invalid value: -1",
        ),
        (
            f"{IN_PLACE}.imagePreDownloadMinUpdatedReadyPods",
            -2,
            f"{IN_PLACE}.imagePreDownloadMinUpdatedReadyPods: Invalid value: -2",
        ),
    ],
)
def test_errors_name_the_v1beta1_field(field: str, value: Any, expected: str) -> None:
    errors = messages(validate_cloneset_v1beta1(beta_cloneset(**{field: value})))
    assert errors
    assert errors[0].startswith(expected), errors
    assert all(e.startswith(expected.split(":", maxsplit=1)[0]) for e in errors), errors


@pytest.mark.parametrize("value", [0, 3, None])
def test_image_pre_download_counts_may_be_zero_or_more(value: Any) -> None:
    obj = beta_cloneset(
        **{
            f"{IN_PLACE}.imagePreDownloadParallelism": value,
            f"{IN_PLACE}.imagePreDownloadTimeoutSeconds": value,
            f"{IN_PLACE}.imagePreDownloadMinUpdatedReadyPods": value,
        }
    )
    assert validate_cloneset_v1beta1(obj) == []


def test_in_place_only_surge_names_the_pod_update_policy_path() -> None:
    obj = beta_cloneset(**{f"{RU}.podUpdatePolicy": "InPlaceOnly", f"{RU}.maxSurge": 1})
    assert messages(validate_cloneset_v1beta1(obj)) == [
        f"{RU}.maxSurge: Invalid value: 1: can not use maxSurge with strategy type InPlaceOnly"
    ]


def test_the_in_place_only_template_rule_names_the_pod_update_policy() -> None:
    old = beta_cloneset(**{f"{RU}.podUpdatePolicy": "InPlaceOnly"})
    new = with_field(old, "spec.template.spec.containers[0].imagePullPolicy", "Never")
    errors = messages(validate_cloneset_v1beta1(new, old))
    assert errors == [
        "spec.template.spec.containers[0].imagePullPolicy: Forbidden: only container images "
        f"may change when {RU}.podUpdatePolicy is InPlaceOnly "
        "(this is a replace of /containers/0/imagePullPolicy)"
    ]


def test_a_changed_selector_is_refused_on_update() -> None:
    old = beta_cloneset()
    new = with_field(old, "spec.selector.matchLabels.tier", "x")
    new = with_field(new, "spec.template.metadata.labels.tier", "x")
    assert any(
        e.startswith("spec.selector: Forbidden")
        for e in messages(validate_cloneset_v1beta1(new, old))
    )


def test_an_update_is_judged_by_what_it_changes() -> None:
    old = beta_cloneset(**{f"{IN_PLACE}.imagePreDownloadTimeoutSeconds": -1})
    new = with_field(old, "spec.replicas", 7)
    assert validate_cloneset_v1beta1(new, old) == []


def test_pods_to_delete_are_checked_as_in_v1alpha1() -> None:
    old = beta_cloneset()
    new = with_field(old, "spec.scaleStrategy.podsToDelete", ["gone"])
    errors = validate_cloneset_v1beta1(new, old, {"gone": PodLookup(pod=None)})
    assert messages(errors) == [
        'spec.scaleStrategy.podsToDelete: Invalid value: "gone": pod gone does not exist'
    ]


def test_the_object_is_read_as_v1beta1_whatever_its_api_version_says() -> None:
    obj = beta_cloneset()
    obj["apiVersion"] = "apps/v1"
    assert as_v1alpha1(obj)["spec"]["updateStrategy"]["type"] == "ReCreate"
    assert validate_cloneset_v1beta1(obj) == []


def test_metadata_that_is_not_an_object_cannot_be_read() -> None:
    with pytest.raises(ValueError, match="metadata: Required value"):
        validate_cloneset_v1beta1({"spec": {}})
