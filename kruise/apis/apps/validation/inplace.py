"""The InPlaceOnly rule: between two revisions of a template only container images change.

The old and new ``template.spec`` are compared as JSON-patch operations would describe the
change. Only ``replace`` operations on exactly ``/containers/<n>/image`` are allowed.
(OpenKruise v0.7.0's StatefulSet webhook matches that path unanchored, so a change to
``/containers/0/imagePullPolicy`` slipped through; here it is rejected.) Template metadata
may change freely: labels and annotations are updated in place too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kruise.apis.apps.validation._json import semantic_equal
from kruise.apis.apps.validation.field import ErrorList, Path, forbidden

_IMAGE_POINTER = re.compile(r"/containers/[0-9]+/image")
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Change:
    """One JSON-patch operation between two documents, with the field path it touches."""

    op: str  # add | remove | replace
    pointer: str  # RFC 6901, relative to the compared documents
    field: Path


def changes(old: object, new: object, at: Path, pointer: str = "") -> list[Change]:
    """What turns ``old`` into ``new``; a missing member equals null or an empty one."""
    if semantic_equal(old, new):
        return []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return _member_changes(old, new, at, pointer)
    if isinstance(old, list) and isinstance(new, list):
        return _item_changes(old, new, at, pointer)
    return [Change("replace", pointer, at)]


def _member_changes(
    old: Mapping[str, object], new: Mapping[str, object], at: Path, pointer: str
) -> list[Change]:
    found: list[Change] = []
    for key in dict.fromkeys([*old, *new]):
        token = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
        a, b = old.get(key), new.get(key)
        if semantic_equal(a, b):
            continue
        # A struct member reads .name; a map key such as a node label reads [key].
        here = at.child(key) if _FIELD_NAME.fullmatch(key) else at.key(key)
        if a is None:
            found.append(Change("add", token, here))
        elif b is None:
            found.append(Change("remove", token, here))
        else:
            found += changes(a, b, here, token)
    return found


def _item_changes(old: list[object], new: list[object], at: Path, pointer: str) -> list[Change]:
    found: list[Change] = []
    for i in range(max(len(old), len(new))):
        token = f"{pointer}/{i}"
        if i >= len(old):
            found.append(Change("add", token, at.index(i)))
        elif i >= len(new):
            found.append(Change("remove", token, at.index(i)))
        else:
            found += changes(old[i], new[i], at.index(i), token)
    return found


def validate_in_place_only(old_spec: object, new_spec: object, at: Path, policy: Path) -> ErrorList:
    """Errors for every change of the pod spec at ``at`` other than a container's image;
    ``policy`` names the field that asked for InPlaceOnly."""
    return [
        forbidden(
            change.field,
            f"only container images may change when {policy} is InPlaceOnly "
            f"(this is a {change.op} of {change.pointer})",
        )
        for change in changes(old_spec, new_spec, at)
        if change.op != "replace" or not _IMAGE_POINTER.fullmatch(change.pointer)
    ]
