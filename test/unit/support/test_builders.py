"""The shared object builders and the field setter tests build their cases with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support.fields import DELETE, with_field, with_fields
from support.workloads import (
    DEFAULT_LABELS,
    advancedcronjob,
    broadcastjob,
    cloneset,
    collection,
    statefulset,
)

from kruise.apis.apps.defaults import (
    default_advancedcronjob,
    default_broadcastjob,
    default_cloneset,
    default_statefulset,
)
from kruise.apis.apps.validation.advancedcronjob import validate_advancedcronjob
from kruise.apis.apps.validation.broadcastjob import validate_broadcastjob
from kruise.apis.apps.validation.cloneset import validate_cloneset
from kruise.apis.apps.validation.statefulset import validate_statefulset

Obj = dict[str, Any]


def test_a_cloneset_selects_its_own_pods() -> None:
    obj = cloneset("web", 3, image="nginx:1.0", namespace="ns", paused=True)
    assert obj["apiVersion"] == "apps.kruise.io/v1alpha1"
    assert obj["metadata"] == {"name": "web", "namespace": "ns"}
    assert obj["spec"] == {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "main", "image": "nginx:1.0"}]},
        },
        "paused": True,
    }


def test_defaults_leave_replicas_namespace_and_uid_out() -> None:
    obj = cloneset()
    assert "replicas" not in obj["spec"]
    assert obj["metadata"] == {"name": "demo"}
    assert obj["spec"]["selector"]["matchLabels"] == DEFAULT_LABELS


def test_each_kind_has_its_shape() -> None:
    sts = statefulset("db", 2, version="v1alpha1", uid="u")
    assert (sts["apiVersion"], sts["spec"]["serviceName"], sts["metadata"]["uid"]) == (
        "apps.kruise.io/v1alpha1",
        "db",
        "u",
    )
    job = broadcastjob(restart_policy="OnFailure", parallelism=1)
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    assert job["spec"]["parallelism"] == 1
    cron = advancedcronjob(template_kind="broadcastJobTemplate", schedule="0 * * * *")
    pod = cron["spec"]["template"]["broadcastJobTemplate"]["spec"]["template"]
    assert pod["spec"]["restartPolicy"] == "Never"
    assert cron["spec"]["schedule"] == "0 * * * *"


@pytest.mark.parametrize(
    ("obj", "default", "validate"),
    [
        (cloneset(replicas=1), default_cloneset, validate_cloneset),
        (statefulset(replicas=1), default_statefulset, validate_statefulset),
        (broadcastjob(), default_broadcastjob, validate_broadcastjob),
        (advancedcronjob(), default_advancedcronjob, validate_advancedcronjob),
    ],
    ids=["CloneSet", "StatefulSet", "BroadcastJob", "AdvancedCronJob"],
)
def test_what_they_build_is_valid_once_defaulted(
    obj: Obj, default: Callable[[Obj], Obj], validate: Callable[[Obj], list[Any]]
) -> None:
    obj["metadata"]["namespace"] = "ns"
    assert validate(default(obj)) == []


def test_collection_is_the_rest_path_of_the_kind() -> None:
    assert collection(cloneset(), "ns") == "/apis/apps.kruise.io/v1alpha1/namespaces/ns/clonesets"
    assert (
        collection(statefulset(), "ns", "v1alpha1")
        == "/apis/apps.kruise.io/v1alpha1/namespaces/ns/statefulsets"
    )


def test_with_field_sets_appends_creates_and_deletes_on_a_copy() -> None:
    obj = {"spec": {"containers": [{"name": "a"}]}}
    assert with_field(obj, "spec.containers[0].image", "x") == {
        "spec": {"containers": [{"name": "a", "image": "x"}]}
    }
    assert with_field(obj, "spec.containers[1]", {"name": "b"})["spec"]["containers"][1] == {
        "name": "b"
    }
    assert with_field(obj, "metadata.labels.app", "web")["metadata"] == {"labels": {"app": "web"}}
    assert with_field(obj, "spec.containers", DELETE) == {"spec": {}}
    assert with_fields(obj, {"spec.paused": True, "spec.replicas": 2})["spec"] == {
        "containers": [{"name": "a"}],
        "paused": True,
        "replicas": 2,
    }
    assert obj == {"spec": {"containers": [{"name": "a"}]}}
