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

Cached objects are the parsed API dicts (``managedFields`` stripped), shared by every
reader: treat them as read-only and copy before changing one.
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
from kruise.runtime.cache.listwatch import ListWatcher, Transform, strip_managed_fields
from kruise.runtime.cache.store import (
    NAMESPACE_INDEX,
    OWNER_INDEX,
    IndexFunc,
    Store,
    controller_uid,
    make_key,
    object_key,
)

__all__ = [
    "DEFAULT_RESYNC_PERIOD",
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
    "controller_uid",
    "make_key",
    "object_key",
    "strip_managed_fields",
]
