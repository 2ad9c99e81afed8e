"""CloneSet: a set of interchangeable pods, updated by re-creation or in place."""

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
    Lifecycle,
    UpdatePriorityStrategy,
)
from kruise.runtime.client.types import ObjectMeta

# The pod update types, plus OnDelete: the controller updates no pod, and a pod someone
# deletes comes back at the update revision.
CloneSetUpdateStrategyType = Literal["ReCreate", "InPlaceIfPossible", "InPlaceOnly", "OnDelete"]

# Status condition types, set while scaling or updating fails.
CLONESET_FAILED_SCALE: Final = "FailedScale"
CLONESET_FAILED_UPDATE: Final = "FailedUpdate"
# The condition type that tells how a rollout is going (set only with
# spec.progressDeadlineSeconds), and its reasons, as OpenKruise writes them.
CLONESET_PROGRESSING: Final = "Progressing"
CLONESET_AVAILABLE: Final = "CloneSetAvailable"
CLONESET_PROGRESS_UPDATED: Final = "CloneSetUpdated"
CLONESET_PROGRESS_PAUSED: Final = "CloneSetPaused"
CLONESET_PROGRESS_PARTITION_AVAILABLE: Final = "ProgressPartitionAvailable"
CLONESET_PROGRESS_DEADLINE_EXCEEDED: Final = "ProgressDeadlineExceeded"


class CloneSetScaleStrategy(TypedDict, total=False):
    """How the CloneSet scales."""

    podsToDelete: Annotated[
        list[str],
        Doc("Names of pods to delete; replacements are created if replicas need them."),
    ]
    maxUnavailable: Annotated[
        IntOrString,
        Doc(
            "Scale-out creates pods only while fewer than this many are unavailable: a "
            "count, or a percentage of replicas rounded up. Unset: no limit."
        ),
    ]
    disablePVCReuse: Annotated[
        bool,
        Doc(
            "Delete the claims of a pod that is gone instead of giving them to its "
            "replacement. Default false."
        ),
    ]


class UpdateScatterTerm(TypedDict, total=False):
    """Pods with this label are spread evenly over the update."""

    key: Required[str]
    value: Required[str]


class CloneSetUpdateStrategy(TypedDict, total=False):
    """How pods move to a new revision of the template."""

    type: Annotated[
        CloneSetUpdateStrategyType,
        Doc(
            "ReCreate (the default), InPlaceIfPossible, InPlaceOnly, or OnDelete (pods are "
            "updated only when someone deletes them)."
        ),
    ]
    partition: Annotated[
        IntOrString,
        Doc(
            "Pods to keep at old revisions: a count, or a percentage of replicas rounded up "
            "that still updates at least one pod when below 100%. Default 0."
        ),
    ]
    maxUnavailable: Annotated[
        IntOrString,
        Doc(
            "Pods the update may make unavailable: a count, or a percentage of replicas "
            'rounded up (down when maxSurge is above 0). Default "20%".'
        ),
    ]
    maxSurge: Annotated[
        IntOrString,
        Doc(
            "Pods the update may create above replicas: a count, or a percentage of replicas "
            "rounded up. Default 0."
        ),
    ]
    paused: Annotated[bool, Doc("Stops updating pods; scaling continues.")]
    priorityStrategy: UpdatePriorityStrategy
    scatterStrategy: Annotated[
        list[UpdateScatterTerm],
        Doc("Labels whose pods are spread evenly over the update."),
    ]
    inPlaceUpdateStrategy: InPlaceUpdateStrategy


class CloneSetSpec(TypedDict, total=False):
    """The desired state of a CloneSet."""

    replicas: Annotated[Int32, Doc("Desired number of pods. Default 1.")]
    selector: Required[
        Annotated[
            LabelSelector, Doc("Labels of the pods the CloneSet owns; must match the template.")
        ]
    ]
    template: Required[PodTemplate]
    volumeClaimTemplates: Annotated[
        list[PersistentVolumeClaimTemplate],
        Doc("Claims created for each pod and deleted with it."),
    ]
    scaleStrategy: CloneSetScaleStrategy
    updateStrategy: CloneSetUpdateStrategy
    revisionHistoryLimit: Annotated[
        Int32, Doc("Unused ControllerRevisions to keep for rollback. Default 10.")
    ]
    minReadySeconds: Annotated[
        Int32, Doc("Seconds a new pod must be ready before it counts as available.")
    ]
    lifecycle: Lifecycle
    progressDeadlineSeconds: Annotated[
        Int32,
        Doc(
            "Seconds a rollout may take to become available (or to reach its partition) "
            "before the Progressing condition reports ProgressDeadlineExceeded; time paused "
            "does not count. Unset or 2147483647: no deadline and no Progressing condition."
        ),
    ]


class CloneSetCondition(TypedDict, total=False):
    """A condition of the CloneSet."""

    type: Required[str]
    status: Required[ConditionStatus]
    lastUpdateTime: Time
    lastTransitionTime: Time
    reason: str
    message: str


class CloneSetStatus(TypedDict, total=False):
    """The observed state of a CloneSet."""

    observedGeneration: Annotated[Int64, Doc("The generation this status describes.")]
    replicas: Annotated[Int32, Doc("Active pods.")]
    readyReplicas: Annotated[Int32, Doc("Active pods that are ready.")]
    availableReplicas: Annotated[Int32, Doc("Active pods ready for at least minReadySeconds.")]
    updatedReplicas: Annotated[Int32, Doc("Active pods at the update revision.")]
    updatedReadyReplicas: Annotated[
        Int32, Doc("Active pods at the update revision that are ready.")
    ]
    updatedAvailableReplicas: Annotated[
        Int32, Doc("Active pods at the update revision that are available.")
    ]
    expectedUpdatedReplicas: Annotated[
        Int32, Doc("Pods the update should bring to the update revision: replicas - partition.")
    ]
    updateRevision: Annotated[str, Doc("The ControllerRevision pods are updated to.")]
    currentRevision: Annotated[
        str, Doc("The oldest revision still running, other than the update revision.")
    ]
    collisionCount: Annotated[
        Int32, Doc("Revision name collisions so far; feeds the next revision's hash.")
    ]
    conditions: list[CloneSetCondition]
    labelSelector: Annotated[str, Doc("The selector in string form, for the scale subresource.")]


class CloneSet(TypedDict, total=False):
    """A set of interchangeable pods, updated by re-creation or in place."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: CloneSetSpec
    status: CloneSetStatus
