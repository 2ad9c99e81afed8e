"""A workload's selector and pod template, checked together (CloneSet, StatefulSet)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kruise.apis.apps.validation._json import items, obj
from kruise.apis.apps.validation.field import ErrorList, Path, duplicate, invalid, required
from kruise.apis.apps.validation.meta import selector_is_empty, validate_label_selector
from kruise.apis.apps.validation.podtemplate import validate_pod_template
from kruise.runtime import labels


def validate_selector_and_template(
    spec: Mapping[str, Any], at: Path, kind: str, *, claim_names: Iterable[str] = ()
) -> ErrorList:
    """The selector is set, valid and not empty, it selects the template's labels, and the
    template is a valid pod template. ``kind`` names the workload in messages."""
    selector = spec.get("selector")
    errors: ErrorList = []
    if selector is None:
        errors.append(required(at.child("selector")))
    else:
        selector_errors = validate_label_selector(selector, at.child("selector"))
        errors += selector_errors
        if not selector_errors and selector_is_empty(selector):
            errors.append(
                invalid(at.child("selector"), selector, f"empty selector is invalid for {kind}")
            )
        elif not selector_errors:
            template_labels = obj(obj(spec.get("template")).get("metadata")).get("labels")
            if not _selects(selector, template_labels):
                errors.append(
                    invalid(
                        at.child("template", "metadata", "labels"),
                        template_labels,
                        "`selector` does not match template `labels`",
                    )
                )
    errors += validate_pod_template(
        spec.get("template"), at.child("template"), claim_names=claim_names
    )
    return errors


def _selects(selector: object, template_labels: object) -> bool:
    found = template_labels if isinstance(template_labels, Mapping) else {}
    wanted = obj(selector)
    if not wanted.get("matchExpressions"):
        # matchLabels alone, already found valid: each must be there with that value.
        return all(
            key in found and str(found[key]) == value
            for key, value in (wanted.get("matchLabels") or {}).items()
        )
    try:
        parsed = labels.from_label_selector(obj(selector))
    except ValueError:  # reported by the selector's own checks
        return True
    return parsed.matches({str(k): str(v) for k, v in found.items()})


def claim_template_names(templates: object, at: Path) -> tuple[list[str], ErrorList]:
    """The names of volumeClaimTemplates (pods mount them as volumes): each set, no repeats."""
    found: list[str] = []
    errors: ErrorList = []
    for i, claim in enumerate(items(templates)):
        name = obj(obj(claim).get("metadata")).get("name")
        here = at.index(i).child("metadata", "name")
        if not name or not isinstance(name, str):
            errors.append(required(here))
        elif name in found:
            errors.append(duplicate(here, name))
        else:
            found.append(name)
    return found, errors
