"""Advanced StatefulSet validation, on the v1beta1 form (convert v1alpha1 objects first).

OpenKruise v0.7.0's rules, plus: maxUnavailable strings must carry ``%`` and stay within
0% to 100%; minReadySeconds reports both ends of its 0 to 300 range; reserved ordinals
must be integers in ``[0, replicas)`` without repeats; claim templates need unique names;
revisionHistoryLimit and the in-place grace period must not be negative; and InPlaceOnly
allows exactly ``/containers/<n>/image`` replacements (v0.7.0 matched that path unanchored).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kruise.apis.apps.validation import names
from kruise.apis.apps.validation._json import is_int, items, obj
from kruise.apis.apps.validation.field import (
    ErrorList,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    path,
    required,
)
from kruise.apis.apps.validation.inplace import validate_in_place_only
from kruise.apis.apps.validation.intorpercent import validate_int_or_percent
from kruise.apis.apps.validation.meta import (
    NEGATIVE,
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
from kruise.apis.apps.validation.strategy import validate_priority_strategy

POD_MANAGEMENT_POLICIES = ("OrderedReady", "Parallel")
UPDATE_STRATEGY_TYPES = ("RollingUpdate", "OnDelete")
POD_UPDATE_POLICIES = ("ReCreate", "InPlaceIfPossible", "InPlaceOnly")
IN_PLACE_UPDATE_READY = "InPlaceUpdateReady"
MAX_MIN_READY_SECONDS = 300
MUTABLE_SPEC_FIELDS = ("replicas", "template", "updateStrategy", "reserveOrdinals")

SPEC = path("spec")
ROLLING = SPEC.child("updateStrategy", "rollingUpdate")


def validate_statefulset(sts: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> ErrorList:
    """All errors of a v1beta1 StatefulSet; ``old`` is the stored object on update."""
    errors = _object_errors(sts)
    if old is None:
        return errors
    errors = introduced(errors, _object_errors(old))
    metadata, spec, old_spec = obj(sts.get("metadata")), obj(sts.get("spec")), obj(old.get("spec"))
    errors += validate_object_meta_update(metadata, old.get("metadata"), path("metadata"))
    errors += validate_spec_update(
        spec, old_spec, SPEC, kind="statefulset", mutable=MUTABLE_SPEC_FIELDS
    )
    rolling = obj(obj(spec.get("updateStrategy")).get("rollingUpdate"))
    if rolling.get("podUpdatePolicy") == "InPlaceOnly":
        errors += validate_in_place_only(
            obj(old_spec.get("template")).get("spec"),
            obj(spec.get("template")).get("spec"),
            SPEC.child("template", "spec"),
            ROLLING.child("podUpdatePolicy"),
        )
    return errors


def _object_errors(sts: Mapping[str, Any]) -> ErrorList:
    """What is wrong with the object itself, whatever the operation."""
    metadata = obj(sts.get("metadata"))
    errors = validate_object_meta(metadata, path("metadata"), names.dns_subdomain_name)
    spec = sts.get("spec")
    if not isinstance(spec, Mapping):
        return [*errors, required(SPEC)]
    return errors + _validate_spec(spec)


def _validate_spec(spec: Mapping[str, Any]) -> ErrorList:
    errors: ErrorList = []
    policy = spec.get("podManagementPolicy")
    if not policy:
        errors.append(required(SPEC.child("podManagementPolicy")))
    elif policy not in POD_MANAGEMENT_POLICIES:
        errors.append(
            not_supported(SPEC.child("podManagementPolicy"), policy, POD_MANAGEMENT_POLICIES)
        )
    errors += _validate_update_strategy(spec)
    errors += validate_nonnegative(spec.get("replicas"), SPEC.child("replicas"))
    claims, claim_errors = claim_template_names(
        spec.get("volumeClaimTemplates"), SPEC.child("volumeClaimTemplates")
    )
    errors += validate_selector_and_template(spec, SPEC, "statefulset", claim_names=claims)
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
                "activeDeadlineSeconds in StatefulSet is not supported",
            )
        )
    errors += validate_nonnegative(
        spec.get("revisionHistoryLimit"), SPEC.child("revisionHistoryLimit")
    )
    replicas = spec.get("replicas")
    errors += _validate_reserve_ordinals(
        spec.get("reserveOrdinals"), replicas if is_int(replicas) else 1
    )
    return errors


def _validate_update_strategy(spec: Mapping[str, Any]) -> ErrorList:
    strategy = obj(spec.get("updateStrategy"))
    kind = strategy.get("type")
    rolling = strategy.get("rollingUpdate")
    if not kind:
        return [required(SPEC.child("updateStrategy", "type"))]
    if kind == "OnDelete":
        if rolling is not None:
            return [invalid(ROLLING, rolling, "only allowed for updateStrategy 'RollingUpdate'")]
        return []
    if kind != "RollingUpdate":
        return [not_supported(SPEC.child("updateStrategy", "type"), kind, UPDATE_STRATEGY_TYPES)]
    if rolling is None:
        return []
    if not isinstance(rolling, Mapping):
        return [invalid(ROLLING, rolling, "must be an object")]

    errors = validate_nonnegative(rolling.get("partition"), ROLLING.child("partition"))
    min_ready = rolling.get("minReadySeconds")
    if min_ready is not None and (
        not is_int(min_ready) or not 0 <= min_ready <= MAX_MIN_READY_SECONDS
    ):
        errors.append(
            invalid(
                ROLLING.child("minReadySeconds"),
                min_ready,
                f"must be between 0 and {MAX_MIN_READY_SECONDS}, inclusive",
            )
        )
    errors += _validate_max_unavailable(
        rolling.get("maxUnavailable"), spec.get("podManagementPolicy")
    )
    errors += _validate_pod_update_policy(rolling.get("podUpdatePolicy"), spec)
    unordered = rolling.get("unorderedUpdate")
    if unordered is not None:
        if spec.get("podManagementPolicy") != "Parallel":
            errors.append(
                forbidden(
                    ROLLING.child("unorderedUpdate"),
                    "only allowed when podManagementPolicy is Parallel",
                )
            )
        errors += validate_priority_strategy(
            obj(unordered).get("priorityStrategy"),
            ROLLING.child("unorderedUpdate", "priorityStrategy"),
        )
    grace = obj(rolling.get("inPlaceUpdateStrategy")).get("gracePeriodSeconds")
    errors += validate_nonnegative(
        grace, ROLLING.child("inPlaceUpdateStrategy", "gracePeriodSeconds")
    )
    return errors


def _validate_max_unavailable(value: object, policy: object) -> ErrorList:
    at = ROLLING.child("maxUnavailable")
    if value is None:
        return [required(at)]
    parsed, errors = validate_int_or_percent(value, at)
    if parsed is None:
        return errors
    if parsed.scaled(1, round_up=True) < 1:
        return [invalid(at, value, "must be at least 1, or a percentage above 0%")]
    if policy != "Parallel" and (parsed.is_percent or parsed.value != 1):
        return [invalid(at, value, "must be 1 unless podManagementPolicy is Parallel")]
    return []


def _validate_pod_update_policy(policy: object, spec: Mapping[str, Any]) -> ErrorList:
    at = ROLLING.child("podUpdatePolicy")
    if not policy:
        return [required(at)]
    if policy not in POD_UPDATE_POLICIES:
        return [not_supported(at, policy, POD_UPDATE_POLICIES)]
    if policy == "ReCreate":
        return []
    gates = obj(obj(spec.get("template")).get("spec")).get("readinessGates")
    if any(obj(g).get("conditionType") == IN_PLACE_UPDATE_READY for g in items(gates)):
        return []
    return [
        invalid(
            SPEC.child("template", "spec", "readinessGates"),
            gates,
            f"must contain {IN_PLACE_UPDATE_READY} when podUpdatePolicy is {policy}",
        )
    ]


def _validate_reserve_ordinals(ordinals: object, replicas: int) -> ErrorList:
    at = SPEC.child("reserveOrdinals")
    if ordinals is None:
        return []
    if not isinstance(ordinals, list):
        return [invalid(at, ordinals, "must be a list of ordinals")]
    errors: ErrorList = []
    seen: set[int] = set()
    for i, ordinal in enumerate(ordinals):
        if not is_int(ordinal):
            errors.append(invalid(at.index(i), ordinal, "must be an integer"))
        elif ordinal < 0:
            errors.append(invalid(at.index(i), ordinal, NEGATIVE))
        elif ordinal >= replicas:
            errors.append(invalid(at.index(i), ordinal, f"must be less than replicas ({replicas})"))
        elif ordinal in seen:
            errors.append(duplicate(at.index(i), ordinal))
        if is_int(ordinal):
            seen.add(ordinal)
    return errors
