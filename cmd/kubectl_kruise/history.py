"""A workload's ControllerRevisions as ``rollout history`` and ``rollout undo`` read them.

The CloneSet and Advanced StatefulSet controllers keep each pod template they rolled
out in a ControllerRevision the workload controls: ``revision`` is its number and
``data`` the patch ``{"spec": {"template": {..., "$patch": "replace"}}}``. Undo takes
that template and puts it back whole, as kubectl does for a StatefulSet.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

CHANGE_CAUSE = "kubernetes.io/change-cause"


class RevisionNotFound(LookupError):
    """No revision with the number asked for."""


def owned_revisions(
    revisions: Iterable[Mapping[str, Any]], owner_uid: str
) -> list[Mapping[str, Any]]:
    """The revisions ``owner_uid`` controls, oldest first."""
    owned = [r for r in revisions if _controller_uid(r) == owner_uid]
    return sorted(owned, key=lambda r: (int(r.get("revision") or 0), _name(r)))


def _controller_uid(obj: Mapping[str, Any]) -> str | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def _name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def number(revision: Mapping[str, Any]) -> int:
    """The revision's number."""
    return int(revision.get("revision") or 0)


def change_cause(revision: Mapping[str, Any]) -> str:
    """The ``kubernetes.io/change-cause`` annotation, ``<none>`` without one."""
    annotations = (revision.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(CHANGE_CAUSE) or "<none>")


def find(revisions: list[Mapping[str, Any]], to_revision: int) -> Mapping[str, Any]:
    """Revision ``to_revision``; 0 means the one before the newest, as in kubectl."""
    if to_revision < 0:
        raise RevisionNotFound(f"unable to find specified revision {to_revision} in history")
    if to_revision == 0:
        if len(revisions) < 2:
            raise RevisionNotFound("no last revision to roll back to")
        return revisions[-2]
    for revision in revisions:
        if number(revision) == to_revision:
            return revision
    raise RevisionNotFound(f"unable to find specified revision {to_revision} in history")


def template_of(revision: Mapping[str, Any]) -> dict[str, Any]:
    """The pod template the revision recorded, without the patch directive and the
    empty ``creationTimestamp`` Go writes into it."""
    data = revision.get("data") or {}
    template = copy.deepcopy(dict((data.get("spec") or {}).get("template") or {}))
    if not template:
        raise ValueError(f"ControllerRevision {_name(revision)} holds no pod template")
    template.pop("$patch", None)
    metadata = template.get("metadata")
    if isinstance(metadata, dict) and metadata.get("creationTimestamp") is None:
        metadata.pop("creationTimestamp", None)
    return template


def is_current(workload: Mapping[str, Any], revision: Mapping[str, Any]) -> bool:
    """Whether the workload's template is the revision's already: the controller has
    seen the latest spec and names this revision its update revision."""
    metadata = workload.get("metadata") or {}
    status = workload.get("status") or {}
    observed = int(status.get("observedGeneration") or 0)
    if observed < int(metadata.get("generation") or 0):
        return False
    return bool(status.get("updateRevision")) and status.get("updateRevision") == _name(revision)


def undo_patch(revision: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A JSON patch that puts the revision's template back whole."""
    return [{"op": "replace", "path": "/spec/template", "value": template_of(revision)}]
