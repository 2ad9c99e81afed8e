"""StatefulSet conversion between ``apps.kruise.io/v1alpha1`` and ``apps.kruise.io/v1beta1``.

v1beta1 is the storage version; the API server calls the conversion webhook whenever a client
reads or writes through v1alpha1. OpenKruise copies fields one by one and drops what only
v1beta1 has on the way down, so a read-modify-write through v1alpha1 wipes
``spec.reserveOrdinals`` (issues #1082 and #2102) and every later field. Here those fields
travel in the annotation ``apps.kruise.io/v1beta1-fields`` of the v1alpha1 form (the
mechanism is :mod:`kruise.apis.apps.conversion.lossless`), range strings and all::

    {"spec":{"ordinals":{"start":1},"reserveOrdinals":[1,"3-4"]}}

Field mapping. The two versions share every field at the same path, so shared fields are kept
exactly where they are, together with any field neither version knows:

==============================================  ==============================================
v1alpha1                                        v1beta1
==============================================  ==============================================
metadata (all of it, bar the carrier below)     metadata
spec.replicas                                   spec.replicas
spec.selector                                   spec.selector
spec.template                                   spec.template
spec.volumeClaimTemplates                       spec.volumeClaimTemplates
spec.serviceName                                spec.serviceName
spec.podManagementPolicy                        spec.podManagementPolicy
spec.revisionHistoryLimit                       spec.revisionHistoryLimit
spec.updateStrategy.type                        spec.updateStrategy.type
spec.updateStrategy.rollingUpdate.<field>       spec.updateStrategy.rollingUpdate.<field>, for
                                                partition, maxUnavailable, podUpdatePolicy,
                                                paused, unorderedUpdate (priorityStrategy),
                                                inPlaceUpdateStrategy, minReadySeconds
status.<field>                                  status.<field>, for observedGeneration,
                                                replicas, readyReplicas, availableReplicas,
                                                currentReplicas, updatedReplicas,
                                                currentRevision, updateRevision,
                                                collisionCount, conditions, labelSelector
annotation ``apps.kruise.io/v1beta1-fields``    spec.reserveOrdinals, spec.lifecycle,
                                                spec.scaleStrategy, spec.ordinals,
                                                spec.persistentVolumeClaimRetentionPolicy,
                                                status.updatedReadyReplicas,
                                                status.updatedAvailableReplicas
==============================================  ==============================================

A client that read v1alpha1 and writes it back keeps those fields; one that edits or
removes the annotation changes or clears them; one that sets such a field on the v1alpha1
object itself (even to null) wins over the annotation. Every v1alpha1 spelling is
canonical, so both round trips are identities (v1alpha1 -> v1beta1 -> v1alpha1 for objects
without a v1beta1-only field of their own).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from kruise.apis.apps.conversion.lossless import LosslessConverter

KIND: Final = "StatefulSet"

V1BETA1_ONLY_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "spec": frozenset(
        {
            "reserveOrdinals",
            "lifecycle",
            "scaleStrategy",
            "persistentVolumeClaimRetentionPolicy",
            "ordinals",
        }
    ),
    "status": frozenset({"updatedReadyReplicas", "updatedAvailableReplicas"}),
}
"""Fields of v1beta1 that v1alpha1 lacks, by the part of the object (spec, status) they are in."""


class _StatefulSetMapping:
    """v1alpha1 is v1beta1 without the fields only v1beta1 has."""

    def to_v1alpha1(self, obj: dict[str, Any]) -> None:
        for part, names in V1BETA1_ONLY_FIELDS.items():
            body = obj.get(part)
            if isinstance(body, dict):
                for name in names:
                    body.pop(name, None)

    def to_v1beta1(self, obj: dict[str, Any]) -> None:
        """Nothing to respell."""


class StatefulSetConverter(LosslessConverter):
    """Converts Advanced StatefulSets between v1alpha1 and v1beta1 without losing any field."""

    def __init__(self) -> None:
        super().__init__(KIND, _StatefulSetMapping())
