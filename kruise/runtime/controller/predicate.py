"""Predicates filter events before they reach a handler; all must pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

Obj = dict[str, Any]


class Predicate(Protocol):
    def create(self, obj: Obj) -> bool: ...
    def update(self, old: Obj, new: Obj) -> bool: ...
    def delete(self, obj: Obj) -> bool: ...
    def generic(self, obj: Obj) -> bool: ...


class UpdateOnly:
    """Base for predicates that judge only updates and let every other event through."""

    def create(self, obj: Obj) -> bool:
        return True

    def update(self, old: Obj, new: Obj) -> bool:
        return True

    def delete(self, obj: Obj) -> bool:
        return True

    def generic(self, obj: Obj) -> bool:
        return True


def _meta(obj: Obj) -> dict[str, Any]:
    meta: dict[str, Any] = obj.get("metadata") or {}
    return meta


class GenerationChanged(UpdateOnly):
    """Skip updates that did not change ``metadata.generation`` (status-only writes)."""

    def update(self, old: Obj, new: Obj) -> bool:
        return _meta(old).get("generation") != _meta(new).get("generation")


class ResourceVersionChanged(UpdateOnly):
    """Skip resync updates, which re-deliver an unchanged object."""

    def update(self, old: Obj, new: Obj) -> bool:
        return _meta(old).get("resourceVersion") != _meta(new).get("resourceVersion")


class LabelsChanged(UpdateOnly):
    def update(self, old: Obj, new: Obj) -> bool:
        return _meta(old).get("labels") != _meta(new).get("labels")


class AnnotationsChanged(UpdateOnly):
    def update(self, old: Obj, new: Obj) -> bool:
        return _meta(old).get("annotations") != _meta(new).get("annotations")


@dataclass
class Funcs:
    """A predicate from plain functions; a missing function lets the event through."""

    on_create: Callable[[Obj], bool] | None = None
    on_update: Callable[[Obj, Obj], bool] | None = None
    on_delete: Callable[[Obj], bool] | None = None
    on_generic: Callable[[Obj], bool] | None = None

    def create(self, obj: Obj) -> bool:
        return self.on_create(obj) if self.on_create else True

    def update(self, old: Obj, new: Obj) -> bool:
        return self.on_update(old, new) if self.on_update else True

    def delete(self, obj: Obj) -> bool:
        return self.on_delete(obj) if self.on_delete else True

    def generic(self, obj: Obj) -> bool:
        return self.on_generic(obj) if self.on_generic else True


@dataclass
class Any_:
    """Passes when any of its predicates passes."""

    predicates: list[Predicate]

    def create(self, obj: Obj) -> bool:
        return any(p.create(obj) for p in self.predicates)

    def update(self, old: Obj, new: Obj) -> bool:
        return any(p.update(old, new) for p in self.predicates)

    def delete(self, obj: Obj) -> bool:
        return any(p.delete(obj) for p in self.predicates)

    def generic(self, obj: Obj) -> bool:
        return any(p.generic(obj) for p in self.predicates)
