"""CloneSet conversion between ``apps.kruise.io/v1alpha1`` and ``apps.kruise.io/v1beta1``.

v1alpha1 is the storage version (kruise-py's controller works on it and every object
stored before v1beta1 was served is v1alpha1); the API server calls the conversion webhook
when a client reads or writes through v1beta1. The mechanism that makes it lossless, and
the annotation ``apps.kruise.io/v1beta1-fields`` it uses, are
:mod:`kruise.apis.apps.conversion.lossless`'s.

Field mapping. Everything not listed is shared, at the same path in both versions
(metadata, replicas, selector, template, volumeClaimTemplates, revisionHistoryLimit,
minReadySeconds, lifecycle, progressDeadlineSeconds, scaleStrategy.podsToDelete,
scaleStrategy.maxUnavailable, status), as is any field neither version knows:

=====================================================  =========================================
v1alpha1                                               v1beta1
=====================================================  =========================================
updateStrategy.type ReCreate, InPlaceIfPossible,       updateStrategy.type RollingUpdate and
InPlaceOnly                                            updateStrategy.rollingUpdate.podUpdatePolicy
                                                       ReCreate, InPlaceIfPossible, InPlaceOnly
updateStrategy.type OnDelete                           updateStrategy.type OnDelete
updateStrategy.type unset (ReCreate)                   updateStrategy.type unset (RollingUpdate)
                                                       and podUpdatePolicy unset (ReCreate)
updateStrategy.<field>, for partition,                 updateStrategy.rollingUpdate.<field>
maxUnavailable, maxSurge, paused, priorityStrategy,
scatterStrategy, inPlaceUpdateStrategy
scaleStrategy.disablePVCReuse true                     scaleStrategy.enablePVCReuse unset or false
scaleStrategy.disablePVCReuse unset or false           scaleStrategy.enablePVCReuse true
label apps.kruise.io/cloneset-scaling-exclude-         scaleStrategy.excludePreparingDelete true
preparing-delete: "true"
(carried in the annotation)                            updateStrategy.rollingUpdate.
                                                       inPlaceUpdateStrategy.imagePreDownload*
(carried in the annotation)                            updateStrategy.rollingUpdate.podUpdatePolicy
                                                       with type OnDelete
=====================================================  =========================================

The annotation also keeps the v1beta1 spellings v1alpha1 reads the same way:
``scaleStrategy`` left out (reuse off) or ``enablePVCReuse: false``, ``type:
RollingUpdate`` without a ``podUpdatePolicy``, an empty ``rollingUpdate``, and the label
above on a v1beta1 object (which v1beta1 ignores: only the field counts there).

Canonical v1alpha1 spellings. v1alpha1 says "reuse claims" three ways (no
``scaleStrategy``, an empty one, ``disablePVCReuse: false``) where v1beta1 has one, so a
v1alpha1 object read and written back through v1beta1 comes back with
``disablePVCReuse: false`` left out and, when that leaves ``scaleStrategy`` empty, without
``scaleStrategy``. The meaning never changes; every other v1alpha1 object comes back exactly.

Differences from OpenKruise v1.9: its conversion drops ``excludePreparingDelete`` on the way
to v1alpha1 and reads the ``imagePreDownload*`` fields from ``apps.kruise.io/image-predownload-*``
annotations; here the field becomes the label (both ways), and the image pre-download
fields, which kruise-py does not act on, travel in the annotation.
"""

from __future__ import annotations

from typing import Any, Final

from kruise.apis.apps.conversion.lossless import ABSENT, LosslessConverter
from kruise.apis.apps.v1alpha1.wellknown import CLONESET_SCALING_EXCLUDE_PREPARING_DELETE_LABEL

KIND: Final = "CloneSet"

ROLLING_UPDATE: Final = "RollingUpdate"
ON_DELETE: Final = "OnDelete"
POD_UPDATE_POLICIES: Final = ("ReCreate", "InPlaceIfPossible", "InPlaceOnly")

MOVED_TO_ROLLING_UPDATE: Final = (
    "partition",
    "maxUnavailable",
    "maxSurge",
    "paused",
    "priorityStrategy",
    "scatterStrategy",
    "inPlaceUpdateStrategy",
)
"""v1alpha1 ``updateStrategy`` fields that v1beta1 keeps under ``updateStrategy.rollingUpdate``."""

IMAGE_PRE_DOWNLOAD_FIELDS: Final = (
    "imagePreDownloadParallelism",
    "imagePreDownloadTimeoutSeconds",
    "imagePreDownloadMinUpdatedReadyPods",
)
"""v1beta1-only fields of ``rollingUpdate.inPlaceUpdateStrategy``."""

EXCLUDE_LABEL: Final = CLONESET_SCALING_EXCLUDE_PREPARING_DELETE_LABEL


class _CloneSetMapping:
    def to_v1alpha1(self, obj: dict[str, Any]) -> None:
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            return
        strategy = spec.get("updateStrategy")
        if isinstance(strategy, dict):
            _update_strategy_to_v1alpha1(strategy)
        scale = spec.get("scaleStrategy")
        if scale is None or isinstance(scale, dict):
            exclude = _scale_strategy_to_v1alpha1(spec, scale or {})
            _set_exclude_label(obj["metadata"], exclude)

    def to_v1beta1(self, obj: dict[str, Any]) -> None:
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            return
        strategy = spec.get("updateStrategy")
        if isinstance(strategy, dict):
            _update_strategy_to_v1beta1(strategy)
        scale = spec.get("scaleStrategy")
        if scale is None or isinstance(scale, dict):
            exclude = _take_exclude_label(obj["metadata"])
            _scale_strategy_to_v1beta1(spec, scale or {}, exclude)


def _update_strategy_to_v1alpha1(strategy: dict[str, Any]) -> None:
    kind = strategy.pop("type", ABSENT)
    rolling = strategy.pop("rollingUpdate", ABSENT)
    policy = ABSENT
    if isinstance(rolling, dict):
        policy = rolling.pop("podUpdatePolicy", ABSENT)
        for name in MOVED_TO_ROLLING_UPDATE:
            if name in rolling:
                strategy[name] = rolling.pop(name)
        in_place = strategy.get("inPlaceUpdateStrategy")
        if isinstance(in_place, dict):
            for name in IMAGE_PRE_DOWNLOAD_FIELDS:
                in_place.pop(name, None)
        if rolling:  # fields neither version knows stay where they were
            strategy["rollingUpdate"] = rolling
    if kind == ON_DELETE:
        strategy["type"] = ON_DELETE
    elif policy is not ABSENT:
        strategy["type"] = policy


def _update_strategy_to_v1beta1(strategy: dict[str, Any]) -> None:
    kind = strategy.pop("type", ABSENT)
    rolling = strategy.pop("rollingUpdate", {})
    if not isinstance(rolling, dict):
        rolling = {}
    for name in MOVED_TO_ROLLING_UPDATE:
        if name in strategy:
            rolling[name] = strategy.pop(name)
    if kind == ON_DELETE:
        strategy["type"] = ON_DELETE
    elif kind is not ABSENT:
        strategy["type"] = ROLLING_UPDATE
        rolling["podUpdatePolicy"] = kind
    if rolling:
        strategy["rollingUpdate"] = rolling


def _scale_strategy_to_v1alpha1(spec: dict[str, Any], scale: dict[str, Any]) -> bool:
    """Respell ``spec.scaleStrategy``; whether v1beta1 asked to exclude PreparingDelete."""
    scale.pop("disablePVCReuse", None)  # not a v1beta1 field
    reuse = scale.pop("enablePVCReuse", ABSENT)
    exclude = scale.pop("excludePreparingDelete", ABSENT)
    if reuse is not True:
        scale["disablePVCReuse"] = True
    if scale:
        spec["scaleStrategy"] = scale
    else:
        spec.pop("scaleStrategy", None)
    return exclude is True


def _scale_strategy_to_v1beta1(spec: dict[str, Any], scale: dict[str, Any], exclude: bool) -> None:
    for name in ("enablePVCReuse", "excludePreparingDelete"):  # not v1alpha1 fields
        scale.pop(name, None)
    if scale.pop("disablePVCReuse", ABSENT) is not True:
        scale["enablePVCReuse"] = True
    if exclude:
        scale["excludePreparingDelete"] = True
    spec["scaleStrategy"] = scale


def _set_exclude_label(metadata: dict[str, Any], exclude: bool) -> None:
    """v1alpha1 says "exclude" with the label set to "true", and only so."""
    labels = metadata.get("labels")
    if exclude:
        if labels is None:
            labels = metadata["labels"] = {}
        if isinstance(labels, dict):
            labels[EXCLUDE_LABEL] = "true"
    elif isinstance(labels, dict) and labels.get(EXCLUDE_LABEL) == "true":
        _remove_label(metadata, labels)


def _take_exclude_label(metadata: dict[str, Any]) -> bool:
    """Whether the label says "exclude"; the label is removed then (the field says it)."""
    labels = metadata.get("labels")
    if isinstance(labels, dict) and labels.get(EXCLUDE_LABEL) == "true":
        _remove_label(metadata, labels)
        return True
    return False


def _remove_label(metadata: dict[str, Any], labels: dict[str, Any]) -> None:
    del labels[EXCLUDE_LABEL]
    if not labels:
        del metadata["labels"]


def field_path_in_v1beta1(field: str, v1alpha1_type: object) -> str:
    """The v1beta1 spelling of a v1alpha1 field path (as a field error reports it), given the
    object's v1alpha1 ``updateStrategy.type``."""
    strategy = "spec.updateStrategy"
    if field == f"{strategy}.type":
        if v1alpha1_type in POD_UPDATE_POLICIES:
            return f"{strategy}.rollingUpdate.podUpdatePolicy"
        return field
    for name in MOVED_TO_ROLLING_UPDATE:
        moved = f"{strategy}.{name}"
        if field == moved or field.startswith((f"{moved}.", f"{moved}[")):
            return f"{strategy}.rollingUpdate.{field[len(strategy) + 1 :]}"
    if field == "spec.scaleStrategy.disablePVCReuse":
        return "spec.scaleStrategy.enablePVCReuse"
    if field == f"metadata.labels[{EXCLUDE_LABEL}]":
        return "spec.scaleStrategy.excludePreparingDelete"
    return field


class CloneSetConverter(LosslessConverter):
    """Converts CloneSets between v1alpha1 and v1beta1 without losing any field."""

    def __init__(self) -> None:
        super().__init__(KIND, _CloneSetMapping())
