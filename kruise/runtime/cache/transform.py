"""Per-informer object transforms, like client-go's ``TransformFunc``: they run on every
object an informer receives, before it is stored and handed to event handlers.

    cache = Cache(client, by_resource={
        PODS: ResourceOptions(transform=chain(DEFAULT_TRANSFORM, drop_annotations(LAST_APPLIED))),
    })

A transform may change the object in place and must return it. Cached objects are what
controllers read, so drop only what nothing reads, and never build a full-object write
(an update) from a cached object whose transform dropped fields the server keeps: such
a write would erase them. ``managedFields`` is safe to drop: an update without it keeps
the stored entries. That is why the default keeps every annotation: the Advanced
StatefulSet controller repairs a pod with an update built from the cached pod.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from kruise.runtime.client.types import KubeObject

Transform = Callable[[KubeObject], KubeObject]

# kubectl apply's copy of the last applied object: often as large as the object itself.
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# Longer strings rarely repeat between objects (certificates, scripts, JSON blobs).
INTERN_MAX_CHARS = 64
# Integers past CPython's small-int cache (ports, modes, seconds) are shared through this
# table; it is emptied when full, so odd values cannot make it grow without bound.
_INTS_MAX = 4096
_ints: dict[int, int] = {}
# Unique to each object: interning them would only grow the interpreter's table.
_UNIQUE_METADATA = frozenset(("name", "uid", "resourceVersion", "creationTimestamp"))

_intern = sys.intern


def strip_managed_fields(obj: KubeObject) -> KubeObject:
    """Drop ``metadata.managedFields`` in place (often a third of an object's size)."""
    metadata = obj.get("metadata")
    if metadata:
        metadata.pop("managedFields", None)
    return obj


def intern_strings(obj: KubeObject) -> KubeObject:
    """Make equal short string values share one ``str`` across cached objects.

    Labels, namespaces, images, resource quantities, enum values and the like repeat in
    thousands of objects; as decoded, each occurrence is its own string. ``sys.intern``
    keeps one of each while any object uses it (the interpreter's table holds no strong
    reference, so nothing leaks as objects come and go). The object is equal before and
    after; only its memory shrinks.
    """
    metadata = obj.get("metadata")
    for key, value in obj.items():
        if value is metadata and type(value) is dict:
            _intern_metadata(value)
        else:
            kind = type(value)
            if kind is dict:
                _intern_dict(value)
            elif kind is list:
                _intern_list(value)
            elif kind is str and len(value) <= INTERN_MAX_CHARS:
                obj[key] = _intern(value)
    return obj


def _intern_metadata(metadata: dict[str, Any]) -> None:
    for key, value in metadata.items():
        kind = type(value)
        if kind is str:
            if key not in _UNIQUE_METADATA and len(value) <= INTERN_MAX_CHARS:
                metadata[key] = _intern(value)
        elif kind is dict:
            _intern_dict(value)
        elif kind is list:
            _intern_list(value)


def _intern_dict(node: dict[str, Any]) -> None:
    # Replacing a value does not resize the dict, so it is safe while iterating.
    for key, value in node.items():
        kind = type(value)
        if kind is str:
            if len(value) <= INTERN_MAX_CHARS:
                node[key] = _intern(value)
        elif kind is dict:
            if value:
                _intern_dict(value)
        elif kind is list:
            _intern_list(value)
        elif kind is int and value > 256:  # CPython shares the ints up to 256 already
            node[key] = _shared_int(value)


def _shared_int(value: int) -> int:
    shared = _ints.get(value)
    if shared is None:
        if len(_ints) >= _INTS_MAX:
            _ints.clear()
        shared = _ints[value] = value
    return shared


def _intern_list(node: list[Any]) -> None:
    for index, value in enumerate(node):
        kind = type(value)
        if kind is str:
            if len(value) <= INTERN_MAX_CHARS:
                node[index] = _intern(value)
        elif kind is dict:
            _intern_dict(value)
        elif kind is list:
            _intern_list(value)


def strip_and_intern(obj: KubeObject) -> KubeObject:
    """The default: ``strip_managed_fields`` then ``intern_strings``."""
    return intern_strings(strip_managed_fields(obj))


DEFAULT_TRANSFORM: Transform = strip_and_intern


def drop_annotations(*keys: str) -> Transform:
    """A transform that removes these annotations (e.g. ``LAST_APPLIED``) in place."""
    names = tuple(keys)

    def drop(obj: KubeObject) -> KubeObject:
        annotations = (obj.get("metadata") or {}).get("annotations")
        if annotations:
            for name in names:
                annotations.pop(name, None)
        return obj

    return drop


def chain(*transforms: Transform) -> Transform:
    """One transform running ``transforms`` in order, each on the previous one's result."""
    steps = tuple(transforms)

    def run(obj: KubeObject) -> KubeObject:
        for step in steps:
            obj = step(obj)
        return obj

    return run
