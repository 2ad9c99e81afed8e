"""Conversion between the served versions of apps.kruise.io kinds (only StatefulSet has two)."""

from kruise.apis.apps.conversion.statefulset import (
    CARRIED_FIELDS_ANNOTATION,
    KIND,
    V1ALPHA1,
    V1BETA1,
    V1BETA1_ONLY_FIELDS,
    StatefulSetConverter,
)

__all__ = [
    "CARRIED_FIELDS_ANNOTATION",
    "KIND",
    "V1ALPHA1",
    "V1BETA1",
    "V1BETA1_ONLY_FIELDS",
    "StatefulSetConverter",
]
