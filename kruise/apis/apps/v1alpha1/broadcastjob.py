"""BroadcastJob: run a pod to completion on every node that fits."""

from typing import Annotated, Final, Literal, Required, TypedDict

from kruise.apis.apps.intstr import IntOrString
from kruise.apis.apps.schema import Doc, Int32, Int64, Time
from kruise.apis.apps.v1alpha1.kube import ConditionStatus, PodTemplate
from kruise.runtime.client.types import ObjectMeta

CompletionPolicyType = Literal["Always", "Never"]
COMPLETION_ALWAYS: Final = "Always"
COMPLETION_NEVER: Final = "Never"

FailurePolicyType = Literal["Continue", "FailFast", "Pause"]
FAILURE_CONTINUE: Final = "Continue"
FAILURE_FAIL_FAST: Final = "FailFast"
FAILURE_PAUSE: Final = "Pause"

BroadcastJobPhase = Literal["running", "paused", "completed", "failed"]
PHASE_RUNNING: Final = "running"
PHASE_PAUSED: Final = "paused"
PHASE_COMPLETED: Final = "completed"
PHASE_FAILED: Final = "failed"

# Status condition types of a finished job.
JOB_COMPLETE: Final = "Complete"
JOB_FAILED: Final = "Failed"


class CompletionPolicy(TypedDict, total=False):
    """When the job counts as finished."""

    type: Annotated[
        CompletionPolicyType,
        Doc(
            "Always (the default): the job completes once every fitting node ran its pod. "
            "Never: the job keeps running and covers nodes that join later."
        ),
    ]
    activeDeadlineSeconds: Annotated[
        Int64, Doc("Seconds after the start at which the job fails (Always only).")
    ]
    ttlSecondsAfterFinished: Annotated[
        Int32, Doc("Seconds after finishing at which the job is deleted (Always only).")
    ]


class FailurePolicy(TypedDict, total=False):
    """What a failed pod does to the job."""

    type: Annotated[
        FailurePolicyType,
        Doc("FailFast (the default) fails the job; Continue ignores; Pause pauses the job."),
    ]
    restartLimit: Annotated[
        Int32, Doc("Container restarts after which an OnFailure pod counts as failed.")
    ]


class BroadcastJobSpec(TypedDict, total=False):
    """The desired state of a BroadcastJob."""

    parallelism: Annotated[
        IntOrString,
        Doc(
            "Pods running at once: a count, or a percentage of the desired nodes rounded up. "
            "Default unlimited."
        ),
    ]
    template: Required[PodTemplate]
    completionPolicy: CompletionPolicy
    paused: Annotated[bool, Doc("Stops creating pods; running pods continue.")]
    failurePolicy: FailurePolicy


class JobCondition(TypedDict, total=False):
    """A condition of the job."""

    type: Required[str]
    status: Required[ConditionStatus]
    lastProbeTime: Time
    lastTransitionTime: Time
    reason: str
    message: str


class BroadcastJobStatus(TypedDict, total=False):
    """The observed state of a BroadcastJob."""

    conditions: list[JobCondition]
    startTime: Annotated[Time, Doc("When the controller first saw the job.")]
    completionTime: Annotated[Time, Doc("When the job finished.")]
    active: Annotated[Int32, Doc("Pods still running.")]
    succeeded: Annotated[Int32, Doc("Pods that succeeded.")]
    failed: Annotated[Int32, Doc("Pods that failed.")]
    desired: Annotated[Int32, Doc("Nodes that should run a pod.")]
    phase: Annotated[BroadcastJobPhase, Doc("running, paused, completed or failed.")]


class BroadcastJob(TypedDict, total=False):
    """Runs a pod to completion on every node that fits."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: BroadcastJobSpec
    status: BroadcastJobStatus
