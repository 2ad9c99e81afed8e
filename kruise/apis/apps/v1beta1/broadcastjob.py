"""BroadcastJob, v1beta1: the same fields as v1alpha1 (the stored version), as OpenKruise v1.9."""

from kruise.apis.apps.v1alpha1 import broadcastjob as v1alpha1

BroadcastJob = v1alpha1.BroadcastJob
BroadcastJobSpec = v1alpha1.BroadcastJobSpec
BroadcastJobStatus = v1alpha1.BroadcastJobStatus
