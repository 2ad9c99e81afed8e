"""An indexed object store, the asyncio counterpart of client-go's ThreadSafeStore.

Objects are the informer's parsed dicts, kept as they are: no copies, no wrappers.
They are shared by every reader and must be treated as read-only; copy one
(``copy.deepcopy``) before changing it. Mutating a cached object corrupts the cache
and its indexes for everyone.

Indexes map an index value to the keys of the objects that have it. ``namespace``
and ``owner`` (the UID of the controller owner reference) are always present;
``add_index`` adds more, e.g. pods by ``spec.nodeName``. An index function returns
the values an object is indexed under (possibly none); the values an object had are
recomputed from the stored object when it is replaced or deleted, so nothing extra is
kept per object.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from kruise.runtime.client.types import KubeObject
from kruise.runtime.log import get_logger

IndexFunc = Callable[[KubeObject], list[str]]

NAMESPACE_INDEX = "namespace"
OWNER_INDEX = "owner"

log = get_logger("kruise.runtime.cache")


def object_key(obj: KubeObject) -> str:
    """``namespace/name``, or ``name`` for cluster-scoped objects (client-go's key)."""
    metadata = obj.get("metadata") or {}
    namespace = metadata.get("namespace")
    name = metadata.get("name", "")
    return f"{namespace}/{name}" if namespace else str(name)


def make_key(name: str, namespace: str | None = None) -> str:
    """The store key of ``name`` in ``namespace`` (``object_key`` for a name alone)."""
    return f"{namespace}/{name}" if namespace else name


def namespace_index(obj: KubeObject) -> list[str]:
    """The ``namespace`` index function: the object's namespace, if it has one."""
    namespace = (obj.get("metadata") or {}).get("namespace")
    return [namespace] if namespace else []


def controller_uid(obj: KubeObject) -> str | None:
    """The UID of the owner reference with ``controller: true``, if any."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            uid = ref.get("uid")
            return str(uid) if uid else None
    return None


def owner_index(obj: KubeObject) -> list[str]:
    """The ``owner`` index function: the UID of the object's controller, if it has one."""
    uid = controller_uid(obj)
    return [uid] if uid else []


class Store:
    """Objects by key, with indexes. Not thread-safe; use it from one event loop."""

    def __init__(self) -> None:
        self._items: dict[str, KubeObject] = {}
        self._indexers: dict[str, IndexFunc] = {}
        self._indices: dict[str, dict[str, set[str]]] = {}
        self.add_index(NAMESPACE_INDEX, namespace_index)
        self.add_index(OWNER_INDEX, owner_index)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def get(self, key: str) -> KubeObject | None:
        """The object under ``key``, or None."""
        return self._items.get(key)

    def keys(self) -> builtins.list[str]:
        """Every key."""
        return list(self._items)

    def list(self) -> builtins.list[KubeObject]:
        """Every object; the stored dicts themselves, not copies."""
        return list(self._items.values())

    @property
    def index_names(self) -> builtins.list[str]:
        """The names of the indexes, ``namespace`` and ``owner`` first."""
        return list(self._indexers)

    def add_index(self, name: str, fn: IndexFunc) -> None:
        """Add an index; objects already stored are indexed at once."""
        if name in self._indexers:
            raise ValueError(f"index {name!r} already exists")
        self._indexers[name] = fn
        index: dict[str, set[str]] = {}
        self._indices[name] = index
        for key, obj in self._items.items():
            for value in self._values(name, fn, obj):
                index.setdefault(value, set()).add(key)

    def put(self, obj: KubeObject, key: str | None = None) -> KubeObject | None:
        """Add or replace ``obj``; returns the object it replaced."""
        key = object_key(obj) if key is None else key
        old = self._items.get(key)
        if old is not None:
            self._unindex(key, old)
        self._items[key] = obj
        for name, fn in self._indexers.items():
            index = self._indices[name]
            for value in self._values(name, fn, obj):
                index.setdefault(value, set()).add(key)
        return old

    def delete(self, key: str) -> KubeObject | None:
        """Remove the object under ``key``; returns it, or None if there was none."""
        old = self._items.pop(key, None)
        if old is not None:
            self._unindex(key, old)
        return old

    def index_keys(self, name: str, value: str) -> builtins.list[str]:
        """The keys of the objects indexed under ``value`` in index ``name``."""
        return list(self._index(name).get(value, ()))

    def by_index(self, name: str, value: str) -> builtins.list[KubeObject]:
        """The objects indexed under ``value`` in index ``name``."""
        keys = self._index(name).get(value, ())
        return [self._items[key] for key in keys]

    def index_values(self, name: str) -> builtins.list[str]:
        """Every value index ``name`` currently holds."""
        return list(self._index(name))

    def _index(self, name: str) -> dict[str, set[str]]:
        try:
            return self._indices[name]
        except KeyError:
            raise KeyError(f"no index named {name!r}") from None

    def _unindex(self, key: str, obj: KubeObject) -> None:
        for name, fn in self._indexers.items():
            index = self._indices[name]
            for value in self._values(name, fn, obj):
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]

    @staticmethod
    def _values(name: str, fn: IndexFunc, obj: Any) -> builtins.list[str]:
        try:
            values = fn(obj)
        except Exception:
            # A broken index function must not take the informer down; the object is
            # simply not indexed under it (the same happens again when it is removed).
            log.exception("index function failed", index=name, key=object_key(obj))
            return []
        return list(dict.fromkeys(values)) if len(values) > 1 else values
