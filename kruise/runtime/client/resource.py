"""What the REST client needs to know about a kind: its group, version, plural and scope."""

from __future__ import annotations

from dataclasses import dataclass

from kruise.runtime.client.errors import InvalidPathSegment

_NOT_IN_A_SEGMENT = frozenset("/%?#")

# API groups compiled into kube-apiserver; strategic merge patch works only for their kinds.
BUILTIN_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "internal.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
        "storagemigration.k8s.io",
    }
)


def split_api_version(api_version: str) -> tuple[str, str]:
    """``"apps/v1"`` -> ``("apps", "v1")``; ``"v1"`` -> ``("", "v1")``."""
    group, _, version = api_version.rpartition("/")
    if not version:
        raise ValueError(f"invalid apiVersion {api_version!r}")
    return group, version


@dataclass(frozen=True)
class Resource:
    """A kind as the REST client addresses it; the constants in this module name the common ones."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        """``group/version``, or just the version for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def builtin(self) -> bool:
        """Whether the kind is compiled into kube-apiserver (strategic merge patch works for it)."""
        return self.group in BUILTIN_GROUPS

    def group_version_path(self) -> str:
        """``/apis/<group>/<version>``, or ``/api/<version>`` for the core group."""
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    def path(
        self, namespace: str | None = None, name: str | None = None, subresource: str | None = None
    ) -> str:
        """The URL path; ``namespace=None`` on a namespaced resource means all namespaces."""
        if namespace and not self.namespaced:
            raise ValueError(f"{self.plural} is cluster-scoped; no namespace expected")
        if subresource and not name:
            raise ValueError("a subresource needs an object name")
        parts = [self.group_version_path()]
        if namespace:
            parts.append(f"namespaces/{path_segment(namespace, 'namespace')}")
        parts.append(self.plural)
        if name:
            parts.append(path_segment(name, "name"))
        if subresource:
            parts.append(subresource)
        return "/".join(parts)


def path_segment(value: str, what: str) -> str:
    """``value`` if it can be one URL path segment, as client-go checks names; else
    ``InvalidPathSegment``."""
    if value in (".", "..") or _NOT_IN_A_SEGMENT.intersection(value):
        raise InvalidPathSegment(
            f"invalid {what} {value!r}: may not be '.' or '..' or contain '/', '%', '?' or '#'"
        )
    return value


def _core(plural: str, kind: str, namespaced: bool = True) -> Resource:
    return Resource("", "v1", plural, kind, namespaced)


PODS = _core("pods", "Pod")
CONFIGMAPS = _core("configmaps", "ConfigMap")
SECRETS = _core("secrets", "Secret")
SERVICES = _core("services", "Service")
SERVICE_ACCOUNTS = _core("serviceaccounts", "ServiceAccount")
PERSISTENT_VOLUME_CLAIMS = _core("persistentvolumeclaims", "PersistentVolumeClaim")
EVENTS = _core("events", "Event")
NAMESPACES = _core("namespaces", "Namespace", namespaced=False)
NODES = _core("nodes", "Node", namespaced=False)

LEASES = Resource("coordination.k8s.io", "v1", "leases", "Lease")
DEPLOYMENTS = Resource("apps", "v1", "deployments", "Deployment")
REPLICA_SETS = Resource("apps", "v1", "replicasets", "ReplicaSet")
STATEFUL_SETS = Resource("apps", "v1", "statefulsets", "StatefulSet")
CONTROLLER_REVISIONS = Resource("apps", "v1", "controllerrevisions", "ControllerRevision")
JOBS = Resource("batch", "v1", "jobs", "Job")
CUSTOM_RESOURCE_DEFINITIONS = Resource(
    "apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False
)
MUTATING_WEBHOOK_CONFIGURATIONS = Resource(
    "admissionregistration.k8s.io",
    "v1",
    "mutatingwebhookconfigurations",
    "MutatingWebhookConfiguration",
    False,
)
VALIDATING_WEBHOOK_CONFIGURATIONS = Resource(
    "admissionregistration.k8s.io",
    "v1",
    "validatingwebhookconfigurations",
    "ValidatingWebhookConfiguration",
    False,
)

BUILTIN_RESOURCES: tuple[Resource, ...] = (
    PODS,
    CONFIGMAPS,
    SECRETS,
    SERVICES,
    SERVICE_ACCOUNTS,
    PERSISTENT_VOLUME_CLAIMS,
    EVENTS,
    NAMESPACES,
    NODES,
    LEASES,
    DEPLOYMENTS,
    REPLICA_SETS,
    STATEFUL_SETS,
    CONTROLLER_REVISIONS,
    JOBS,
    CUSTOM_RESOURCE_DEFINITIONS,
    MUTATING_WEBHOOK_CONFIGURATIONS,
    VALIDATING_WEBHOOK_CONFIGURATIONS,
)
