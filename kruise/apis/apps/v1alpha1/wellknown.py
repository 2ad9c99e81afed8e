"""Label and annotation keys that Kruise controllers put on pods and children.

The names are OpenKruise v0.7.0's, so tools written for OpenKruise keep working.
"""

from typing import Final

# The ControllerRevision name a pod was created from or updated to (the generic key,
# not an apps.kruise.io one).
CONTROLLER_REVISION_HASH_LABEL: Final = "controller-revision-hash"

# CloneSet pods and their claims: the five-character id in the pod name.
CLONESET_INSTANCE_ID_LABEL: Final = "apps.kruise.io/cloneset-instance-id"
# Any value marks a CloneSet pod for deletion (replaced if replicas still need it).
SPECIFIED_DELETE_LABEL: Final = "apps.kruise.io/specified-delete"
# On a CloneSet, "true" makes scaling leave out pods in PreparingDelete, so pods held by a
# preDelete hook are replaced at once (also for every CloneSet with the manager's flag
# --cloneset-scaling-exclude-preparing-delete).
CLONESET_SCALING_EXCLUDE_PREPARING_DELETE_LABEL: Final = (
    "apps.kruise.io/cloneset-scaling-exclude-preparing-delete"
)

# Lifecycle hooks: the pod's state (see pub.LifecycleState) and when it last changed.
LIFECYCLE_STATE_LABEL: Final = "lifecycle.apps.kruise.io/state"
LIFECYCLE_TIMESTAMP_ANNOTATION: Final = "lifecycle.apps.kruise.io/timestamp"

# In-place update bookkeeping (JSON values). v0.7.0 names, without a group prefix.
INPLACE_UPDATE_STATE_ANNOTATION: Final = "inplace-update-state"
INPLACE_UPDATE_GRACE_ANNOTATION: Final = "inplace-update-grace"

# Advanced StatefulSet pods, as apps/v1 StatefulSet pods.
STATEFULSET_POD_NAME_LABEL: Final = "statefulset.kubernetes.io/pod-name"

# BroadcastJob pods: the job's name and uid.
BROADCASTJOB_NAME_LABEL: Final = "broadcastjob-name"
BROADCASTJOB_CONTROLLER_UID_LABEL: Final = "broadcastjob-controller-uid"

# AdvancedCronJob children: the scheduled time they run for (RFC 3339).
SCHEDULED_AT_ANNOTATION: Final = "apps.kruise.io/scheduled-at"
