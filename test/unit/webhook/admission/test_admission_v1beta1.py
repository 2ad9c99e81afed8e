"""The webhooks of CloneSet, BroadcastJob and AdvancedCronJob for both served versions: a
v1beta1 request is defaulted and validated in v1beta1's spelling, and a v1alpha1 write may
not bring an unreadable apps.kruise.io/v1beta1-fields annotation (they are stored as
v1alpha1, where it would break every v1beta1 read)."""

from __future__ import annotations

from typing import Any

import pytest
from support.admission import advancedcronjob, broadcastjob, cloneset, patched, request, wire

from kruise.apis.apps.conversion import V1BETA1, CloneSetConverter
from kruise.apis.apps.defaults import (
    default_advancedcronjob,
    default_broadcastjob,
    default_cloneset,
    default_cloneset_v1beta1,
)
from kruise.webhook.advancedcronjob import AdvancedCronJobDefaulter, AdvancedCronJobValidator
from kruise.webhook.broadcastjob import BroadcastJobDefaulter, BroadcastJobValidator
from kruise.webhook.cloneset import CloneSetDefaulter, CloneSetValidator

CARRIER = "apps.kruise.io/v1beta1-fields"
RU = "spec.updateStrategy.rollingUpdate"


async def no_pods(namespace: str, name: str) -> dict[str, Any] | None:
    return None


def beta(obj: dict[str, Any]) -> dict[str, Any]:
    return {**obj, "apiVersion": V1BETA1}


def beta_cloneset(**rolling: Any) -> dict[str, Any]:
    obj = beta(cloneset())
    obj["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": rolling}
    return obj


def with_carrier(obj: dict[str, Any], raw: str) -> dict[str, Any]:
    obj["metadata"]["annotations"] = {CARRIER: raw}
    return obj


async def test_a_v1beta1_cloneset_gets_v1beta1_defaults() -> None:
    obj = beta(cloneset())
    req = request(obj, version="v1beta1")
    defaulted = patched(req, await CloneSetDefaulter().handle(req))
    assert defaulted == default_cloneset_v1beta1(obj)
    assert defaulted["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {
            "podUpdatePolicy": "ReCreate",
            "partition": 0,
            "maxUnavailable": "20%",
            "maxSurge": 0,
        },
    }


async def test_a_v1alpha1_cloneset_still_gets_v1alpha1_defaults() -> None:
    req = request(cloneset(), version="v1alpha1")
    assert patched(req, await CloneSetDefaulter().handle(req)) == default_cloneset(cloneset())


async def test_a_valid_v1beta1_cloneset_is_allowed() -> None:
    obj = default_cloneset_v1beta1(beta_cloneset(podUpdatePolicy="InPlaceIfPossible"))
    obj["spec"]["scaleStrategy"] = {"excludePreparingDelete": True, "enablePVCReuse": True}
    assert (await CloneSetValidator(no_pods).handle(request(obj, version="v1beta1"))).allowed


async def test_a_bad_v1beta1_cloneset_is_refused_at_its_v1beta1_path() -> None:
    obj = default_cloneset_v1beta1(beta_cloneset(partition="120%"))
    answer = await wire(CloneSetValidator(no_pods), request(obj, version="v1beta1"))
    assert answer["allowed"] is False
    assert answer["status"]["code"] == 422
    assert answer["status"]["message"] == (
        f'{RU}.partition: Invalid value: "120%": must be between 0% and 100%'
    )
    assert [c["field"] for c in answer["status"]["details"]["causes"]] == [f"{RU}.partition"]


async def test_a_v1beta1_only_field_is_validated() -> None:
    obj = default_cloneset_v1beta1(
        beta_cloneset(inPlaceUpdateStrategy={"imagePreDownloadTimeoutSeconds": -1})
    )
    response = await CloneSetValidator(no_pods).handle(request(obj, version="v1beta1"))
    assert response.code == 422
    assert [c["field"] for c in response.causes] == [
        f"{RU}.inPlaceUpdateStrategy.imagePreDownloadTimeoutSeconds"
    ]


async def test_a_v1beta1_update_is_judged_in_v1beta1() -> None:
    old = default_cloneset_v1beta1(beta_cloneset(podUpdatePolicy="InPlaceOnly"))
    new = default_cloneset_v1beta1(beta_cloneset(podUpdatePolicy="InPlaceOnly"))
    new["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Never"
    response = await CloneSetValidator(no_pods).handle(
        request(new, operation="UPDATE", old=old, version="v1beta1")
    )
    assert response.code == 422
    assert f"when {RU}.podUpdatePolicy is InPlaceOnly" in response.message


async def test_a_v1beta1_cloneset_with_unreadable_metadata_is_invalid() -> None:
    obj = beta(cloneset())
    obj["metadata"]["annotations"] = ["not", "a", "map"]
    response = await CloneSetValidator(no_pods).handle(request(obj, version="v1beta1"))
    assert (response.allowed, response.code) == (False, 422)
    assert "metadata.annotations: Invalid value" in response.message


async def test_a_v1alpha1_cloneset_with_an_unreadable_carrier_is_refused() -> None:
    obj = with_carrier(default_cloneset(cloneset()), "{spec")
    response = await CloneSetValidator(no_pods).handle(request(obj, version="v1alpha1"))
    assert response.code == 422
    assert [c["field"] for c in response.causes] == [f"metadata.annotations[{CARRIER}]"]


async def test_a_v1alpha1_cloneset_carrying_fields_as_converted_is_allowed() -> None:
    stored = default_cloneset_v1beta1(
        beta_cloneset(inPlaceUpdateStrategy={"imagePreDownloadParallelism": 2})
    )
    alpha = CloneSetConverter().convert(stored, "apps.kruise.io/v1alpha1")
    assert CARRIER in alpha["metadata"]["annotations"]
    assert (await CloneSetValidator(no_pods).handle(request(alpha, version="v1alpha1"))).allowed


@pytest.mark.parametrize(
    ("defaulter", "validator", "defaults", "sample"),
    [
        (BroadcastJobDefaulter, BroadcastJobValidator, default_broadcastjob, broadcastjob),
        (
            AdvancedCronJobDefaulter,
            AdvancedCronJobValidator,
            default_advancedcronjob,
            advancedcronjob,
        ),
    ],
    ids=["broadcastjob", "advancedcronjob"],
)
async def test_jobs_are_served_alike_in_both_versions(
    defaulter: Any, validator: Any, defaults: Any, sample: Any
) -> None:
    obj = beta(sample())
    req = request(obj, version="v1beta1")
    defaulted = patched(req, await defaulter().handle(req))
    assert defaulted == defaults(obj)
    assert (await validator().handle(request(defaulted, version="v1beta1"))).allowed

    broken = with_carrier(defaults(sample()), "[1]")
    refused = await validator().handle(request(broken, version="v1alpha1"))
    assert refused.code == 422
    assert [c["field"] for c in refused.causes] == [f"metadata.annotations[{CARRIER}]"]
    # In v1beta1 the annotation means nothing: conversion to storage drops it.
    broken_beta = with_carrier(beta(defaults(sample())), "[1]")
    assert (await validator().handle(request(broken_beta, version="v1beta1"))).allowed
