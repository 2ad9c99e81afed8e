"""Annotation keys and condition names that in-place updates read and write."""

from typing import Final

from kruise.apis.apps.v1alpha1 import (
    CONTROLLER_REVISION_HASH_LABEL,
    IN_PLACE_UPDATE_READY,
    INPLACE_UPDATE_GRACE_ANNOTATION,
    INPLACE_UPDATE_STATE_ANNOTATION,
    START_IN_PLACE_UPDATE_REASON,
)

# What we write: the group-prefixed keys OpenKruise uses since v0.8.0.
STATE_ANNOTATION: Final = "apps.kruise.io/inplace-update-state"
GRACE_ANNOTATION: Final = "apps.kruise.io/inplace-update-grace"
# What OpenKruise v0.7.0 wrote: still read, and removed when we write the new key.
LEGACY_STATE_ANNOTATION: Final = INPLACE_UPDATE_STATE_ANNOTATION
LEGACY_GRACE_ANNOTATION: Final = INPLACE_UPDATE_GRACE_ANNOTATION

STATE_ANNOTATIONS: Final = (STATE_ANNOTATION, LEGACY_STATE_ANNOTATION)
GRACE_ANNOTATIONS: Final = (GRACE_ANNOTATION, LEGACY_GRACE_ANNOTATION)

# The readiness gate and pod condition, and the reason it carries while an update runs.
CONDITION_TYPE: Final = IN_PLACE_UPDATE_READY
START_REASON: Final = START_IN_PLACE_UPDATE_REASON
# The reason the kubelet gives a Ready condition held False by a readiness gate.
READINESS_GATES_NOT_READY: Final = "ReadinessGatesNotReady"

# The pod label that names a pod's revision, for CloneSet and Advanced StatefulSet alike.
REVISION_LABEL: Final = CONTROLLER_REVISION_HASH_LABEL
