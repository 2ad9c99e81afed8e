"""Advanced StatefulSet validation, on the v1beta1 form (convert v1alpha1 objects first).

OpenKruise v1.9's rules, plus: maxUnavailable strings must carry ``%`` and stay within
0% to 100%; minReadySeconds reports both ends of its 0 to 300 range; claim templates need
unique names; revisionHistoryLimit, the in-place grace period and ``ordinals.start`` must
not be negative; InPlaceOnly allows exactly ``/containers/<n>/image`` replacements
(OpenKruise matches that path unanchored); and the fields v1alpha1 carries in an
annotation, which the API server's schema never sees there, are checked for shape.

``reserveOrdinals`` entries are numbers >= 0 or ranges ``"a-b"`` with a <= b, each error
naming its entry; OpenKruise v0.7.0's rule that a reserved ordinal lies below
``replicas`` is gone, as in later OpenKruise (a reserved ordinal beyond the range has no
effect). Overlapping entries are allowed, as OpenKruise allows them, but the list may name
at most :data:`MAX_RESERVED_ORDINALS` ordinals, which keeps the controller's work bounded.
``scaleStrategy.maxUnavailable`` obeys the rules of ``rollingUpdate.maxUnavailable``.

On update, only the fields of :data:`MUTABLE_SPEC_FIELDS` may change: OpenKruise v1.9's
list (which also lets ``scaleStrategy`` change without naming it in its message).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from kruise.apis.apps.intstr import MAX_INT32
from kruise.apis.apps.v1beta1.ordinals import InvalidReservedOrdinal, parse_entry
from kruise.apis.apps.validation import names
from kruise.apis.apps.validation._json import is_int, items, obj
from kruise.apis.apps.validation.field import (
    ErrorList,
    Path,
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
from kruise.apis.apps.validation.strategy import validate_priority_strategy

POD_MANAGEMENT_POLICIES = ("OrderedReady", "Parallel")
UPDATE_STRATEGY_TYPES = ("RollingUpdate", "OnDelete")
POD_UPDATE_POLICIES = ("ReCreate", "InPlaceIfPossible", "InPlaceOnly")
IN_PLACE_UPDATE_READY = "InPlaceUpdateReady"
MAX_MIN_READY_SECONDS = 300
RETENTION_POLICIES = ("Retain", "Delete")
# In the order the update error lists them.
MUTABLE_SPEC_FIELDS = (
    "replicas",
    "ordinals",
    "template",
    "reserveOrdinals",
    "lifecycle",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "volumeClaimTemplates",
    "scaleStrategy",
    "updateStrategy",
)
MAX_RESERVED_ORDINALS: Final = 10_000
LIFECYCLE_HOOKS = ("preDelete", "inPlaceUpdate", "preNormal")

_RANGE_FORM = re.compile(r"([0-9]+)-([0-9]+)")
_NUMBER_FORM = re.compile(r"[0-9]+")

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
    return errors + _validate_later_fields(spec)


def _validate_later_fields(spec: Mapping[str, Any]) -> ErrorList:
    """The fields OpenKruise added after v0.7.0 (all v1beta1-only)."""
    errors = _validate_reserve_ordinals(spec.get("reserveOrdinals"))
    scale = spec.get("scaleStrategy")
    if _is_object(scale, SPEC.child("scaleStrategy"), errors):
        value = obj(scale).get("maxUnavailable")
        if value is not None:
            errors += _validate_max_unavailable(
                value,
                spec.get("podManagementPolicy"),
                SPEC.child("scaleStrategy", "maxUnavailable"),
            )
    errors += _validate_retention_policy(spec.get("persistentVolumeClaimRetentionPolicy"))
    ordinals = spec.get("ordinals")
    if _is_object(ordinals, SPEC.child("ordinals"), errors):
        start = obj(ordinals).get("start")
        errors += validate_nonnegative(start, SPEC.child("ordinals", "start"))
    return errors + _validate_lifecycle(spec.get("lifecycle"))


def _is_object(value: object, at: Path, errors: ErrorList) -> bool:
    """Whether ``value`` is set and an object; an error is added when it is set otherwise."""
    if value is None:
        return False
    if not isinstance(value, Mapping):
        errors.append(invalid(at, value, "must be an object"))
        return False
    return True


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
        rolling.get("maxUnavailable"),
        spec.get("podManagementPolicy"),
        ROLLING.child("maxUnavailable"),
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


def _validate_max_unavailable(value: object, policy: object, at: Path) -> ErrorList:
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


def _validate_reserve_ordinals(entries: object) -> ErrorList:
    at = SPEC.child("reserveOrdinals")
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [invalid(at, entries, "must be a list of ordinals")]
    errors: ErrorList = []
    named = 0
    for i, entry in enumerate(entries):
        problem, count = _reserved_entry(i, entry)
        named += count
        if count and named > MAX_RESERVED_ORDINALS >= named - count:
            problem = f"the list may name at most {MAX_RESERVED_ORDINALS} ordinals in all"
        if problem:
            errors.append(invalid(at.index(i), entry, problem))
    return errors


def _reserved_entry(index: int, entry: object) -> tuple[str, int]:
    """What is wrong with one entry ("" when nothing) and how many ordinals it names."""
    if isinstance(entry, str):
        form = _RANGE_FORM.fullmatch(entry)
        if form is None and _NUMBER_FORM.fullmatch(entry):
            return (
                f'a string must be a range like "{entry}-{entry}"; write one ordinal '
                f"as the number {entry}, without quotes"
            ), 0
        if form is None:
            return 'must be an integer or a range like "3-5"', 0
        if any(len(number) > len(str(MAX_INT32)) for number in form.groups()):
            return f"must be less than or equal to {MAX_INT32}", 0
    try:
        ordinals = parse_entry(index, entry)
    except InvalidReservedOrdinal as err:
        return err.reason, 0
    if ordinals and ordinals[-1] > MAX_INT32:
        return f"must be less than or equal to {MAX_INT32}", 0
    return "", len(ordinals)


def _validate_retention_policy(policy: object) -> ErrorList:
    """Both members Retain or Delete once the object is set (defaulting fills them)."""
    at = SPEC.child("persistentVolumeClaimRetentionPolicy")
    errors: ErrorList = []
    if not _is_object(policy, at, errors):
        return errors
    for name in ("whenDeleted", "whenScaled"):
        value = obj(policy).get(name)
        if value not in RETENTION_POLICIES:
            shown = "" if value is None else value
            errors.append(not_supported(at.child(name), shown, RETENTION_POLICIES))
    return errors


def _validate_lifecycle(lifecycle: object) -> ErrorList:
    """Each hook an object whose labelsHandler maps strings to strings and whose
    finalizersHandler lists strings."""
    at = SPEC.child("lifecycle")
    errors: ErrorList = []
    if not _is_object(lifecycle, at, errors):
        return errors
    for name in LIFECYCLE_HOOKS:
        hook = obj(lifecycle).get(name)
        if not _is_object(hook, at.child(name), errors):
            continue
        labels = obj(hook).get("labelsHandler")
        if labels is not None and not (
            isinstance(labels, Mapping) and all(isinstance(v, str) for v in labels.values())
        ):
            errors.append(
                invalid(at.child(name, "labelsHandler"), labels, "must be a map of strings")
            )
        finalizers = obj(hook).get("finalizersHandler")
        if finalizers is not None and not (
            isinstance(finalizers, list) and all(isinstance(f, str) for f in finalizers)
        ):
            errors.append(
                invalid(
                    at.child(name, "finalizersHandler"), finalizers, "must be a list of strings"
                )
            )
    return errors
