"""Advanced StatefulSet, v1beta1: the stored version, and the one controllers use.

It is v1alpha1 plus ``spec.reserveOrdinals``; every nested type is shared with v1alpha1.
"""

from typing import Annotated, TypedDict

from kruise.apis.apps.schema import Doc
from kruise.apis.apps.v1alpha1 import statefulset as v1alpha1
from kruise.runtime.client.types import ObjectMeta

StatefulSetStatus = v1alpha1.StatefulSetStatus


class StatefulSetSpec(v1alpha1.StatefulSetSpec, total=False):
    """The desired state of an Advanced StatefulSet."""

    reserveOrdinals: Annotated[
        list[int],
        Doc(
            "Ordinals to skip: no pod runs with them, and replicas pods run on the "
            "remaining ordinals from 0 up."
        ),
    ]


class StatefulSet(TypedDict, total=False):
    """An Advanced StatefulSet, as stored (v1beta1)."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: StatefulSetSpec
    status: StatefulSetStatus
