"""A lazy RESTMapper: (apiVersion, kind) -> Resource from the API server's discovery.

Built-in resources are known up front. Anything else is looked up in
``/api/v1`` or ``/apis/{group}/{version}`` and cached; a miss fetches that
group version again once (a CRD may have just been installed) before failing
with ``NoKindMatch``. Preferred versions come from ``/api`` and ``/apis``.

``is_served`` asks the server, uncached, whether a resource is served right now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from kruise.runtime.client.errors import ClientError, NotFound
from kruise.runtime.client.resource import BUILTIN_RESOURCES, Resource, split_api_version
from kruise.runtime.client.transport import Transport
from kruise.runtime.client.types import KubeObject

GroupVersionKind = tuple[str, str, str]


class NoKindMatch(ClientError, LookupError):
    """The API server serves no such kind (controller-runtime's NoKindMatchError)."""


class RESTMapper:
    """Finds the ``Resource`` (plural, scope) of a kind, as controller-runtime's RESTMapper.

    Built-ins are known without a request; other group versions are discovered on first use
    and cached. ``Client.mapper`` is one, shared by everything using that client.
    """

    def __init__(self, transport: Transport, known: Iterable[Resource] = BUILTIN_RESOURCES) -> None:
        self._transport = transport
        self._known = tuple(known)
        self._lock = asyncio.Lock()
        self._resources: dict[GroupVersionKind, Resource] = {}
        self._preferred: dict[str, str] = {}
        self.reset()

    def reset(self) -> None:
        """Forget everything discovered; keep the built-ins."""
        self._resources = {(r.group, r.version, r.kind): r for r in self._known}
        self._preferred = {}

    async def resource_for(self, api_version: str, kind: str) -> Resource:
        """The resource of ``kind`` in ``api_version``; ``NoKindMatch`` if the server has none."""
        group, version = split_api_version(api_version)
        key = (group, version, kind)
        if key not in self._resources:
            async with self._lock:
                if key not in self._resources:
                    await self._discover_group_version(group, version)
        try:
            return self._resources[key]
        except KeyError:
            raise NoKindMatch(f"no resource for kind {kind!r} in {api_version!r}") from None

    async def resource_for_object(self, obj: KubeObject) -> Resource:
        """The resource of an object, by its ``apiVersion`` and ``kind``."""
        return await self.resource_for(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))

    async def resource_for_group_kind(self, group: str, kind: str) -> Resource:
        """The resource for ``kind`` in the group's preferred version."""
        version = await self.preferred_version(group)
        return await self.resource_for(f"{group}/{version}" if group else version, kind)

    async def preferred_version(self, group: str) -> str:
        """The version the server prefers for ``group`` ("" is the core group)."""
        if group not in self._preferred:
            async with self._lock:
                if group not in self._preferred:
                    await self._discover_groups()
        try:
            return self._preferred[group]
        except KeyError:
            raise NoKindMatch(f"API group {group!r} is not served") from None

    async def _discover_groups(self) -> None:
        core: dict[str, Any] = await self._transport.request("GET", "/api")
        groups: dict[str, Any] = await self._transport.request("GET", "/apis")
        preferred = {"": str(core.get("versions", ["v1"])[0])}
        for group in groups.get("groups", []):
            preferred[str(group["name"])] = str(group["preferredVersion"]["version"])
        self._preferred = preferred

    async def _discover_group_version(self, group: str, version: str) -> None:
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        try:
            listing: dict[str, Any] = await self._transport.request("GET", path)
        except NotFound:
            listing = {}
        for key in [k for k in self._resources if k[:2] == (group, version)]:
            del self._resources[key]
        for entry in listing.get("resources", []):
            name = str(entry["name"])
            if "/" in name:  # a subresource such as deployments/status
                continue
            resource = Resource(group, version, name, str(entry["kind"]), bool(entry["namespaced"]))
            self._resources[(group, version, resource.kind)] = resource


async def is_served(transport: Transport, resource: Resource) -> bool:
    """Whether the API server serves ``resource`` in its version now (for a custom
    resource: its CRD is installed, established and serves that version). Asked afresh
    every time, bypassing the RESTMapper's cache; errors other than 404 propagate."""
    group_version = f"/apis/{resource.group}" if resource.group else "/api"
    try:
        listing: dict[str, Any] = await transport.request(
            "GET", f"{group_version}/{resource.version}"
        )
    except NotFound:
        return False
    return any(entry.get("name") == resource.plural for entry in listing.get("resources") or ())
