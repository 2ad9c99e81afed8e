"""Pod-spec and claim-template defaults, as OpenKruise v1.9.0's webhooks apply them.

These are OpenKruise's ``SetDefaultPodSpec``: a chosen subset of Kubernetes 1.32's pod
defaults, with one Kruise rule: an app container without ``imagePullPolicy`` gets
``Always`` whatever its tag, so that an in-place image update always pulls. Init
containers keep Kubernetes' rule (``Always`` for ``:latest`` or no tag, else
``IfNotPresent``).

Filled, when unset: ``dnsPolicy`` ClusterFirst, ``restartPolicy`` Always,
``securityContext`` {}, ``terminationGracePeriodSeconds`` 30, ``schedulerName``
default-scheduler. Per app and init container: ``imagePullPolicy``,
``terminationMessagePath`` /dev/termination-log, ``terminationMessagePolicy`` File. Per
app, init and ephemeral container: port ``protocol`` TCP, env ``fieldRef.apiVersion`` v1,
liveness, readiness and startup probe ``timeoutSeconds`` 1, ``periodSeconds`` 10,
``successThreshold`` 1, ``failureThreshold`` 3, ``httpGet`` (probes and lifecycle hooks)
``path`` / and ``scheme`` HTTP, and resource requests and limits rounded up to
milli-units (as is ``overhead``). Per volume: an ``emptyDir`` when it names no source,
``hostPath.type`` "", ``defaultMode`` 0644 (420) for secret, configMap, downwardAPI and
projected volumes, ``fieldRef.apiVersion`` v1 in downward-API items (projected ones too),
and ``expirationSeconds`` 3600 for projected service-account tokens.

Not defaulted, as in OpenKruise v1.9.0: ``hostPort`` under ``hostNetwork`` (its
DefaultHostNetworkHostPortsInPodTemplates gate is off), ``enableServiceLinks``, the
iSCSI, RBD, AzureDisk, ScaleIO and other volume-source fields (Kubernetes defaults them
on the pods it creates, not in templates), ``imagePullPolicy`` of ephemeral containers.

Claim templates get ``status.phase`` Pending and their quantities rounded the same way;
not ``volumeMode``.
"""

from __future__ import annotations

from typing import Any

from kruise.apis.apps.defaults._fill import each, existing, fill, fill_zero, member
from kruise.apis.apps.defaults.gotypes_data import TYPES
from kruise.apis.apps.defaults.image import init_container_pull_policy
from kruise.apis.apps.defaults.quantity import MILLI, go_quantity

DEFAULT_MODE = 0o644
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_PROBE_DEFAULTS = (
    ("timeoutSeconds", 1),
    ("periodSeconds", 10),
    ("successThreshold", 1),
    ("failureThreshold", 3),
)
# The fields of a VolumeSource: a volume that sets none of them gets an emptyDir.
_VOLUME_SOURCES = tuple(name for name, _, _ in TYPES["core/v1.Volume"] if name != "name")


def default_pod_template(parent: dict[str, Any], key: str = "template") -> None:
    """Default the pod template at ``parent[key]``, creating it (and its spec) if unset."""
    template = member(parent, key)
    if template is not None:
        spec = member(template, "spec")
        if spec is not None:
            default_pod_spec(spec)


def default_pod_spec(spec: dict[str, Any]) -> None:
    fill_zero(spec, "dnsPolicy", "ClusterFirst")
    fill_zero(spec, "restartPolicy", "Always")
    fill(spec, "securityContext", {})
    fill(spec, "terminationGracePeriodSeconds", 30)
    fill_zero(spec, "schedulerName", "default-scheduler")
    for volume in each(spec, "volumes"):
        _default_volume(volume)
    for container in each(spec, "initContainers"):
        fill_zero(container, "imagePullPolicy", init_container_pull_policy(container.get("image")))
        _default_kubernetes_container(container)
        _default_container(container)
    for container in each(spec, "containers"):
        fill_zero(container, "imagePullPolicy", "Always")
        _default_kubernetes_container(container)
        _default_container(container)
    for container in each(spec, "ephemeralContainers"):
        _default_container(container)
    round_up_quantities(existing(spec, "overhead"))


def default_claim_template(claim: dict[str, Any]) -> None:
    status = member(claim, "status")
    if status is not None:
        fill_zero(status, "phase", "Pending")
        round_up_quantities(existing(status, "capacity"))
    resources = existing(existing(claim, "spec") or {}, "resources")
    if resources is not None:
        round_up_quantities(existing(resources, "limits"))
        round_up_quantities(existing(resources, "requests"))


def default_claim_templates(spec: dict[str, Any]) -> None:
    for claim in each(spec, "volumeClaimTemplates"):
        default_claim_template(claim)


def round_up_quantities(resources: dict[str, Any] | None) -> None:
    """``SetDefaults_ResourceList``: each quantity rounded up to milli-units. A quantity
    the rounding changes is rewritten as Go writes it; the others stay as they are."""
    if resources is None:
        return
    for name, raw in list(resources.items()):
        quantity = go_quantity(raw)
        if quantity is None:
            continue
        rounded = quantity.round_up(MILLI)
        if rounded.value != quantity.value:
            resources[name] = str(rounded)


def _default_kubernetes_container(container: dict[str, Any]) -> None:
    """``SetDefaults_Container`` after the pull policy (filled by the caller)."""
    fill_zero(container, "terminationMessagePath", "/dev/termination-log")
    fill_zero(container, "terminationMessagePolicy", "File")


def _default_container(container: dict[str, Any]) -> None:
    """What OpenKruise defaults in every container, ephemeral ones included."""
    for port in each(container, "ports"):
        fill_zero(port, "protocol", "TCP")
    for env in each(container, "env"):
        _default_field_ref(existing(env, "valueFrom"))
    resources = existing(container, "resources")
    if resources is not None:
        round_up_quantities(existing(resources, "limits"))
        round_up_quantities(existing(resources, "requests"))
    for name in _PROBES:
        probe = existing(container, name)
        if probe is not None:
            for field, value in _PROBE_DEFAULTS:
                fill_zero(probe, field, value)
            _default_http_get(existing(probe, "httpGet"))
    lifecycle = existing(container, "lifecycle")
    if lifecycle is not None:
        for hook in ("postStart", "preStop"):
            _default_http_get(existing(existing(lifecycle, hook) or {}, "httpGet"))


def _default_http_get(action: dict[str, Any] | None) -> None:
    if action is not None:
        fill_zero(action, "path", "/")
        fill_zero(action, "scheme", "HTTP")


def _default_field_ref(holder: dict[str, Any] | None) -> None:
    ref = existing(holder or {}, "fieldRef")
    if ref is not None:
        fill_zero(ref, "apiVersion", "v1")


def _default_volume(volume: dict[str, Any]) -> None:
    if all(volume.get(source) is None for source in _VOLUME_SOURCES):
        volume["emptyDir"] = {}
    host_path = existing(volume, "hostPath")
    if host_path is not None:
        fill(host_path, "type", "")
    for kind in ("secret", "configMap"):
        found = existing(volume, kind)
        if found is not None:
            fill(found, "defaultMode", DEFAULT_MODE)
    downward = existing(volume, "downwardAPI")
    if downward is not None:
        fill(downward, "defaultMode", DEFAULT_MODE)
        for item in each(downward, "items"):
            _default_field_ref(item)
    projected = existing(volume, "projected")
    if projected is not None:
        _default_projected_volume(projected)


def _default_projected_volume(projected: dict[str, Any]) -> None:
    fill(projected, "defaultMode", DEFAULT_MODE)
    for source in each(projected, "sources"):
        for item in each(existing(source, "downwardAPI") or {}, "items"):
            _default_field_ref(item)
        token = existing(source, "serviceAccountToken")
        if token is not None:
            fill(token, "expirationSeconds", 3600)
