"""When the defaulting webhooks may touch a workload's templates.

OpenKruise v1.9 (``TemplateNoDefaults`` off, its default) defaults the pod and claim
templates on a create, and on an update only when the pod template changes: an update
that leaves the template alone, such as a scale, must not rewrite a template OpenKruise
stored, which would make a new revision.
"""

from __future__ import annotations

from typing import Any

from kruise.apis.apps.defaults.typed import typed_pod_template


def template_changed(new: dict[str, Any], old: dict[str, Any] | None) -> bool:
    """Whether an object's pod template differs from ``old``'s, compared as Go decodes
    them; True without an old object (a create)."""
    if old is None:
        return True
    return typed_pod_template(_template(new)) != typed_pod_template(_template(old))


def _template(obj: dict[str, Any]) -> Any:
    spec = obj.get("spec")
    return spec.get("template") if isinstance(spec, dict) else None
