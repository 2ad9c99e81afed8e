"""AdvancedCronJob: create a Job or a BroadcastJob on a cron schedule."""

from typing import Annotated, Final, Literal, Required, TypedDict

from kruise.apis.apps.schema import Doc, Int32, Int64, Minimum, Time
from kruise.apis.apps.v1alpha1.broadcastjob import BroadcastJobSpec
from kruise.apis.apps.v1alpha1.kube import JobTemplate, ObjectReference, TemplateMeta
from kruise.runtime.client.types import ObjectMeta

ConcurrencyPolicy = Literal["Allow", "Forbid", "Replace"]
CONCURRENCY_ALLOW: Final = "Allow"
CONCURRENCY_FORBID: Final = "Forbid"
CONCURRENCY_REPLACE: Final = "Replace"

# Which template an AdvancedCronJob runs, as reported in status.type.
TemplateKind = Literal["Job", "BroadcastJob"]
TEMPLATE_KIND_JOB: Final = "Job"
TEMPLATE_KIND_BROADCASTJOB: Final = "BroadcastJob"


class BroadcastJobTemplateSpec(TypedDict, total=False):
    """The BroadcastJob to create: its labels and annotations, and its spec."""

    metadata: TemplateMeta
    spec: BroadcastJobSpec


class CronJobTemplate(TypedDict, total=False):
    """What each run creates; set exactly one of the two."""

    jobTemplate: Annotated[JobTemplate, Doc("A Job template: metadata and a batch/v1 JobSpec.")]
    broadcastJobTemplate: BroadcastJobTemplateSpec


class AdvancedCronJobSpec(TypedDict, total=False):
    """The desired state of an AdvancedCronJob."""

    schedule: Required[
        Annotated[str, Doc('A five-field cron schedule such as "*/10 * * * *", or "@hourly".')]
    ]
    timeZone: Annotated[
        str,
        Doc(
            "The IANA time zone, such as Europe/Paris, the schedule is read in, "
            "daylight saving included. Unset: UTC."
        ),
    ]
    startingDeadlineSeconds: Annotated[
        Int64,
        Minimum(0),
        Doc("Seconds after its scheduled time within which a missed run still starts."),
    ]
    concurrencyPolicy: Annotated[
        ConcurrencyPolicy,
        Doc("Allow (the default), Forbid (skip while a run is active) or Replace."),
    ]
    paused: Annotated[bool, Doc("Stops starting runs; running children continue.")]
    successfulJobsHistoryLimit: Annotated[
        Int32, Minimum(0), Doc("Finished successful children to keep. Default 3.")
    ]
    failedJobsHistoryLimit: Annotated[
        Int32, Minimum(0), Doc("Finished failed children to keep. Default 1.")
    ]
    template: Required[CronJobTemplate]


class AdvancedCronJobStatus(TypedDict, total=False):
    """The observed state of an AdvancedCronJob."""

    type: Annotated[TemplateKind, Doc("Job or BroadcastJob: the kind of the children.")]
    active: Annotated[list[ObjectReference], Doc("Children still running.")]
    lastScheduleTime: Annotated[Time, Doc("The scheduled time of the latest run.")]


class AdvancedCronJob(TypedDict, total=False):
    """Creates a Job or a BroadcastJob on a cron schedule."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: AdvancedCronJobSpec
    status: AdvancedCronJobStatus
