"""Predicates filter events before they reach a handler; all must pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kruise.runtime.meta import metadata

Obj = dict[str, Any]


class Predicate(Protocol):
    """Decides, per event, whether a watched object's change reaches the handler."""

    def create(self, obj: Obj) -> bool:
        """Whether an added object should be handled."""
        ...

    def update(self, old: Obj, new: Obj) -> bool:
        """Whether a change from ``old`` to ``new`` should be handled."""
        ...

    def delete(self, obj: Obj) -> bool:
        """Whether a deleted object should be handled."""
        ...

    def generic(self, obj: Obj) -> bool:
        """Whether an event from a ``Channel`` source should be handled."""
        ...


class UpdateOnly:
    """Base for predicates that judge only updates and let every other event through."""

    def create(self, obj: Obj) -> bool:
        """True: only updates are judged."""
        return True

    def update(self, old: Obj, new: Obj) -> bool:
        """True here; subclasses decide."""
        return True

    def delete(self, obj: Obj) -> bool:
        """True: only updates are judged."""
        return True

    def generic(self, obj: Obj) -> bool:
        """True: only updates are judged."""
        return True


class GenerationChanged(UpdateOnly):
    """Skip updates that did not change ``metadata.generation`` (status-only writes)."""

    def update(self, old: Obj, new: Obj) -> bool:
        """Whether ``metadata.generation`` differs."""
        return metadata(old).get("generation") != metadata(new).get("generation")


class ResourceVersionChanged(UpdateOnly):
    """Skip resync updates, which re-deliver an unchanged object."""

    def update(self, old: Obj, new: Obj) -> bool:
        """Whether ``metadata.resourceVersion`` differs."""
        return metadata(old).get("resourceVersion") != metadata(new).get("resourceVersion")


class LabelsChanged(UpdateOnly):
    """Skip updates that left ``metadata.labels`` as they were."""

    def update(self, old: Obj, new: Obj) -> bool:
        """Whether ``metadata.labels`` differ."""
        return metadata(old).get("labels") != metadata(new).get("labels")


class AnnotationsChanged(UpdateOnly):
    """Skip updates that left ``metadata.annotations`` as they were."""

    def update(self, old: Obj, new: Obj) -> bool:
        """Whether ``metadata.annotations`` differ."""
        return metadata(old).get("annotations") != metadata(new).get("annotations")


@dataclass
class Funcs:
    """A predicate from plain functions; a missing function lets the event through."""

    on_create: Callable[[Obj], bool] | None = None
    on_update: Callable[[Obj, Obj], bool] | None = None
    on_delete: Callable[[Obj], bool] | None = None
    on_generic: Callable[[Obj], bool] | None = None

    def create(self, obj: Obj) -> bool:
        """``on_create(obj)``, or True without it."""
        return self.on_create(obj) if self.on_create else True

    def update(self, old: Obj, new: Obj) -> bool:
        """``on_update(old, new)``, or True without it."""
        return self.on_update(old, new) if self.on_update else True

    def delete(self, obj: Obj) -> bool:
        """``on_delete(obj)``, or True without it."""
        return self.on_delete(obj) if self.on_delete else True

    def generic(self, obj: Obj) -> bool:
        """``on_generic(obj)``, or True without it."""
        return self.on_generic(obj) if self.on_generic else True


@dataclass
class Any_:
    """Passes when any of its predicates passes."""

    predicates: list[Predicate]

    def create(self, obj: Obj) -> bool:
        """Whether any predicate passes the added object."""
        return any(p.create(obj) for p in self.predicates)

    def update(self, old: Obj, new: Obj) -> bool:
        """Whether any predicate passes the change."""
        return any(p.update(old, new) for p in self.predicates)

    def delete(self, obj: Obj) -> bool:
        """Whether any predicate passes the deleted object."""
        return any(p.delete(obj) for p in self.predicates)

    def generic(self, obj: Obj) -> bool:
        """Whether any predicate passes the generic event."""
        return any(p.generic(obj) for p in self.predicates)
