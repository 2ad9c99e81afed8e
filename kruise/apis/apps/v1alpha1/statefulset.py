"""Advanced StatefulSet, v1alpha1: apps/v1 StatefulSet plus in-place and unordered updates.

v1beta1 (the stored version) has the same fields and a few more (``reserveOrdinals``,
``lifecycle``, ``scaleStrategy``, ``persistentVolumeClaimRetentionPolicy``, ``ordinals``).
"""

from typing import Annotated, Final, Literal, Required, TypedDict

from kruise.apis.apps.intstr import IntOrString
from kruise.apis.apps.schema import Doc, Int32, Int64, Time
from kruise.apis.apps.v1alpha1.kube import (
    ConditionStatus,
    LabelSelector,
    PersistentVolumeClaimTemplate,
    PodTemplate,
)
from kruise.apis.apps.v1alpha1.pub import (
    InPlaceUpdateStrategy,
    PodUpdateStrategyType,
    UpdatePriorityStrategy,
)
from kruise.runtime.client.types import ObjectMeta

PodManagementPolicyType = Literal["OrderedReady", "Parallel"]
ORDERED_READY_POD_MANAGEMENT: Final = "OrderedReady"
PARALLEL_POD_MANAGEMENT: Final = "Parallel"

StatefulSetUpdateStrategyType = Literal["RollingUpdate", "OnDelete"]
ROLLING_UPDATE_STRATEGY_TYPE: Final = "RollingUpdate"
ON_DELETE_STRATEGY_TYPE: Final = "OnDelete"

# The longest rollingUpdate.minReadySeconds the webhook accepts.
MAX_MIN_READY_SECONDS: Final = 300

# Status condition types, set when creating or updating a pod fails.
STATEFULSET_FAILED_CREATE_POD: Final = "FailedCreatePod"
STATEFULSET_FAILED_UPDATE_POD: Final = "FailedUpdatePod"


class UnorderedUpdateStrategy(TypedDict, total=False):
    """Update pods in priority order rather than by ordinal (Parallel sets only)."""

    priorityStrategy: UpdatePriorityStrategy


class RollingUpdateStatefulSetStrategy(TypedDict, total=False):
    """How a rolling update proceeds."""

    partition: Annotated[
        Int32,
        Doc(
            "Pods with an ordinal below this keep their old revision (with unorderedUpdate: "
            "the number of pods kept at old revisions). Default 0."
        ),
    ]
    maxUnavailable: Annotated[
        IntOrString,
        Doc(
            "Pods the update may make unavailable: a count, or a percentage of replicas "
            "rounded down; at least 1. Must be 1 unless podManagementPolicy is Parallel. "
            "Default 1."
        ),
    ]
    podUpdatePolicy: Annotated[
        PodUpdateStrategyType,
        Doc("ReCreate (the default), InPlaceIfPossible or InPlaceOnly."),
    ]
    paused: Annotated[bool, Doc("Stops updating pods.")]
    unorderedUpdate: UnorderedUpdateStrategy
    inPlaceUpdateStrategy: InPlaceUpdateStrategy
    minReadySeconds: Annotated[
        Int32,
        Doc("Seconds an updated pod must be ready before the update moves on (0 to 300)."),
    ]


class StatefulSetUpdateStrategy(TypedDict, total=False):
    """How pods move to a new revision of the template."""

    type: Annotated[StatefulSetUpdateStrategyType, Doc("RollingUpdate (the default) or OnDelete.")]
    rollingUpdate: RollingUpdateStatefulSetStrategy


class StatefulSetSpec(TypedDict, total=False):
    """The desired state of an Advanced StatefulSet."""

    replicas: Annotated[Int32, Doc("Desired number of pods. Default 1.")]
    selector: Required[
        Annotated[LabelSelector, Doc("Labels of the pods the set owns; must match the template.")]
    ]
    template: Required[PodTemplate]
    volumeClaimTemplates: Annotated[
        list[PersistentVolumeClaimTemplate],
        Doc("Claims created for each ordinal and kept when the pod goes."),
    ]
    serviceName: Annotated[str, Doc("The headless Service that gives pods their DNS names.")]
    podManagementPolicy: Annotated[
        PodManagementPolicyType,
        Doc("OrderedReady (the default): one pod at a time, in order; Parallel: all at once."),
    ]
    updateStrategy: StatefulSetUpdateStrategy
    revisionHistoryLimit: Annotated[
        Int32, Doc("Unused ControllerRevisions to keep for rollback. Default 10.")
    ]


class StatefulSetCondition(TypedDict, total=False):
    """A condition of the StatefulSet."""

    type: Required[str]
    status: Required[ConditionStatus]
    lastTransitionTime: Time
    reason: str
    message: str


class StatefulSetStatus(TypedDict, total=False):
    """The observed state of an Advanced StatefulSet."""

    observedGeneration: Annotated[Int64, Doc("The generation this status describes.")]
    replicas: Annotated[Int32, Doc("Pods the set owns.")]
    readyReplicas: Annotated[Int32, Doc("Pods that are ready.")]
    availableReplicas: Annotated[Int32, Doc("Pods ready for at least minReadySeconds.")]
    currentReplicas: Annotated[Int32, Doc("Pods at the current revision.")]
    updatedReplicas: Annotated[Int32, Doc("Pods at the update revision.")]
    currentRevision: Annotated[str, Doc("The ControllerRevision of pods not yet updated.")]
    updateRevision: Annotated[str, Doc("The ControllerRevision pods are updated to.")]
    collisionCount: Annotated[
        Int32, Doc("Revision name collisions so far; feeds the next revision's hash.")
    ]
    conditions: list[StatefulSetCondition]
    labelSelector: Annotated[str, Doc("The selector in string form, for the scale subresource.")]


class StatefulSet(TypedDict, total=False):
    """An Advanced StatefulSet, as served at v1alpha1."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: StatefulSetSpec
    status: StatefulSetStatus
