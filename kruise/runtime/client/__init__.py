"""An asyncio REST client for the Kubernetes API, on raw JSON dicts.

    config = await load_config(kubeconfig, context)    # or in_cluster_config()
    async with Client(config, registry=registry) as client:
        cm = await client.get(CONFIGMAPS, "name", "ns")
        items, rv = await client.list(PODS, "ns", label_selector="app=x")
        async with client.watch(PODS, "ns", resource_version=rv) as events:
            async for event_type, obj in events: ...

Verbs: get, list (paged), create, update, update_status, patch (merge, JSON,
strategic), apply (server-side), delete (preconditions, propagation), get_scale,
update_scale, watch. ``client.mapper`` maps (apiVersion, kind) to a ``Resource``;
``is_served(client.transport, resource)`` asks whether one is served right now.
Errors are typed (``NotFound``, ``Conflict``, ``Gone``, ``Invalid``...; predicates
``is_not_found`` etc.). QPS/burst and a per-request timeout come from ``RestConfig``;
``rest_client_requests_total`` goes to the ``CollectorRegistry`` passed in.
"""

from kruise.runtime.client.client import Client, Patch, PatchType
from kruise.runtime.client.config import (
    ConfigError,
    RestConfig,
    in_cluster_config,
    kubeconfig_config,
    load_config,
)
from kruise.runtime.client.credentials import (
    Credentials,
    ExecCredentials,
    StaticCredentials,
    TokenFileCredentials,
)
from kruise.runtime.client.discovery import NoKindMatch, RESTMapper, is_served
from kruise.runtime.client.errors import (
    AlreadyExists,
    ApiError,
    BadRequest,
    ClientError,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    InvalidPathSegment,
    NotFound,
    ServerError,
    Timeout,
    TooManyRequests,
    TransportError,
    Unauthorized,
    error_from_status,
    is_already_exists,
    is_bad_request,
    is_conflict,
    is_forbidden,
    is_gone,
    is_invalid,
    is_not_found,
    is_server_error,
    is_timeout,
    is_too_many_requests,
    is_unauthorized,
)
from kruise.runtime.client.ratelimit import TokenBucket
from kruise.runtime.client.resource import (
    BUILTIN_RESOURCES,
    CONFIGMAPS,
    CONTROLLER_REVISIONS,
    CUSTOM_RESOURCE_DEFINITIONS,
    DEPLOYMENTS,
    EVENTS,
    JOBS,
    LEASES,
    MUTATING_WEBHOOK_CONFIGURATIONS,
    NAMESPACES,
    NODES,
    PERSISTENT_VOLUME_CLAIMS,
    PODS,
    REPLICA_SETS,
    SECRETS,
    SERVICE_ACCOUNTS,
    SERVICES,
    STATEFUL_SETS,
    VALIDATING_WEBHOOK_CONFIGURATIONS,
    Resource,
    split_api_version,
)
from kruise.runtime.client.transport import Transport
from kruise.runtime.client.types import (
    KubeObject,
    ObjectList,
    ObjectMeta,
    OwnerReference,
    Status,
    StatusCause,
    WatchEvent,
)
from kruise.runtime.client.watch import WatchStream

__all__ = [
    "BUILTIN_RESOURCES",
    "CONFIGMAPS",
    "CONTROLLER_REVISIONS",
    "CUSTOM_RESOURCE_DEFINITIONS",
    "DEPLOYMENTS",
    "EVENTS",
    "JOBS",
    "LEASES",
    "MUTATING_WEBHOOK_CONFIGURATIONS",
    "NAMESPACES",
    "NODES",
    "PERSISTENT_VOLUME_CLAIMS",
    "PODS",
    "REPLICA_SETS",
    "SECRETS",
    "SERVICES",
    "SERVICE_ACCOUNTS",
    "STATEFUL_SETS",
    "VALIDATING_WEBHOOK_CONFIGURATIONS",
    "AlreadyExists",
    "ApiError",
    "BadRequest",
    "Client",
    "ClientError",
    "ConfigError",
    "Conflict",
    "Credentials",
    "ExecCredentials",
    "Forbidden",
    "Gone",
    "Invalid",
    "InvalidPathSegment",
    "KubeObject",
    "NoKindMatch",
    "NotFound",
    "ObjectList",
    "ObjectMeta",
    "OwnerReference",
    "Patch",
    "PatchType",
    "RESTMapper",
    "Resource",
    "RestConfig",
    "ServerError",
    "StaticCredentials",
    "Status",
    "StatusCause",
    "Timeout",
    "TokenBucket",
    "TokenFileCredentials",
    "TooManyRequests",
    "Transport",
    "TransportError",
    "Unauthorized",
    "WatchEvent",
    "WatchStream",
    "error_from_status",
    "in_cluster_config",
    "is_already_exists",
    "is_bad_request",
    "is_conflict",
    "is_forbidden",
    "is_gone",
    "is_invalid",
    "is_not_found",
    "is_served",
    "is_server_error",
    "is_timeout",
    "is_too_many_requests",
    "is_unauthorized",
    "kubeconfig_config",
    "load_config",
    "split_api_version",
]
