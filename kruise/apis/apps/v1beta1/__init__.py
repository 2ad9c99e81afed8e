"""apps.kruise.io/v1beta1: the Advanced StatefulSet as stored.

The nested types (update strategies, status, conditions, constants) are v1alpha1's and
are importable from ``kruise.apis.apps.v1alpha1``.
"""

from kruise.apis.apps.v1beta1.register import API_VERSION, STATEFULSETS, VERSION
from kruise.apis.apps.v1beta1.statefulset import StatefulSet, StatefulSetSpec, StatefulSetStatus

__all__ = [
    "API_VERSION",
    "STATEFULSETS",
    "VERSION",
    "StatefulSet",
    "StatefulSetSpec",
    "StatefulSetStatus",
]
