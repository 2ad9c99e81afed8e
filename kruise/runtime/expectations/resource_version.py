"""ResourceVersion expectations: the controller's own writes the cache has not shown yet."""

from __future__ import annotations

from dataclasses import dataclass

from kruise.runtime.expectations._base import Expiring, Object, meta, object_key


@dataclass
class _Version:
    resource_version: str
    key: str  # namespace/name, for the expiry log
    since: float


def _as_int(resource_version: str) -> int | None:
    ok = resource_version.isascii() and resource_version.isdigit()
    return int(resource_version) if ok else None


def _older(seen: str, expected: str) -> bool:
    """Whether ``seen`` is provably older: only integers can be ordered."""
    seen_int, expected_int = _as_int(seen), _as_int(expected)
    return seen_int is not None and expected_int is not None and seen_int < expected_int


def _reached(seen: str, expected: str) -> bool:
    """Whether ``seen`` is ``expected`` or, both being integers, newer."""
    seen_int, expected_int = _as_int(seen), _as_int(expected)
    if seen_int is None or expected_int is None:
        return seen == expected
    return seen_int >= expected_int


class ResourceVersionExpectations(Expiring[_Version]):
    """Per object UID, the resourceVersion returned by the controller's last write.

    resourceVersions are compared as integers when both are (the API server's are, being
    etcd revisions). Otherwise they are opaque and only equality is known: ``observe``,
    fed by watch events that arrive after the write, counts any version; ``is_satisfied``,
    fed a cached snapshot that may predate the write, counts only the expected one.
    """

    kind = "resource_version"

    def expect(self, obj: Object) -> None:
        """Record ``obj`` as the API server returned it from the controller's write.

        Of two integer versions the newer is kept; an opaque one replaces the old.
        """
        uid, version = meta(obj, "uid"), meta(obj, "resourceVersion")
        if not uid or not version:
            return
        entry = self._pending.get(uid)
        if entry is None:
            self._pending[uid] = _Version(version, object_key(obj), self.clock.now())
        elif not _older(version, entry.resource_version):
            entry.resource_version = version

    def observe(self, obj: Object) -> None:
        """The cache delivered ``obj``; satisfies unless its version is provably older."""
        uid, version = meta(obj, "uid"), meta(obj, "resourceVersion")
        entry = self._pending.get(uid)
        if entry is not None and version and not _older(version, entry.resource_version):
            del self._pending[uid]

    def is_satisfied(self, obj: Object) -> tuple[bool, float]:
        """``(satisfied, seconds waited)`` for the cached ``obj``.

        Satisfied when its version is the expected one or, both being integers, newer; or
        when the expectation is as old as the timeout (then dropped, logged and counted).
        """
        uid, version = meta(obj, "uid"), meta(obj, "resourceVersion")
        entry = self._pending.get(uid)
        if entry is None:
            return True, 0.0
        reached = _reached(version, entry.resource_version)
        if reached or self._is_expired(entry.since):
            del self._pending[uid]
            if not reached:
                pending = f"resourceVersion {entry.resource_version}"
                self._report_expired(entry.key, pending, 1, uid=uid)
            return True, 0.0
        return False, self.clock.now() - entry.since

    def delete(self, obj: Object) -> None:
        """Forget ``obj``, e.g. when it was deleted."""
        self._pending.pop(meta(obj, "uid"), None)
