"""apps.kruise.io/v1beta1: the Advanced StatefulSet as stored, and CloneSet, BroadcastJob and
AdvancedCronJob as OpenKruise v1.9 spells them (stored as v1alpha1, converted by webhook).

Nested types shared with v1alpha1 (StatefulSet strategies, statuses, conditions, constants)
are importable from ``kruise.apis.apps.v1alpha1``.
"""

from kruise.apis.apps.v1beta1.advancedcronjob import (
    AdvancedCronJob,
    AdvancedCronJobSpec,
    AdvancedCronJobStatus,
)
from kruise.apis.apps.v1beta1.broadcastjob import BroadcastJob, BroadcastJobSpec, BroadcastJobStatus
from kruise.apis.apps.v1beta1.cloneset import (
    ON_DELETE,
    ROLLING_UPDATE,
    CloneSet,
    CloneSetScaleStrategy,
    CloneSetSpec,
    CloneSetStatus,
    CloneSetUpdateStrategy,
    CloneSetUpdateStrategyType,
    InPlaceUpdateStrategy,
    RollingUpdateCloneSetStrategy,
)
from kruise.apis.apps.v1beta1.register import (
    ADVANCEDCRONJOBS,
    API_VERSION,
    BROADCASTJOBS,
    CLONESETS,
    STATEFULSETS,
    VERSION,
)
from kruise.apis.apps.v1beta1.statefulset import StatefulSet, StatefulSetSpec, StatefulSetStatus

__all__ = [
    "ADVANCEDCRONJOBS",
    "API_VERSION",
    "BROADCASTJOBS",
    "CLONESETS",
    "ON_DELETE",
    "ROLLING_UPDATE",
    "STATEFULSETS",
    "VERSION",
    "AdvancedCronJob",
    "AdvancedCronJobSpec",
    "AdvancedCronJobStatus",
    "BroadcastJob",
    "BroadcastJobSpec",
    "BroadcastJobStatus",
    "CloneSet",
    "CloneSetScaleStrategy",
    "CloneSetSpec",
    "CloneSetStatus",
    "CloneSetUpdateStrategy",
    "CloneSetUpdateStrategyType",
    "InPlaceUpdateStrategy",
    "RollingUpdateCloneSetStrategy",
    "StatefulSet",
    "StatefulSetSpec",
    "StatefulSetStatus",
]
