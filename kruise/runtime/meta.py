"""Read access to an object's ``metadata``, for objects kept as plain JSON dicts.

Every accessor reads ``obj["metadata"]`` the way the API server fills it in, with a missing
or null field (or a missing object) read as empty: ``""`` for strings, an empty mapping or
sequence for collections. What they return is the object's own data, not a copy, and is
typed read-only: objects from the cache are shared by every reader, so copy before changing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "is_being_deleted",
    "labels_of",
    "metadata",
    "name_of",
    "namespace_of",
    "owner_references_of",
    "resource_version_of",
    "uid_of",
]


def metadata(obj: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """``obj["metadata"]``, or an empty mapping when the object or its metadata is missing."""
    found: Mapping[str, Any] = (obj or {}).get("metadata") or {}
    return found


def name_of(obj: Mapping[str, Any] | None) -> str:
    """``metadata.name``."""
    return str(metadata(obj).get("name") or "")


def namespace_of(obj: Mapping[str, Any] | None) -> str:
    """The namespace; ``""`` for a cluster-scoped object."""
    return str(metadata(obj).get("namespace") or "")


def uid_of(obj: Mapping[str, Any] | None) -> str:
    """``metadata.uid``."""
    return str(metadata(obj).get("uid") or "")


def resource_version_of(obj: Mapping[str, Any] | None) -> str:
    """``metadata.resourceVersion``: opaque, compare it only for equality."""
    return str(metadata(obj).get("resourceVersion") or "")


def labels_of(obj: Mapping[str, Any] | None) -> Mapping[str, str]:
    """``metadata.labels``."""
    labels: Mapping[str, str] = metadata(obj).get("labels") or {}
    return labels


def owner_references_of(obj: Mapping[str, Any] | None) -> Sequence[Mapping[str, Any]]:
    """``metadata.ownerReferences``, in order."""
    refs: Sequence[Mapping[str, Any]] = metadata(obj).get("ownerReferences") or ()
    return refs


def is_being_deleted(obj: Mapping[str, Any] | None) -> bool:
    """Whether the object has a ``deletionTimestamp`` (finalizers may still hold it)."""
    return bool(metadata(obj).get("deletionTimestamp"))
