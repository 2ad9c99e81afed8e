"""BroadcastJob and AdvancedCronJob conversion between ``apps.kruise.io/v1alpha1`` and
``apps.kruise.io/v1beta1``.

Both versions of each kind hold the same fields at the same paths, so converting changes
only ``apiVersion``; the lossless mechanism (:mod:`kruise.apis.apps.conversion.lossless`)
still keeps any field neither version knows where it is, and drops a stale
``apps.kruise.io/v1beta1-fields`` annotation. v1alpha1 is the storage version.

OpenKruise v1.9's v1beta1 AdvancedCronJob also has
``spec.template.imageListPullJobTemplate``; kruise-py has no ImageListPullJob, so its
v1beta1 does not serve that field.
"""

from __future__ import annotations

from typing import Any, Final

from kruise.apis.apps.conversion.lossless import LosslessConverter

BROADCASTJOB: Final = "BroadcastJob"
ADVANCEDCRONJOB: Final = "AdvancedCronJob"


class _SameFields:
    """Nothing to respell: both versions spell every field alike."""

    def to_v1alpha1(self, obj: dict[str, Any]) -> None:
        """Nothing to respell."""

    def to_v1beta1(self, obj: dict[str, Any]) -> None:
        """Nothing to respell."""


class BroadcastJobConverter(LosslessConverter):
    """Converts BroadcastJobs between v1alpha1 and v1beta1."""

    def __init__(self) -> None:
        super().__init__(BROADCASTJOB, _SameFields())


class AdvancedCronJobConverter(LosslessConverter):
    """Converts AdvancedCronJobs between v1alpha1 and v1beta1."""

    def __init__(self) -> None:
        super().__init__(ADVANCEDCRONJOB, _SameFields())
