"""CloneSet validation: OpenKruise v0.7.0's rules, with its gaps closed.

Beyond v0.7.0: int-or-percent strings must carry ``%`` and percentages lie within 0% to
100% (maxSurge only must not be negative); minReadySeconds, revisionHistoryLimit and the
in-place grace period must not be negative; the pod template is checked for mistakes that
would stop every pod creation; claim templates need unique names; and the InPlaceOnly rule
allows exactly container image replacements. A pod in ``podsToDelete`` without an owner is
reported, not a crash. ``progressDeadlineSeconds`` (added in later OpenKruise) follows
OpenKruise v1.9: not negative, and above minReadySeconds unless it is maxInt32.

Pods named in ``scaleStrategy.podsToDelete`` need the API: the caller reads them and passes
what it found as ``pods`` (see ``pods_to_look_up``), so this module stays pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.intstr import (
    CLONESET_DEFAULT_MAX_UNAVAILABLE,
    MAX_INT32,
    parse_int_or_percent,
)
from kruise.apis.apps.validation import names
from kruise.apis.apps.validation._json import is_int, items, obj, string
from kruise.apis.apps.validation.field import (
    ErrorList,
    forbidden,
    invalid,
    not_supported,
    path,
    required,
)
from kruise.apis.apps.validation.inplace import validate_in_place_only
from kruise.apis.apps.validation.intorpercent import validate_int_or_percent
from kruise.apis.apps.validation.meta import (
    introduced,
    validate_nonnegative,
    validate_object_meta,
    validate_object_meta_update,
    validate_spec_update,
)
from kruise.apis.apps.validation.selection import (
    claim_template_names,
    validate_selector_and_template,
)
from kruise.apis.apps.validation.strategy import (
    validate_priority_strategy,
    validate_scatter_strategy,
)

# OnDelete is OpenKruise v1.9's (v1beta1's type, kept by its conversion to v1alpha1).
UPDATE_STRATEGY_TYPES = ("ReCreate", "InPlaceIfPossible", "InPlaceOnly", "OnDelete")
# In the order the update error lists them.
MUTABLE_SPEC_FIELDS = (
    "replicas",
    "template",
    "lifecycle",
    "scaleStrategy",
    "updateStrategy",
    "minReadySeconds",
    "progressDeadlineSeconds",
    # As in v1.9: new pods get claims from the new templates; existing claims stay.
    "volumeClaimTemplates",
    "revisionHistoryLimit",
)

SPEC = path("spec")
UPDATE_STRATEGY = SPEC.child("updateStrategy")
PODS_TO_DELETE = SPEC.child("scaleStrategy", "podsToDelete")
# Built once: a valid object's validation then makes no paths at all here.
_REPLICAS = SPEC.child("replicas")
_CLAIM_TEMPLATES = SPEC.child("volumeClaimTemplates")
_MIN_READY = SPEC.child("minReadySeconds")
_HISTORY_LIMIT = SPEC.child("revisionHistoryLimit")
_PROGRESS_DEADLINE = SPEC.child("progressDeadlineSeconds")
_PRIORITY = UPDATE_STRATEGY.child("priorityStrategy")
_SCATTER = UPDATE_STRATEGY.child("scatterStrategy")
_PARTITION = UPDATE_STRATEGY.child("partition")
_GRACE_PERIOD = UPDATE_STRATEGY.child("inPlaceUpdateStrategy", "gracePeriodSeconds")
_MAX_UNAVAILABLE = UPDATE_STRATEGY.child("maxUnavailable")
_MAX_SURGE = UPDATE_STRATEGY.child("maxSurge")


@dataclass(frozen=True)
class PodLookup:
    """What reading a pod named in podsToDelete found: the pod, nothing (``pod`` None and
    no ``error``: it does not exist), or the error the read failed with."""

    pod: Mapping[str, Any] | None = None
    error: str = ""


def pods_to_look_up(cloneset: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[str]:
    """Pods an update newly adds to podsToDelete: the ones whose owner must be checked.

    None on create (no pod can belong to a CloneSet that does not exist yet) and none when
    the list is malformed or has duplicates (that error is reported instead)."""
    new_names = _pods_to_delete(cloneset)
    if old is None or _pods_to_delete_shape(obj(cloneset.get("spec"))):
        return []
    return sorted(set(new_names) - set(_pods_to_delete(old)))


def validate_cloneset(
    cloneset: Mapping[str, Any],
    old: Mapping[str, Any] | None = None,
    pods: Mapping[str, PodLookup] | None = None,
) -> ErrorList:
    """All errors of ``cloneset``; ``old`` is the stored object on update, and ``pods`` maps
    each name of ``pods_to_look_up`` to what reading it found (unchecked when missing)."""
    errors = _object_errors(cloneset)
    metadata = obj(cloneset.get("metadata"))
    spec = obj(cloneset.get("spec"))
    if old is None:
        return errors + _pods_to_delete_on_create(spec)
    errors = introduced(errors, _object_errors(old))
    errors += _pods_to_delete_on_update(spec, metadata, old, pods or {})
    old_spec = obj(old.get("spec"))
    errors += validate_object_meta_update(metadata, old.get("metadata"), path("metadata"))
    errors += validate_spec_update(
        spec, old_spec, SPEC, kind="cloneset", mutable=MUTABLE_SPEC_FIELDS
    )
    if obj(spec.get("updateStrategy")).get("type") == "InPlaceOnly":
        errors += validate_in_place_only(
            obj(old_spec.get("template")).get("spec"),
            obj(spec.get("template")).get("spec"),
            SPEC.child("template", "spec"),
            SPEC.child("updateStrategy", "type"),
        )
    return errors


def _object_errors(cloneset: Mapping[str, Any]) -> ErrorList:
    """What is wrong with the object itself, whatever the operation."""
    metadata = obj(cloneset.get("metadata"))
    errors = validate_object_meta(metadata, path("metadata"), names.dns_subdomain_name)
    spec = cloneset.get("spec")
    if not isinstance(spec, Mapping):
        return [*errors, required(SPEC)]
    return errors + _validate_spec(spec) + _pods_to_delete_shape(spec)


def _validate_spec(spec: Mapping[str, Any]) -> ErrorList:
    errors = validate_nonnegative(spec.get("replicas"), _REPLICAS)
    claims, claim_errors = claim_template_names(spec.get("volumeClaimTemplates"), _CLAIM_TEMPLATES)
    errors += validate_selector_and_template(spec, SPEC, "cloneset", claim_names=claims)
    errors += claim_errors
    pod_spec = obj(obj(spec.get("template")).get("spec"))
    restart = pod_spec.get("restartPolicy")
    if restart not in (None, "", "Always"):
        errors.append(
            not_supported(SPEC.child("template", "spec", "restartPolicy"), restart, ["Always"])
        )
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errors.append(
            forbidden(
                SPEC.child("template", "spec", "activeDeadlineSeconds"),
                "activeDeadlineSeconds in cloneset is not supported",
            )
        )
    errors += validate_nonnegative(spec.get("minReadySeconds"), _MIN_READY)
    errors += validate_nonnegative(spec.get("revisionHistoryLimit"), _HISTORY_LIMIT)
    errors += _validate_progress_deadline(
        spec.get("progressDeadlineSeconds"), spec.get("minReadySeconds")
    )
    replicas = spec.get("replicas")
    errors += _validate_update_strategy(
        obj(spec.get("updateStrategy")), replicas if is_int(replicas) else 1
    )
    errors += _validate_scale_max_unavailable(obj(spec.get("scaleStrategy")).get("maxUnavailable"))
    return errors


def _validate_scale_max_unavailable(value: object) -> ErrorList:
    """``scaleStrategy.maxUnavailable``: a count or percentage above 0. OpenKruise v1.9
    admits 0, which stops every scale-out for good; unset is the way to say no limit."""
    if value is None:
        return []
    at = SPEC.child("scaleStrategy", "maxUnavailable")
    parsed, errors = validate_int_or_percent(value, at)
    if parsed is not None and parsed.value == 0:
        errors.append(
            invalid(at, value, "must be greater than 0 (0 stops every scale-out; unset: no limit)")
        )
    return errors


def _validate_progress_deadline(deadline: object, min_ready: object) -> ErrorList:
    """Not negative, an int32 (OpenKruise's decoding refuses more) and, unless it is
    maxInt32 (no deadline), above minReadySeconds: a pod must be able to become available
    before the deadline passes."""
    at = _PROGRESS_DEADLINE
    errors = validate_nonnegative(deadline, at)
    if not is_int(deadline) or deadline == MAX_INT32:
        return errors
    if deadline > MAX_INT32:
        return [invalid(at, deadline, f"must be less than or equal to {MAX_INT32}")]
    if deadline <= (min_ready if is_int(min_ready) else 0):
        errors.append(invalid(at, deadline, "must be greater than minReadySeconds"))
    return errors


def _validate_update_strategy(strategy: Mapping[str, Any], replicas: int) -> ErrorList:
    """``spec.updateStrategy`` field by field, then maxUnavailable and maxSurge together."""
    kind = strategy.get("type")
    errors = _validate_strategy_type(kind)
    errors += _validate_partition(strategy.get("partition"))
    errors += validate_priority_strategy(strategy.get("priorityStrategy"), _PRIORITY)
    errors += validate_scatter_strategy(strategy.get("scatterStrategy"), _SCATTER)
    errors += _validate_grace_period(strategy.get("inPlaceUpdateStrategy"))
    unavailable, unavailable_errors = _max_unavailable(strategy.get("maxUnavailable"), replicas)
    surge, surge_errors = _max_surge(strategy.get("maxSurge"), kind, replicas)
    errors += unavailable_errors + surge_errors
    # Judged only when both values could be read.
    if unavailable is None or surge is None:
        return errors
    if replicas > 0 and unavailable < 1 and surge < 1:
        errors.append(
            invalid(
                _MAX_UNAVAILABLE,
                strategy.get("maxUnavailable"),
                "maxUnavailable and maxSurge should not both be less than 1",
            )
        )
    return errors


def _validate_strategy_type(kind: object) -> ErrorList:
    if kind in UPDATE_STRATEGY_TYPES:
        return []
    return [not_supported(UPDATE_STRATEGY.child("type"), kind, UPDATE_STRATEGY_TYPES)]


def _validate_partition(partition: object) -> ErrorList:
    if partition is None:
        return []
    return validate_int_or_percent(partition, _PARTITION)[1]


def _validate_grace_period(in_place: object) -> ErrorList:
    return validate_nonnegative(obj(in_place).get("gracePeriodSeconds"), _GRACE_PERIOD)


def _max_unavailable(value: object, replicas: int) -> tuple[int | None, ErrorList]:
    """maxUnavailable as a number of pods (unset: the default "20%") and its errors; None
    when it cannot be read."""
    if value is None:
        default = parse_int_or_percent(CLONESET_DEFAULT_MAX_UNAVAILABLE)
        return default.scaled(replicas, round_up=True), []
    parsed, errors = validate_int_or_percent(value, _MAX_UNAVAILABLE)
    return (None if parsed is None else parsed.scaled(replicas, round_up=True)), errors


def _max_surge(value: object, kind: object, replicas: int) -> tuple[int | None, ErrorList]:
    """maxSurge as a number of pods (unset: 0) and its errors, among them a surge with
    InPlaceOnly; None when it cannot be read."""
    if value is None:
        return 0, []
    at = _MAX_SURGE
    parsed, errors = validate_int_or_percent(value, at, at_most_100_percent=False)
    if parsed is None:
        return None, errors
    surge = parsed.scaled(replicas, round_up=True)
    if kind == "InPlaceOnly" and surge > 0:
        errors.append(invalid(at, value, "can not use maxSurge with strategy type InPlaceOnly"))
    return surge, errors


def _pods_to_delete(cloneset: Mapping[str, Any] | None) -> list[str]:
    listed = obj(obj(obj(cloneset).get("spec")).get("scaleStrategy")).get("podsToDelete")
    return [n for n in items(listed) if isinstance(n, str)]


def _pods_to_delete_shape(spec: Mapping[str, Any]) -> ErrorList:
    listed = obj(spec.get("scaleStrategy")).get("podsToDelete")
    if listed is None:
        return []
    if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
        return [invalid(PODS_TO_DELETE, listed, "must be a list of pod names")]
    repeated = sorted({n for n in listed if listed.count(n) > 1})
    if repeated:
        return [invalid(PODS_TO_DELETE, listed, f"duplicated items [{' '.join(repeated)}]")]
    return []


def _pods_to_delete_on_create(spec: Mapping[str, Any]) -> ErrorList:
    if _pods_to_delete_shape(spec):
        return []
    return [
        invalid(
            PODS_TO_DELETE, name, f"pod {name} cannot belong to a CloneSet that is being created"
        )
        for name in _pods_to_delete({"spec": spec})
    ]


def _pods_to_delete_on_update(
    spec: Mapping[str, Any],
    metadata: Mapping[str, Any],
    old: Mapping[str, Any],
    pods: Mapping[str, PodLookup],
) -> ErrorList:
    uid = string(metadata.get("uid"))
    errors: ErrorList = []
    for name in pods_to_look_up({"spec": spec}, old):
        lookup = pods.get(name)
        if lookup is None:
            continue
        if lookup.error:
            detail = f"pod {name} could not be read: {lookup.error}"
        elif lookup.pod is None:
            detail = f"pod {name} does not exist"
        elif obj(lookup.pod.get("metadata")).get("deletionTimestamp"):
            detail = f"pod {name} is already terminating"
        elif not uid or controller_uid(lookup.pod) != uid:
            detail = f"pod {name} is not controlled by this CloneSet"
        else:
            continue
        errors.append(invalid(PODS_TO_DELETE, name, detail))
    return errors


def controller_uid(pod: Mapping[str, Any]) -> str:
    """The uid of the pod's controller, or "" when it has none."""
    for ref in items(obj(pod.get("metadata")).get("ownerReferences")):
        if obj(ref).get("controller") is True:
            return string(obj(ref).get("uid"))
    return ""
