"""The API modules: resources, constants that agree with their Literal types, typed use."""

from __future__ import annotations

from typing import get_args

from kruise.apis.apps import v1alpha1, v1beta1
from kruise.apis.apps.v1alpha1 import advancedcronjob as acj
from kruise.apis.apps.v1alpha1 import (
    broadcastjob,
    cloneset,
    kube,
    pub,
    statefulset,
)


def test_resources() -> None:
    assert v1alpha1.CLONESETS.path("ns", "a") == (
        "/apis/apps.kruise.io/v1alpha1/namespaces/ns/clonesets/a"
    )
    assert v1alpha1.CLONESETS.kind == "CloneSet"
    assert v1alpha1.STATEFULSETS.api_version == "apps.kruise.io/v1alpha1"
    assert v1beta1.STATEFULSETS.api_version == "apps.kruise.io/v1beta1"
    assert v1beta1.API_VERSION == "apps.kruise.io/v1beta1"
    assert v1alpha1.BROADCASTJOBS.plural == "broadcastjobs"
    assert v1alpha1.ADVANCEDCRONJOBS.plural == "advancedcronjobs"
    for resource in (v1alpha1.CLONESETS, v1alpha1.BROADCASTJOBS, v1beta1.STATEFULSETS):
        assert resource.namespaced
        assert not resource.builtin


def test_constants_enumerate_their_literal_types() -> None:
    assert get_args(pub.PodUpdateStrategyType) == (
        pub.RECREATE,
        pub.IN_PLACE_IF_POSSIBLE,
        pub.IN_PLACE_ONLY,
    )
    assert get_args(pub.LifecycleState) == (
        pub.LIFECYCLE_PREPARING_NORMAL,
        pub.LIFECYCLE_NORMAL,
        pub.LIFECYCLE_PREPARING_UPDATE,
        pub.LIFECYCLE_UPDATING,
        pub.LIFECYCLE_UPDATED,
        pub.LIFECYCLE_PREPARING_DELETE,
    )
    assert get_args(statefulset.PodManagementPolicyType) == (
        statefulset.ORDERED_READY_POD_MANAGEMENT,
        statefulset.PARALLEL_POD_MANAGEMENT,
    )
    assert get_args(cloneset.CloneSetUpdateStrategyType) == (
        pub.RECREATE,
        pub.IN_PLACE_IF_POSSIBLE,
        pub.IN_PLACE_ONLY,
        statefulset.ON_DELETE_STRATEGY_TYPE,
    )
    assert get_args(statefulset.StatefulSetUpdateStrategyType) == (
        statefulset.ROLLING_UPDATE_STRATEGY_TYPE,
        statefulset.ON_DELETE_STRATEGY_TYPE,
    )
    assert get_args(broadcastjob.CompletionPolicyType) == (
        broadcastjob.COMPLETION_ALWAYS,
        broadcastjob.COMPLETION_NEVER,
    )
    assert get_args(broadcastjob.FailurePolicyType) == (
        broadcastjob.FAILURE_CONTINUE,
        broadcastjob.FAILURE_FAIL_FAST,
        broadcastjob.FAILURE_PAUSE,
    )
    assert get_args(broadcastjob.BroadcastJobPhase) == (
        broadcastjob.PHASE_RUNNING,
        broadcastjob.PHASE_PAUSED,
        broadcastjob.PHASE_COMPLETED,
        broadcastjob.PHASE_FAILED,
    )
    assert get_args(acj.ConcurrencyPolicy) == (
        acj.CONCURRENCY_ALLOW,
        acj.CONCURRENCY_FORBID,
        acj.CONCURRENCY_REPLACE,
    )
    assert get_args(acj.TemplateKind) == (acj.TEMPLATE_KIND_JOB, acj.TEMPLATE_KIND_BROADCASTJOB)
    assert get_args(kube.ConditionStatus) == ("True", "False", "Unknown")


def test_openkruise_names() -> None:
    assert v1alpha1.CONTROLLER_REVISION_HASH_LABEL == "controller-revision-hash"
    assert v1alpha1.SPECIFIED_DELETE_LABEL == "apps.kruise.io/specified-delete"
    assert v1alpha1.CLONESET_INSTANCE_ID_LABEL == "apps.kruise.io/cloneset-instance-id"
    assert v1alpha1.LIFECYCLE_STATE_LABEL == "lifecycle.apps.kruise.io/state"
    assert v1alpha1.LIFECYCLE_TIMESTAMP_ANNOTATION == "lifecycle.apps.kruise.io/timestamp"
    assert v1alpha1.INPLACE_UPDATE_STATE_ANNOTATION == "inplace-update-state"
    assert v1alpha1.INPLACE_UPDATE_GRACE_ANNOTATION == "inplace-update-grace"
    assert v1alpha1.IN_PLACE_UPDATE_READY == "InPlaceUpdateReady"
    assert v1alpha1.START_IN_PLACE_UPDATE_REASON == "StartInPlaceUpdate"
    assert v1alpha1.STATEFULSET_POD_NAME_LABEL == "statefulset.kubernetes.io/pod-name"
    assert v1alpha1.BROADCASTJOB_NAME_LABEL == "broadcastjob-name"
    assert v1alpha1.BROADCASTJOB_CONTROLLER_UID_LABEL == "broadcastjob-controller-uid"
    assert v1alpha1.SCHEDULED_AT_ANNOTATION == "apps.kruise.io/scheduled-at"
    assert (v1alpha1.CLONESET_FAILED_SCALE, v1alpha1.CLONESET_FAILED_UPDATE) == (
        "FailedScale",
        "FailedUpdate",
    )
    assert (v1alpha1.STATEFULSET_FAILED_CREATE_POD, v1alpha1.STATEFULSET_FAILED_UPDATE_POD) == (
        "FailedCreatePod",
        "FailedUpdatePod",
    )
    assert (v1alpha1.JOB_COMPLETE, v1alpha1.JOB_FAILED) == ("Complete", "Failed")


def test_every_public_name_is_exported() -> None:
    for package in (v1alpha1, v1beta1):
        for name in package.__all__:
            assert hasattr(package, name), name


def test_objects_are_plain_dicts_typed_for_mypy() -> None:
    """Written the way controllers will: constants fit the Literal-typed fields."""
    cloneset: v1alpha1.CloneSet = {
        "apiVersion": v1alpha1.API_VERSION,
        "kind": v1alpha1.CLONESETS.kind,
        "metadata": {"name": "demo", "labels": {"app": "demo"}},
        "spec": {
            "selector": {"matchLabels": {"app": "demo"}},
            "template": {"metadata": {"labels": {"app": "demo"}}, "spec": {"containers": []}},
            "updateStrategy": {"type": v1alpha1.IN_PLACE_ONLY, "partition": "20%"},
            "lifecycle": {"preDelete": {"finalizersHandler": ["example.com/hold"]}},
        },
        "status": {"replicas": 1, "labelSelector": "app=demo"},
    }
    assert type(cloneset) is dict
    asts: v1beta1.StatefulSet = {
        "apiVersion": v1beta1.API_VERSION,
        "kind": "StatefulSet",
        "metadata": {"name": "demo"},
        "spec": {
            "selector": {"matchLabels": {"app": "demo"}},
            "template": {},
            "podManagementPolicy": v1alpha1.PARALLEL_POD_MANAGEMENT,
            "reserveOrdinals": [1],
            "updateStrategy": {
                "type": v1alpha1.ROLLING_UPDATE_STRATEGY_TYPE,
                "rollingUpdate": {"podUpdatePolicy": v1alpha1.RECREATE, "maxUnavailable": 1},
            },
        },
    }
    assert asts["spec"]["reserveOrdinals"] == [1]
    cron: v1alpha1.AdvancedCronJob = {
        "spec": {
            "schedule": "@daily",
            "timeZone": "Europe/Paris",
            "concurrencyPolicy": v1alpha1.CONCURRENCY_FORBID,
            "template": {"broadcastJobTemplate": {"spec": {"template": {}}}},
        },
        "status": {"type": v1alpha1.TEMPLATE_KIND_BROADCASTJOB},
    }
    assert cron["status"]["type"] == "BroadcastJob"
