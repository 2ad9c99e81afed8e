"""Shared informers and a read-only cache, as in client-go and controller-runtime.

    cache = Cache(client, namespace=None)          # client: kruise.runtime.client.Client
    cache.add_index(PODS, "spec.nodeName", lambda pod: [pod["spec"].get("nodeName", "")])
    cache.informer(PODS).add_event_handler(on_add=..., on_update=..., on_delete=...)
    await cache.start(); await cache.wait_for_sync(timeout=60)
    pod = await cache.get(PODS, "name", "ns")      # raises client.NotFound
    pods = await cache.list(PODS, "ns", label_selector="app=x", index=("spec.nodeName", "n1"))
    await cache.stop()

``Informer`` (one resource and scope): list then watch with bookmarks, relist on 410
with exact add/update/delete events, an inactivity timeout, backoff, optional resync;
``wait_for_sync``, ``add_event_handler``, ``add_index``, ``drop_watch``/``pause_watch``.
``Store``: objects by ``namespace/name`` with ``namespace`` and ``owner`` (controller
UID) indexes plus custom ones.

Cached objects are the parsed API dicts, shared by every reader: treat them as
read-only and copy before changing one. Each informer passes what it receives through a
transform first (``ResourceOptions(transform=...)``, client-go's ``TransformFunc``): the
default, ``DEFAULT_TRANSFORM``, strips ``managedFields`` and interns short strings;
``chain``, ``drop_annotations``, ``strip_managed_fields`` and ``intern_strings`` compose
others (``kruise.runtime.cache.transform`` says what is safe to drop).
"""

from kruise.runtime.cache.cache import (
    DEFAULT_RESYNC_PERIOD,
    Cache,
    CacheError,
    CacheNotStarted,
    NamespaceNotCached,
    ResourceOptions,
)
from kruise.runtime.cache.handlers import EventHandler
from kruise.runtime.cache.informer import Informer, InformerStats
from kruise.runtime.cache.listwatch import ListWatcher
from kruise.runtime.cache.store import (
    NAMESPACE_INDEX,
    OWNER_INDEX,
    IndexFunc,
    Store,
    controller_uid,
    make_key,
    object_key,
)
from kruise.runtime.cache.transform import (
    DEFAULT_TRANSFORM,
    LAST_APPLIED,
    Transform,
    chain,
    drop_annotations,
    intern_strings,
    strip_managed_fields,
)

__all__ = [
    "DEFAULT_RESYNC_PERIOD",
    "DEFAULT_TRANSFORM",
    "LAST_APPLIED",
    "NAMESPACE_INDEX",
    "OWNER_INDEX",
    "Cache",
    "CacheError",
    "CacheNotStarted",
    "EventHandler",
    "IndexFunc",
    "Informer",
    "InformerStats",
    "ListWatcher",
    "NamespaceNotCached",
    "ResourceOptions",
    "Store",
    "Transform",
    "chain",
    "controller_uid",
    "drop_annotations",
    "intern_strings",
    "make_key",
    "object_key",
    "strip_managed_fields",
]
