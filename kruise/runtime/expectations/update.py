"""Update expectations: pods updated to a revision whose new revision the cache lacks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from kruise.runtime.clock import Clock
from kruise.runtime.expectations._base import DEFAULT_TIMEOUT, Expiring, Object, meta

REVISION_LABEL = "controller-revision-hash"


def revision_label(obj: Object) -> str:
    """The object's ``controller-revision-hash`` label, empty when absent."""
    value = obj.get("metadata", {}).get("labels", {}).get(REVISION_LABEL)
    return value if isinstance(value, str) else ""


@dataclass
class _Revision:
    revision: str
    pods: dict[str, float] = field(default_factory=dict)  # pod name -> when first expected


class UpdateExpectations(Expiring[_Revision]):
    """Per controller key, one target revision and the pods updated (in place or by
    recreation) to it that the cache still shows at another revision.

    Expecting a new revision for a key drops what was expected for the old one. Pods are
    named by ``metadata.name``; expecting one twice is one expectation.
    """

    kind = "update"

    def __init__(
        self,
        *,
        revision_of: Callable[[Object], str] = revision_label,
        clock: Clock | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        registry: CollectorRegistry | None = None,
    ) -> None:
        super().__init__(clock=clock, timeout=timeout, registry=registry)
        self._revision_of = revision_of

    def expect_updated(self, controller_key: str, revision: str, pod: Object) -> None:
        """Record that ``pod`` is being updated to ``revision``; call before the request."""
        entry = self._pending.get(controller_key)
        if entry is None or entry.revision != revision:
            entry = self._pending[controller_key] = _Revision(revision)
        entry.pods.setdefault(meta(pod, "name"), self.clock.now())

    def observe_updated(self, controller_key: str, revision: str, pod: Object) -> None:
        """Call for every cached pod with the controller's current update revision.

        A pod whose own revision equals it is done; a different ``revision`` than the one
        expected means the controller moved on, so the old expectations are dropped.
        """
        entry = self._pending.get(controller_key)
        if entry is None:
            return
        if entry.revision == revision and self._revision_of(pod) == revision:
            entry.pods.pop(meta(pod, "name"), None)
        if entry.revision != revision or not entry.pods:
            del self._pending[controller_key]

    def is_satisfied(self, controller_key: str) -> tuple[bool, float, list[str]]:
        """``(satisfied, seconds the oldest pending pod has waited, pending pod names)``.

        Pods pending for the timeout or longer are dropped first (logged and counted).
        """
        entry = self._pending.get(controller_key)
        if entry is None:
            return True, 0.0, []
        expired = self._pop_expired(entry.pods)
        if expired:
            self._report_expired(
                controller_key, sorted(expired), len(expired), revision=entry.revision
            )
        if not entry.pods:
            del self._pending[controller_key]
            return True, 0.0, []
        return False, self.clock.now() - min(entry.pods.values()), sorted(entry.pods)

    def delete_object(self, controller_key: str, pod: Object) -> None:
        """Forget one pod, e.g. when it was deleted."""
        entry = self._pending.get(controller_key)
        if entry is None:
            return
        entry.pods.pop(meta(pod, "name"), None)
        if not entry.pods:
            del self._pending[controller_key]

    def delete_expectations(self, controller_key: str) -> None:
        """Forget the key, e.g. when the controller's object is gone."""
        self._pending.pop(controller_key, None)
