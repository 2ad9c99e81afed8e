"""Object metadata, labels, annotations and label selectors, checked as Kubernetes does,
and the update rules every kind shares (identity and the spec fields that may change)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from kruise.apis.apps.validation import names
from kruise.apis.apps.validation._json import is_int, items, obj, semantic_equal, string
from kruise.apis.apps.validation.field import (
    ErrorList,
    Path,
    forbidden,
    invalid,
    not_supported,
    required,
    too_long,
)

TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
IMMUTABLE = "field is immutable"
NEGATIVE = "must be greater than or equal to 0"

_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_object_meta(meta: object, at: Path, name_check: names.NameCheck) -> ErrorList:
    """A namespaced object's metadata: name (by ``name_check``), namespace, labels and
    annotations. An empty name passes when ``generateName`` is set, as it is before the
    API server generates the name."""
    metadata = obj(meta)
    errors: ErrorList = []
    name, generate_name = string(metadata.get("name")), string(metadata.get("generateName"))
    if generate_name:
        errors += [
            invalid(at.child("generateName"), generate_name, msg)
            for msg in name_check(generate_name, True)
        ]
    if name:
        errors += [invalid(at.child("name"), name, msg) for msg in name_check(name, False)]
    elif not generate_name:
        errors.append(required(at.child("name"), "name or generateName is required"))
    namespace = string(metadata.get("namespace"))
    if not namespace:
        errors.append(required(at.child("namespace")))
    else:
        errors += [
            invalid(at.child("namespace"), namespace, msg) for msg in names.dns1123_label(namespace)
        ]
    errors += validate_labels(metadata.get("labels"), at.child("labels"))
    errors += validate_annotations(metadata.get("annotations"), at.child("annotations"))
    return errors


def introduced(errors: ErrorList, stored: ErrorList) -> ErrorList:
    """The errors an update brings in: those the stored object (``stored`` are its errors)
    did not already have. An object admitted under looser rules, such as OpenKruise's, can
    still be edited, scaled and deleted; only a change that is itself wrong is refused."""
    known = {str(e) for e in stored}
    return [e for e in errors if str(e) not in known]


def validate_object_meta_update(new: object, old: object, at: Path) -> ErrorList:
    """Name, namespace and uid never change."""
    new_meta, old_meta = obj(new), obj(old)
    errors: ErrorList = []
    for key in ("name", "namespace", "uid"):
        before, after = old_meta.get(key), new_meta.get(key)
        if before and after != before:
            errors.append(invalid(at.child(key), after, IMMUTABLE))
    return errors


def validate_spec_update(
    spec: Mapping[str, Any],
    old_spec: Mapping[str, Any],
    at: Path,
    *,
    kind: str,
    mutable: Sequence[str],
) -> ErrorList:
    """A Forbidden error for each field of the spec at ``at`` that the update changes (as
    ``semantic_equal`` sees it) although it is not in ``mutable``. The detail names the
    mutable fields in their order, in the words of Kubernetes' StatefulSet validation:
    "updates to <kind> spec for fields other than 'a', 'b' and 'c' are forbidden"."""
    detail = f"updates to {kind} spec for fields other than {_quoted(mutable)} are forbidden"
    return [
        forbidden(at.child(key), detail)
        for key in dict.fromkeys([*spec, *old_spec])
        if key not in mutable and not semantic_equal(spec.get(key), old_spec.get(key))
    ]


def _quoted(fields: Sequence[str]) -> str:
    """'a', 'b' and 'c'."""
    quoted = [f"'{field}'" for field in fields]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def validate_labels(labels: object, at: Path) -> ErrorList:
    if labels is None:
        return []
    if labels.__class__ is not dict and not isinstance(labels, Mapping):
        return [invalid(at, labels, "must be a map of strings")]
    errors: ErrorList = []
    for key, value in labels.items():
        if problems := names.qualified_name(key):
            errors += [invalid(at, key, msg) for msg in problems]
        if not isinstance(value, str):
            errors.append(invalid(at.key(key), value, "must be a string"))
            continue
        if problems := names.label_value(value):
            errors += [invalid(at, value, msg) for msg in problems]
    return errors


def validate_annotations(annotations: object, at: Path) -> ErrorList:
    if annotations is None:
        return []
    if annotations.__class__ is not dict and not isinstance(annotations, Mapping):
        return [invalid(at, annotations, "must be a map of strings")]
    errors: ErrorList = []
    size = 0
    for key, value in annotations.items():
        if problems := names.qualified_name(key.lower()):
            errors += [invalid(at, key, msg) for msg in problems]
        if not isinstance(value, str):
            errors.append(invalid(at.key(key), value, "must be a string"))
            continue
        size += len(key.encode()) + len(value.encode())
    if size > TOTAL_ANNOTATION_SIZE_LIMIT:
        errors.append(too_long(at, "", TOTAL_ANNOTATION_SIZE_LIMIT))
    return errors


def validate_label_selector(selector: object, at: Path) -> ErrorList:
    """A metav1.LabelSelector: valid operators, values as the operator needs, valid keys
    and matchLabels."""
    if selector is None:
        return []
    if not isinstance(selector, Mapping):
        return [invalid(at, selector, "must be a label selector object")]
    errors: ErrorList = []
    expressions = selector.get("matchExpressions")
    if expressions is not None and not isinstance(expressions, list):
        errors.append(invalid(at.child("matchExpressions"), expressions, "must be a list"))
    for i, expression in enumerate(items(expressions)):
        errors += _validate_requirement(obj(expression), at.child("matchExpressions").index(i))
    errors += validate_labels(selector.get("matchLabels"), at.child("matchLabels"))
    return errors


def _validate_requirement(requirement: Mapping[str, Any], at: Path) -> ErrorList:
    """One ``matchExpressions`` entry: its operator with the values that operator needs,
    its key, and each value."""
    values = requirement.get("values")
    errors = _validate_operator(requirement.get("operator"), values, at)
    key = requirement.get("key")
    if not isinstance(key, str):
        errors.append(required(at.child("key")))
    else:
        errors += [invalid(at.child("key"), key, msg) for msg in names.qualified_name(key)]
    errors += [
        invalid(at.child("values").index(j), value, "must be a string")
        for j, value in enumerate(items(values))
        if not isinstance(value, str)
    ]
    return errors


def _validate_operator(operator: object, values: object, at: Path) -> ErrorList:
    """In and NotIn need values; Exists and DoesNotExist take none."""
    if operator in ("In", "NotIn"):
        if values:
            return []
        detail = "must be specified when `operator` is 'In' or 'NotIn'"
        return [required(at.child("values"), detail)]
    if operator in ("Exists", "DoesNotExist"):
        if not values:
            return []
        detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
        return [forbidden(at.child("values"), detail)]
    return [not_supported(at.child("operator"), operator, _SELECTOR_OPERATORS)]


def selector_is_empty(selector: object) -> bool:
    """A selector with neither matchLabels nor matchExpressions (it would select all)."""
    sel = obj(selector)
    return not sel.get("matchLabels") and not sel.get("matchExpressions")


def validate_nonnegative(value: Any, at: Path) -> ErrorList:
    """An optional integer that must not be negative."""
    if value is None:
        return []
    if not is_int(value):
        return [invalid(at, value, "must be an integer")]
    return [invalid(at, value, NEGATIVE)] if value < 0 else []


def canonical(value: Any) -> str:
    """A stable text form of a JSON value, to spot duplicates."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def in_namespace(obj_: Mapping[str, Any], namespace: str) -> Mapping[str, Any]:
    """``obj_`` with ``metadata.namespace`` set to ``namespace`` when it has none (an
    admission request names the namespace beside an object that may leave it out)."""
    metadata = obj(obj_.get("metadata"))
    if metadata.get("namespace") or not namespace:
        return obj_
    return {**obj_, "metadata": {**metadata, "namespace": namespace}}
