"""The verbs: get, list, create, update, patch, apply, delete, scale and watch, on raw JSON."""

from __future__ import annotations

import enum
import os
from typing import Any

from prometheus_client import CollectorRegistry

from kruise.runtime.client.config import RestConfig, load_config
from kruise.runtime.client.discovery import RESTMapper
from kruise.runtime.client.errors import Gone
from kruise.runtime.client.resource import Resource
from kruise.runtime.client.transport import Transport
from kruise.runtime.client.types import KubeObject, ObjectList
from kruise.runtime.client.watch import WatchStream
from kruise.runtime.clock import Clock

# client-go's pager page size.
DEFAULT_PAGE_SIZE = 500
# A merge or strategic merge patch is an object; a JSON patch is a list of operations.
Patch = KubeObject | list[Any]
# Without timeoutSeconds a quiet watch is given up (and should be re-opened) after this long.
DEFAULT_WATCH_READ_TIMEOUT = 300.0


class PatchType(enum.StrEnum):
    """The patch formats, as the Content-Type the API server reads them by."""

    MERGE = "application/merge-patch+json"
    JSON = "application/json-patch+json"
    STRATEGIC = "application/strategic-merge-patch+json"
    APPLY = "application/apply-patch+yaml"


class Client:
    """An asyncio client for one API server. Build it inside a running loop and close it
    (``async with Client(config) as client``). Objects go in and come out as plain dicts."""

    def __init__(
        self,
        config: RestConfig,
        *,
        registry: CollectorRegistry | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config = config
        self.transport = Transport(config, registry=registry, clock=clock)
        self.mapper = RESTMapper(self.transport)

    @classmethod
    async def connect(
        cls,
        kubeconfig: str | os.PathLike[str] | None = None,
        context: str | None = None,
        *,
        registry: CollectorRegistry | None = None,
        clock: Clock | None = None,
    ) -> Client:
        """``load_config`` (kubeconfig, $KUBECONFIG, in-cluster, ~/.kube/config), then a client."""
        return cls(await load_config(kubeconfig, context), registry=registry, clock=clock)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connections (leaving ``async with`` does it)."""
        await self.transport.close()

    def spare_requests(self) -> float:
        """How many requests the client's rate limiter would send now without waiting
        (``inf`` without a limit); negative when requests already wait for tokens."""
        return self.transport.limiter.available()

    # ---- reads -----------------------------------------------------------------------

    async def get(self, resource: Resource, name: str, namespace: str | None = None) -> KubeObject:
        """One object, read from the API server; ``NotFound`` if it does not exist."""
        path = resource.path(_scope(resource, namespace), name)
        return _typed(await self.transport.request("GET", path), resource)

    async def list(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resource_version: str | None = None,
        page_size: int | None = DEFAULT_PAGE_SIZE,
    ) -> ObjectList:
        """Every matching object, fetched ``page_size`` at a time (None: one request).

        ``namespace=None`` lists all namespaces. If a continue token expires while
        paging, the list starts over in one unpaged request, as client-go's pager does.
        Items get ``apiVersion`` and ``kind`` filled in (the server leaves them out).
        """
        path = resource.path(namespace)
        params = _drop_none(
            {
                "labelSelector": label_selector,
                "fieldSelector": field_selector,
                "resourceVersion": resource_version,
                "limit": str(page_size) if page_size else None,
            }
        )
        items: list[KubeObject] = []
        continue_token = ""
        while True:
            page_params = {**params, "continue": continue_token} if continue_token else params
            try:
                page = await self.transport.request("GET", path, params=page_params)
            except Gone:
                if not continue_token:
                    raise
                params.pop("limit", None)
                items, continue_token = [], ""
                continue
            items.extend(_typed(item, resource) for item in page.get("items") or [])
            metadata = page.get("metadata") or {}
            continue_token = metadata.get("continue") or ""
            if not continue_token:
                return ObjectList(items, str(metadata.get("resourceVersion", "")))

    def watch(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int | None = None,
        allow_bookmarks: bool = True,
        read_timeout: float | None = None,
    ) -> WatchStream:
        """A raw watch stream (see ``kruise.runtime.client.watch``); it connects on
        ``async with`` or first iteration. ``read_timeout`` bounds the silence between
        reads: by default ``timeout_seconds`` plus the request timeout, else 5 minutes."""
        path = resource.path(namespace)
        params = _drop_none(
            {
                "watch": "1",
                "allowWatchBookmarks": "true" if allow_bookmarks else None,
                "resourceVersion": resource_version,
                "labelSelector": label_selector,
                "fieldSelector": field_selector,
                "timeoutSeconds": None if timeout_seconds is None else str(timeout_seconds),
            }
        )
        if read_timeout is None:
            read_timeout = (
                DEFAULT_WATCH_READ_TIMEOUT
                if timeout_seconds is None
                else timeout_seconds + self.config.timeout
            )

        async def open_response() -> Any:
            return await self.transport.stream(path, params=params, read_timeout=read_timeout)

        return WatchStream(open_response, api_version=resource.api_version, kind=resource.kind)

    # ---- writes ----------------------------------------------------------------------

    async def create(
        self,
        resource: Resource,
        obj: KubeObject,
        namespace: str | None = None,
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> KubeObject:
        """POST ``obj``; the namespace defaults to ``obj.metadata.namespace``."""
        path = resource.path(_scope(resource, namespace, obj))
        params = _write_params(dry_run, field_manager)
        return _typed(await self.transport.request("POST", path, params=params, body=obj), resource)

    async def create_subresource(
        self,
        resource: Resource,
        name: str,
        subresource: str,
        obj: KubeObject,
        namespace: str | None = None,
        *,
        dry_run: bool = False,
    ) -> KubeObject:
        """POST to an object's subresource, e.g. a pod's ``eviction`` or a service
        account's ``token``; returns the server's answer."""
        path = resource.path(_scope(resource, namespace), name, subresource)
        params = _write_params(dry_run, None)
        answer: KubeObject = await self.transport.request("POST", path, params=params, body=obj)
        return answer

    async def update(
        self,
        resource: Resource,
        obj: KubeObject,
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> KubeObject:
        """PUT the whole object; its resourceVersion makes it fail with Conflict if stale."""
        return await self._put(resource, obj, None, dry_run, field_manager)

    async def update_status(
        self,
        resource: Resource,
        obj: KubeObject,
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> KubeObject:
        """PUT the object to its status subresource: only ``status`` changes."""
        return await self._put(resource, obj, "status", dry_run, field_manager)

    async def patch(
        self,
        resource: Resource,
        name: str,
        patch: Patch,
        namespace: str | None = None,
        *,
        patch_type: PatchType = PatchType.MERGE,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> KubeObject:
        """Patch with a JSON merge patch (default), a JSON patch (a list of operations)
        or a strategic merge patch (built-in kinds only); ``subresource`` may be
        ``status`` or ``scale``."""
        if patch_type is PatchType.STRATEGIC and not resource.builtin:
            raise ValueError(f"strategic merge patch is not supported for {resource.kind}")
        if patch_type is PatchType.APPLY:
            raise ValueError("use apply() for server-side apply")
        path = resource.path(_scope(resource, namespace), name, subresource)
        params = _write_params(dry_run, field_manager)
        answer = await self.transport.request(
            "PATCH", path, params=params, body=patch, content_type=patch_type
        )
        return _typed(answer, resource)

    async def apply(
        self,
        resource: Resource,
        obj: KubeObject,
        *,
        field_manager: str,
        force: bool = False,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> KubeObject:
        """Server-side apply ``obj`` (apiVersion, kind, metadata.name and the fields this
        manager owns). Conflicts with other managers raise Conflict unless ``force``."""
        metadata = obj.get("metadata") or {}
        path = resource.path(_scope(resource, None, obj), str(metadata["name"]), subresource)
        params = _write_params(dry_run, field_manager)
        if force:
            params["force"] = "true"
        answer = await self.transport.request(
            "PATCH", path, params=params, body=obj, content_type=PatchType.APPLY
        )
        return _typed(answer, resource)

    async def delete(
        self,
        resource: Resource,
        name: str,
        namespace: str | None = None,
        *,
        uid: str | None = None,
        resource_version: str | None = None,
        propagation_policy: str | None = None,
        grace_period_seconds: int | None = None,
        dry_run: bool = False,
    ) -> KubeObject:
        """Delete; ``uid``/``resource_version`` are preconditions (Conflict when they do not
        match). ``propagation_policy`` is Orphan, Background or Foreground. Returns the
        server's answer: a Status, or the object when deletion is graceful or finalized."""
        options: dict[str, Any] = {"apiVersion": "v1", "kind": "DeleteOptions"}
        preconditions = _drop_none({"uid": uid, "resourceVersion": resource_version})
        if preconditions:
            options["preconditions"] = preconditions
        if propagation_policy is not None:
            options["propagationPolicy"] = propagation_policy
        if grace_period_seconds is not None:
            options["gracePeriodSeconds"] = grace_period_seconds
        if dry_run:
            options["dryRun"] = ["All"]
        path = resource.path(_scope(resource, namespace), name)
        answer: KubeObject = await self.transport.request("DELETE", path, body=options)
        return answer

    # ---- scale subresource -----------------------------------------------------------

    async def get_scale(
        self, resource: Resource, name: str, namespace: str | None = None
    ) -> KubeObject:
        """The autoscaling/v1 Scale of a Deployment, StatefulSet or a CRD with a scale
        subresource."""
        path = resource.path(_scope(resource, namespace), name, "scale")
        answer: KubeObject = await self.transport.request("GET", path)
        return answer

    async def update_scale(
        self, resource: Resource, scale: KubeObject, *, dry_run: bool = False
    ) -> KubeObject:
        """PUT a Scale (as read by ``get_scale``, with ``spec.replicas`` changed)."""
        metadata = scale.get("metadata") or {}
        path = resource.path(_scope(resource, None, scale), str(metadata["name"]), "scale")
        params = _write_params(dry_run, None)
        answer: KubeObject = await self.transport.request("PUT", path, params=params, body=scale)
        return answer

    async def _put(
        self,
        resource: Resource,
        obj: KubeObject,
        subresource: str | None,
        dry_run: bool,
        field_manager: str | None,
    ) -> KubeObject:
        metadata = obj.get("metadata") or {}
        path = resource.path(_scope(resource, None, obj), str(metadata["name"]), subresource)
        params = _write_params(dry_run, field_manager)
        return _typed(await self.transport.request("PUT", path, params=params, body=obj), resource)


def _scope(resource: Resource, namespace: str | None, obj: KubeObject | None = None) -> str | None:
    """The namespace to address: the argument, else the object's; None when cluster-scoped."""
    if not resource.namespaced:
        if namespace:
            raise ValueError(f"{resource.kind} is cluster-scoped: no namespace expected")
        return None
    if not namespace and obj is not None:
        namespace = (obj.get("metadata") or {}).get("namespace")
    if not namespace:
        raise ValueError(f"{resource.kind} is namespaced: a namespace is required")
    return namespace


def _typed(obj: KubeObject, resource: Resource) -> KubeObject:
    obj.setdefault("apiVersion", resource.api_version)
    obj.setdefault("kind", resource.kind)
    return obj


def _write_params(dry_run: bool, field_manager: str | None) -> dict[str, str]:
    params = {"dryRun": "All"} if dry_run else {}
    if field_manager:
        params["fieldManager"] = field_manager
    return params


def _drop_none(values: dict[str, str | None]) -> dict[str, str]:
    return {key: value for key, value in values.items() if value is not None}
