"""Advanced StatefulSet, v1beta1: the stored version, and the one controllers use.

It is v1alpha1 plus what later OpenKruise added (as v1.9 spells it): ``reserveOrdinals``
(numbers or ``"a-b"`` ranges), ``lifecycle``, ``scaleStrategy``,
``persistentVolumeClaimRetentionPolicy`` and ``ordinals`` in the spec,
``updatedReadyReplicas`` and ``updatedAvailableReplicas`` in the status. Every other nested
type is shared with v1alpha1, which carries these fields in an annotation (see
:mod:`kruise.apis.apps.conversion.statefulset`).
"""

from typing import Annotated, Final, Literal, TypedDict

from kruise.apis.apps.intstr import IntOrString
from kruise.apis.apps.schema import Doc, Int32
from kruise.apis.apps.v1alpha1 import statefulset as v1alpha1
from kruise.apis.apps.v1alpha1.pub import Lifecycle
from kruise.runtime.client.types import ObjectMeta

PersistentVolumeClaimRetentionPolicyType = Literal["Retain", "Delete"]
RETAIN_PERSISTENT_VOLUME_CLAIM: Final = "Retain"
DELETE_PERSISTENT_VOLUME_CLAIM: Final = "Delete"


class StatefulSetPersistentVolumeClaimRetentionPolicy(TypedDict, total=False):
    """What happens to the claims made from volumeClaimTemplates."""

    whenDeleted: Annotated[
        PersistentVolumeClaimRetentionPolicyType,
        Doc("When the set is deleted: Retain (the default) keeps the claims; Delete deletes them."),
    ]
    whenScaled: Annotated[
        PersistentVolumeClaimRetentionPolicyType,
        Doc(
            "When the set scales in: Retain (the default) keeps the claims of removed "
            "ordinals, Delete deletes them once their pod is gone."
        ),
    ]


class StatefulSetOrdinals(TypedDict, total=False):
    """How replicas are numbered."""

    start: Annotated[
        Int32,
        Doc("The first ordinal (default 0); pods are numbered up from it, skipping reserved ones."),
    ]


class StatefulSetScaleStrategy(TypedDict, total=False):
    """How the set scales."""

    maxUnavailable: Annotated[
        IntOrString,
        Doc(
            "Pods that may be unavailable while scaling: a count, or a percentage of replicas "
            "rounded down; at least 1. Must be 1 unless podManagementPolicy is Parallel. "
            "Unset: no limit."
        ),
    ]


class StatefulSetSpec(v1alpha1.StatefulSetSpec, total=False):
    """The desired state of an Advanced StatefulSet."""

    reserveOrdinals: Annotated[
        list[IntOrString],
        Doc(
            'Ordinals to skip, as numbers or ranges such as "3-5": no pod runs with them, and '
            "replicas pods run on the remaining ordinals from the start ordinal up."
        ),
    ]
    lifecycle: Annotated[
        Lifecycle, Doc("Hooks that hold a pod before it is deleted or updated in place.")
    ]
    scaleStrategy: StatefulSetScaleStrategy
    persistentVolumeClaimRetentionPolicy: StatefulSetPersistentVolumeClaimRetentionPolicy
    ordinals: StatefulSetOrdinals


class StatefulSetStatus(v1alpha1.StatefulSetStatus, total=False):
    """The observed state of an Advanced StatefulSet."""

    updatedReadyReplicas: Annotated[Int32, Doc("Ready pods at the update revision.")]
    updatedAvailableReplicas: Annotated[
        Int32, Doc("Pods at the update revision ready for at least minReadySeconds.")
    ]


class StatefulSet(TypedDict, total=False):
    """An Advanced StatefulSet, as stored (v1beta1)."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: StatefulSetSpec
    status: StatefulSetStatus
