"""What a request to kube-apiserver asks for: verb, resource, namespace and name.

The same reading kube-apiserver's RequestInfo makes of a URL, reduced to what a fault
rule matches on. Discovery, health and other non-resource paths have no resource and
are never faulted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
READ_VERBS = frozenset({"get", "list", "watch"})
ALL_VERBS = READ_VERBS | WRITE_VERBS

# Subresources of a namespace itself, as opposed to a resource inside it.
_NAMESPACE_SUBRESOURCES = frozenset({"status", "finalize"})


@dataclass(frozen=True)
class RequestInfo:
    """One API request as fault rules see it; ``group`` is "" for the core group."""

    verb: str
    group: str = ""
    version: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    resource_version: str = ""

    @property
    def is_resource_request(self) -> bool:
        """False for discovery, ``/healthz``, ``/version`` and the like."""
        return bool(self.resource)

    @property
    def group_resource(self) -> str:
        """kubectl's spelling: ``pods``, ``clonesets.apps.kruise.io``, plus ``/status``
        for a subresource. Rules match resources against this string."""
        text = f"{self.resource}.{self.group}" if self.group else self.resource
        return f"{text}/{self.subresource}" if self.subresource else text

    @classmethod
    def parse(cls, method: str, path: str, query: Mapping[str, str]) -> RequestInfo:
        """Read a request; ``query`` is the decoded query string."""
        parts = [p for p in path.split("/") if p]
        verb = method.lower()
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return cls(verb=verb)
        watch = query.get("watch", "").lower() in ("1", "true")
        if rest[:1] == ["watch"]:  # the deprecated /watch/ path prefix
            rest, watch = rest[1:], True
        namespace = ""
        if len(rest) >= 2 and rest[0] == "namespaces":
            if len(rest) == 2 or rest[2] in _NAMESPACE_SUBRESOURCES:
                namespace = rest[1]
            else:
                namespace, rest = rest[1], rest[2:]
        if not rest:
            return cls(verb=verb)
        resource = rest[0]
        name = rest[1] if len(rest) > 1 else ""
        subresource = rest[2] if len(rest) > 2 else ""
        return cls(
            verb=_verb(method, bool(name), watch),
            group=group,
            version=version,
            resource=resource,
            subresource=subresource,
            namespace=namespace,
            name=name,
            resource_version=query.get("resourceVersion", ""),
        )


def _verb(method: str, named: bool, watch: bool) -> str:
    method = method.upper()
    if method in ("GET", "HEAD"):
        if watch:
            return "watch"
        return "get" if named else "list"
    if method == "POST":
        return "create"
    if method == "PUT":
        return "update"
    if method == "PATCH":
        return "patch"
    if method == "DELETE":
        return "delete" if named else "deletecollection"
    return method.lower()
