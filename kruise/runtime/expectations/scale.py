"""Scale expectations: creations and deletions the cache has not shown yet."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from kruise.runtime.expectations._base import Expiring


class ScaleAction(StrEnum):
    """Which kind of change a scale expectation waits to see."""

    CREATE = "create"
    DELETE = "delete"


ScalePending = dict[ScaleAction, list[str]]
"""Pending names by action, each list sorted."""


class ScaleExpectations(Expiring[dict[tuple[ScaleAction, str], float]]):
    """Per controller key, the objects it created or deleted and is waiting to see.

    Objects are named by name or UID, whichever the event handler can tell. Expecting the
    same (action, name) twice is one expectation: the cache shows an object once, so one
    observation satisfies it; its age counts from the first ``expect_scale``.
    """

    kind = "scale"
    # state per controller key: (action, name) -> clock time it was first expected

    def expect_scale(self, key: str, action: ScaleAction, name: str) -> None:
        """Record a create or delete; call before the API request."""
        items = self._pending.setdefault(key, {})
        items.setdefault((ScaleAction(action), name), self.clock.now())

    def observe_scale(self, key: str, action: ScaleAction, name: str) -> None:
        """The cache showed it, or the request failed and will not happen."""
        items = self._pending.get(key)
        if items is None:
            return
        items.pop((ScaleAction(action), name), None)
        if not items:
            del self._pending[key]

    def satisfied_scale(self, key: str) -> tuple[bool, float, ScalePending]:
        """``(satisfied, seconds the oldest pending item has waited, pending names)``.

        Items pending for the timeout or longer are dropped first (logged and counted).
        """
        items = self._pending.get(key)
        if items is None:
            return True, 0.0, {}
        expired = self._pop_expired(items)
        if expired:
            self._report_expired(key, _group(expired), len(expired))
        if not items:
            del self._pending[key]
            return True, 0.0, {}
        return False, self.clock.now() - min(items.values()), _group(items)

    def delete_expectations(self, key: str) -> None:
        """Forget the key, e.g. when the controller's object is gone."""
        self._pending.pop(key, None)


def _group(items: Iterable[tuple[ScaleAction, str]]) -> ScalePending:
    grouped: ScalePending = {}
    for action, name in sorted(items):
        grouped.setdefault(action, []).append(name)
    return grouped
