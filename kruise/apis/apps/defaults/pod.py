"""Pod-spec and claim-template defaults, as OpenKruise v0.7.0's webhooks apply them.

These are Kubernetes 1.16's defaults for the parts of a pod spec a template carries, with
one Kruise rule: an app container without ``imagePullPolicy`` gets ``Always`` whatever its
tag, so that an in-place image update always pulls. Init containers keep Kubernetes' rule
(``Always`` for ``:latest`` or no tag, else ``IfNotPresent``).

Filled, when unset: ``dnsPolicy`` ClusterFirst, ``restartPolicy`` Always,
``securityContext`` {}, ``terminationGracePeriodSeconds`` 30, ``schedulerName``
default-scheduler; with ``hostNetwork``, each port's ``hostPort`` from its
``containerPort``; per container ``terminationMessagePath`` /dev/termination-log,
``terminationMessagePolicy`` File, port ``protocol`` TCP, env ``fieldRef.apiVersion`` v1,
probe ``timeoutSeconds`` 1, ``periodSeconds`` 10, ``successThreshold`` 1,
``failureThreshold`` 3, and ``httpGet`` (probes and lifecycle hooks) ``path`` / and
``scheme`` HTTP; per volume an ``emptyDir`` when it names no source, ``hostPath.type`` "",
``defaultMode`` 0644 (420) for secret, configMap, downwardAPI and projected volumes,
``fieldRef.apiVersion`` v1 in downward-API items, and ``expirationSeconds`` 3600 for
projected service-account tokens. Claim templates get ``spec.volumeMode`` Filesystem and
``status.phase`` Pending.

Resource quantities are kept as written (Kubernetes rounds them to milli-units; the API
server does so again for every pod it stores).
"""

from __future__ import annotations

import re
from typing import Any

from kruise.apis.apps.defaults._fill import each, existing, fill, fill_zero, member, zero

DEFAULT_MODE = 0o644
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_PROBE_DEFAULTS = (
    ("timeoutSeconds", 1),
    ("periodSeconds", 10),
    ("successThreshold", 1),
    ("failureThreshold", 3),
)
# Docker reference grammar, loosely: an optional registry host, lower-case path components,
# then an optional tag and digest.
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"\w[\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")


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
    host_network = spec.get("hostNetwork") is True
    for container in each(spec, "initContainers"):
        if zero(container, "imagePullPolicy"):
            container["imagePullPolicy"] = _kubernetes_pull_policy(container.get("image"))
        _default_container(container, host_network)
    for container in each(spec, "containers"):
        fill_zero(container, "imagePullPolicy", "Always")
        _default_container(container, host_network)
    for volume in each(spec, "volumes"):
        _default_volume(volume)


def default_claim_template(claim: dict[str, Any]) -> None:
    spec = member(claim, "spec")
    if spec is not None:
        fill(spec, "volumeMode", "Filesystem")
    status = member(claim, "status")
    if status is not None:
        fill_zero(status, "phase", "Pending")


def default_claim_templates(spec: dict[str, Any]) -> None:
    for claim in each(spec, "volumeClaimTemplates"):
        default_claim_template(claim)


def _kubernetes_pull_policy(image: object) -> str:
    """Always for an image that resolves to the ``latest`` tag, else IfNotPresent (also for
    a reference that does not parse, as Kubernetes does)."""
    parsed = _parse_reference(image)
    if parsed is None:
        return "IfNotPresent"
    tag, digest = parsed
    return "Always" if tag == "latest" or (not tag and not digest) else "IfNotPresent"


def _parse_reference(image: object) -> tuple[str, str] | None:
    """The tag and digest of an image reference ("" when absent); None if it is malformed."""
    if not isinstance(image, str):
        return None
    name, _, digest = image.partition("@")
    if digest and not _DIGEST.fullmatch(digest):
        return None
    head, _, last = name.rpartition("/")
    last, _, tag = last.partition(":")
    if tag and not _TAG.fullmatch(tag):
        return None
    parts = [*head.split("/"), last] if head else [last]
    first = parts[0]
    if len(parts) > 1 and ("." in first or ":" in first or first == "localhost"):
        parts = parts[1:]  # a registry host: its own rules, not checked here
    if not all(_COMPONENT.fullmatch(p) for p in parts):
        return None
    return tag, digest


def _default_container(container: dict[str, Any], host_network: bool) -> None:
    fill_zero(container, "terminationMessagePath", "/dev/termination-log")
    fill_zero(container, "terminationMessagePolicy", "File")
    for port in each(container, "ports"):
        fill_zero(port, "protocol", "TCP")
        if host_network and zero(port, "hostPort") and port.get("containerPort") is not None:
            port["hostPort"] = port["containerPort"]
    for env in each(container, "env"):
        _default_field_ref(existing(env, "valueFrom"))
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
    if all(value is None for key, value in volume.items() if key != "name"):
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
