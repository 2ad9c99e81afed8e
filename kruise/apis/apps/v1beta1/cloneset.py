"""CloneSet, v1beta1: served beside v1alpha1 (the stored version), as OpenKruise v1.9 spells it.

The update strategy nests its rollout fields under ``rollingUpdate``, with the pod update
type there as ``podUpdatePolicy``; claim reuse is ``scaleStrategy.enablePVCReuse`` (off
unless set, where v1alpha1 reuses unless ``disablePVCReuse``); and
``scaleStrategy.excludePreparingDelete`` replaces v1alpha1's label. Metadata, status and the
other spec fields are v1alpha1's (``kruise.apis.apps.conversion.cloneset`` maps them).
"""

from typing import Annotated, Final, Literal, Required, TypedDict

from kruise.apis.apps.intstr import IntOrString
from kruise.apis.apps.schema import Doc, Int32
from kruise.apis.apps.v1alpha1 import cloneset as v1alpha1
from kruise.apis.apps.v1alpha1.kube import LabelSelector, PersistentVolumeClaimTemplate, PodTemplate
from kruise.apis.apps.v1alpha1.pub import Lifecycle, PodUpdateStrategyType, UpdatePriorityStrategy
from kruise.runtime.client.types import ObjectMeta

CloneSetStatus = v1alpha1.CloneSetStatus
CloneSetCondition = v1alpha1.CloneSetCondition
UpdateScatterTerm = v1alpha1.UpdateScatterTerm

CloneSetUpdateStrategyType = Literal["RollingUpdate", "OnDelete"]
ROLLING_UPDATE: Final = "RollingUpdate"
ON_DELETE: Final = "OnDelete"


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
    enablePVCReuse: Annotated[
        bool,
        Doc(
            "Give the claims of a pod that is gone to its replacement instead of deleting "
            "them. Default false."
        ),
    ]
    excludePreparingDelete: Annotated[
        bool,
        Doc(
            "Leave pods in PreparingDelete out when counting replicas, so pods held by a "
            "preDelete hook are replaced at once. Default false."
        ),
    ]


class InPlaceUpdateStrategy(TypedDict, total=False):
    """How in-place updates proceed."""

    gracePeriodSeconds: Annotated[
        Int32,
        Doc("Seconds between marking a pod not ready and changing its images in place."),
    ]
    imagePreDownloadParallelism: Annotated[
        IntOrString,
        Doc("Nodes pulling the new images at once before the update (accepted, not acted on)."),
    ]
    imagePreDownloadTimeoutSeconds: Annotated[
        Int32, Doc("Timeout of each image pre-download (accepted, not acted on).")
    ]
    imagePreDownloadMinUpdatedReadyPods: Annotated[
        Int32,
        Doc("Updated ready pods needed before images are pre-downloaded (accepted, not acted on)."),
    ]


class RollingUpdateCloneSetStrategy(TypedDict, total=False):
    """How a rolling update moves pods to the update revision."""

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
    podUpdatePolicy: Annotated[
        PodUpdateStrategyType,
        Doc("ReCreate (the default), InPlaceIfPossible or InPlaceOnly."),
    ]
    paused: Annotated[bool, Doc("Stops updating pods; scaling continues.")]
    priorityStrategy: UpdatePriorityStrategy
    scatterStrategy: Annotated[
        list[UpdateScatterTerm],
        Doc("Labels whose pods are spread evenly over the update."),
    ]
    inPlaceUpdateStrategy: InPlaceUpdateStrategy


class CloneSetUpdateStrategy(TypedDict, total=False):
    """How pods move to a new revision of the template."""

    type: Annotated[
        CloneSetUpdateStrategyType,
        Doc(
            "RollingUpdate (the default), or OnDelete: pods are updated only when someone "
            "deletes them."
        ),
    ]
    rollingUpdate: RollingUpdateCloneSetStrategy


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


class CloneSet(TypedDict, total=False):
    """A set of interchangeable pods, updated by re-creation or in place."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: CloneSetSpec
    status: CloneSetStatus
