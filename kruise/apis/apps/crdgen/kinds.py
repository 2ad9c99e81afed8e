"""The four apps.kruise.io kinds as CRDs: names, versions, columns, subresources, conversion."""

from __future__ import annotations

from typing import Final

from kruise.apis.apps import v1alpha1, v1beta1
from kruise.apis.apps.crdgen.model import CustomResource, PrinterColumn, ServedVersion

WEBHOOK_SERVICE_NAMESPACE: Final = "kube-system"
WEBHOOK_SERVICE_NAME: Final = "kruise-webhook-service"
CONVERSION_PATH: Final = "/convert"
CONVERSION_REVIEW_VERSIONS: Final = ("v1", "v1beta1")


def _integer(name: str, json_path: str, description: str) -> PrinterColumn:
    return PrinterColumn(name, json_path, "integer", description)


AGE = PrinterColumn("AGE", ".metadata.creationTimestamp", "date", "Time since creation.")

# Every kind converts between its two versions through the manager's /convert webhook; the
# certificate controller injects the caBundle (and a URL instead of the Service when the
# manager runs outside the cluster).
WEBHOOK_CONVERSION: Final = {
    "strategy": "Webhook",
    "webhook": {
        "conversionReviewVersions": list(CONVERSION_REVIEW_VERSIONS),
        "clientConfig": {
            "service": {
                "namespace": WEBHOOK_SERVICE_NAMESPACE,
                "name": WEBHOOK_SERVICE_NAME,
                "path": CONVERSION_PATH,
                "port": 443,
            }
        },
    },
}

CLONESET = CustomResource(
    resource=v1alpha1.CLONESETS,
    short_names=("clone",),
    # Stored as v1alpha1: what is in etcd and what the controller reads stay as they were.
    versions=(
        ServedVersion("v1alpha1", v1alpha1.CloneSet),
        ServedVersion("v1beta1", v1beta1.CloneSet, storage=False),
    ),
    columns=(
        _integer("DESIRED", ".spec.replicas", "Desired pods."),
        _integer("UPDATED", ".status.updatedReplicas", "Pods at the update revision."),
        _integer(
            "UPDATED_READY", ".status.updatedReadyReplicas", "Ready pods at the update revision."
        ),
        _integer("READY", ".status.readyReplicas", "Ready pods."),
        _integer("TOTAL", ".status.replicas", "Active pods."),
        AGE,
    ),
    scale=True,
    conversion=WEBHOOK_CONVERSION,
)

STATEFULSET = CustomResource(
    resource=v1beta1.STATEFULSETS,
    short_names=("sts", "asts"),
    versions=(
        ServedVersion("v1alpha1", v1alpha1.StatefulSet, storage=False),
        ServedVersion("v1beta1", v1beta1.StatefulSet),
    ),
    columns=(
        _integer("DESIRED", ".spec.replicas", "Desired pods."),
        _integer("CURRENT", ".status.replicas", "Pods the set owns."),
        _integer("UPDATED", ".status.updatedReplicas", "Pods at the update revision."),
        _integer("READY", ".status.readyReplicas", "Ready pods."),
        AGE,
        PrinterColumn(
            "CONTAINERS",
            ".spec.template.spec.containers[*].name",
            "string",
            "The containers of the pod template.",
            priority=1,
        ),
        PrinterColumn(
            "IMAGES",
            ".spec.template.spec.containers[*].image",
            "string",
            "The images of the pod template.",
            priority=1,
        ),
    ),
    scale=True,
    conversion=WEBHOOK_CONVERSION,
)

BROADCASTJOB = CustomResource(
    resource=v1alpha1.BROADCASTJOBS,
    short_names=("bcj",),
    versions=(
        ServedVersion("v1alpha1", v1alpha1.BroadcastJob),
        ServedVersion("v1beta1", v1beta1.BroadcastJob, storage=False),
    ),
    columns=(
        _integer("Desired", ".status.desired", "Nodes that should run a pod."),
        _integer("Active", ".status.active", "Pods running."),
        _integer("Succeeded", ".status.succeeded", "Pods that succeeded."),
        _integer("Failed", ".status.failed", "Pods that failed."),
        PrinterColumn("Phase", ".status.phase", "string", "running, paused, completed or failed."),
        AGE,
    ),
    conversion=WEBHOOK_CONVERSION,
)

ADVANCEDCRONJOB = CustomResource(
    resource=v1alpha1.ADVANCEDCRONJOBS,
    short_names=("acj",),
    versions=(
        ServedVersion("v1alpha1", v1alpha1.AdvancedCronJob),
        ServedVersion("v1beta1", v1beta1.AdvancedCronJob, storage=False),
    ),
    columns=(
        PrinterColumn("Schedule", ".spec.schedule", "string", "The cron schedule."),
        PrinterColumn(
            "TimeZone", ".spec.timeZone", "string", "The schedule's time zone; none is UTC."
        ),
        PrinterColumn("Type", ".status.type", "string", "Job or BroadcastJob."),
        PrinterColumn(
            "LastScheduleTime", ".status.lastScheduleTime", "date", "The latest scheduled run."
        ),
        PrinterColumn(
            "Active",
            ".status.active[*].name",
            "string",
            "A child still running (the first, when several are).",
        ),
        PrinterColumn("Paused", ".spec.paused", "boolean", "Whether new runs are held."),
        AGE,
    ),
    conversion=WEBHOOK_CONVERSION,
)

CUSTOM_RESOURCES: Final = (ADVANCEDCRONJOB, BROADCASTJOB, CLONESET, STATEFULSET)
