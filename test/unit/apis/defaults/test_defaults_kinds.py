"""Each kind's defaults, exactly as OpenKruise v0.7.0 sets them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kruise.apis.apps.defaults import (
    default_advancedcronjob,
    default_broadcastjob,
    default_cloneset,
    default_statefulset,
)

POD = {"spec": {"containers": [{"name": "main", "image": "nginx"}]}}


def test_cloneset() -> None:
    out = default_cloneset({"spec": {"template": copy.deepcopy(POD)}})
    spec = out["spec"]
    assert spec["replicas"] == 1
    assert spec["revisionHistoryLimit"] == 10
    assert spec["updateStrategy"] == {
        "type": "ReCreate",
        "partition": 0,
        "maxUnavailable": "20%",
        "maxSurge": 0,
    }
    assert spec["template"]["spec"]["dnsPolicy"] == "ClusterFirst"
    assert "scaleStrategy" not in spec
    assert "minReadySeconds" not in spec


@pytest.mark.parametrize("kind", ["InPlaceIfPossible", "InPlaceOnly"])
def test_cloneset_in_place_types_get_an_in_place_strategy(kind: str) -> None:
    out = default_cloneset({"spec": {"updateStrategy": {"type": kind}}})
    assert out["spec"]["updateStrategy"]["inPlaceUpdateStrategy"] == {}
    kept = default_cloneset(
        {
            "spec": {
                "updateStrategy": {"type": kind, "inPlaceUpdateStrategy": {"gracePeriodSeconds": 5}}
            }
        }
    )
    assert kept["spec"]["updateStrategy"]["inPlaceUpdateStrategy"] == {"gracePeriodSeconds": 5}


def test_cloneset_keeps_what_is_set() -> None:
    spec = {
        "replicas": 0,
        "revisionHistoryLimit": 0,
        "updateStrategy": {
            "type": "ReCreate",
            "partition": "50%",
            "maxUnavailable": 0,
            "maxSurge": "10%",
        },
    }
    out = default_cloneset({"spec": copy.deepcopy(spec)})["spec"]
    assert {k: out[k] for k in spec} == spec


def test_cloneset_claim_templates() -> None:
    out = default_cloneset({"spec": {"volumeClaimTemplates": [{"metadata": {"name": "d"}}]}})
    assert out["spec"]["volumeClaimTemplates"][0] == {
        "metadata": {"name": "d"},
        "status": {"phase": "Pending"},
    }


def test_statefulset() -> None:
    spec = default_statefulset({"spec": {"template": copy.deepcopy(POD)}})["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {
            "partition": 0,
            "maxUnavailable": 1,
            "podUpdatePolicy": "ReCreate",
            "minReadySeconds": 0,
        },
    }
    assert spec["replicas"] == 1
    assert spec["revisionHistoryLimit"] == 10
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_statefulset_on_delete_gets_no_rolling_update() -> None:
    spec = default_statefulset({"spec": {"updateStrategy": {"type": "OnDelete"}}})["spec"]
    assert spec["updateStrategy"] == {"type": "OnDelete"}


def test_broadcastjob() -> None:
    spec = default_broadcastjob({"spec": {"template": copy.deepcopy(POD)}})["spec"]
    assert spec["completionPolicy"] == {"type": "Always"}
    assert spec["parallelism"] == 2147483647
    assert spec["failurePolicy"] == {"type": "FailFast"}
    assert spec["template"]["spec"]["restartPolicy"] == "Always"
    assert "paused" not in spec


def test_broadcastjob_keeps_what_is_set() -> None:
    spec = {
        "parallelism": "50%",
        "completionPolicy": {"type": "Never"},
        "failurePolicy": {"type": "Pause"},
    }
    out = default_broadcastjob({"spec": copy.deepcopy(spec)})["spec"]
    assert {k: out[k] for k in spec} == spec


@pytest.mark.parametrize("template", ["jobTemplate", "broadcastJobTemplate"])
def test_advancedcronjob(template: str) -> None:
    obj = {
        "spec": {
            "schedule": "@hourly",
            "template": {template: {"spec": {"template": copy.deepcopy(POD)}}},
        }
    }
    spec = default_advancedcronjob(obj)["spec"]
    assert spec["concurrencyPolicy"] == "Allow"
    assert spec["paused"] is False
    assert spec["successfulJobsHistoryLimit"] == 3
    assert spec["failedJobsHistoryLimit"] == 1
    assert "timeZone" not in spec
    pod = spec["template"][template]["spec"]["template"]["spec"]
    assert pod["dnsPolicy"] == "ClusterFirst"
    # Only the pod spec: a BroadcastJob template's own defaults come when the job is created.
    assert "parallelism" not in spec["template"][template]["spec"]


def test_advancedcronjob_without_template_gets_none() -> None:
    spec = default_advancedcronjob({"spec": {"schedule": "@hourly"}})["spec"]
    assert "template" not in spec


@pytest.mark.parametrize(
    "default",
    [default_cloneset, default_statefulset, default_broadcastjob, default_advancedcronjob],
)
def test_argument_is_not_changed(default: Any) -> None:
    obj = {"spec": {"template": copy.deepcopy(POD)}}
    before = copy.deepcopy(obj)
    assert default(obj) != before
    assert obj == before


@pytest.mark.parametrize(
    "default",
    [default_cloneset, default_statefulset, default_broadcastjob, default_advancedcronjob],
)
def test_a_spec_of_the_wrong_type_is_left_for_schema_validation(default: Any) -> None:
    assert default({"spec": "x"}) == {"spec": "x"}
    assert default({"spec": {"updateStrategy": [], "template": 3}})["spec"]["template"] == 3
