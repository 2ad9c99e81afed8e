"""Pod templates: the checks that catch a template whose pods could never be created.

This is a subset of Kubernetes' pod validation, chosen so that mistakes surface when the
workload is written rather than as failed pod creations later: template labels and
annotations, containers present and uniquely named, image names without stray spaces,
known pull, restart, DNS and termination-message policies, port numbers and protocols,
volumes uniquely named, and volume mounts that name a volume (or a claim template). The API
server still validates every pod in full when a controller creates it.

Enumerated fields are checked only when set: the mutating webhooks fill them, and a template
that reaches validation without defaults is judged on what it says.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kruise.apis.apps.validation import names
from kruise.apis.apps.validation._json import is_int, items, obj, string
from kruise.apis.apps.validation.field import (
    ErrorList,
    Path,
    duplicate,
    invalid,
    not_found,
    not_supported,
    required,
)
from kruise.apis.apps.validation.meta import NEGATIVE, validate_annotations, validate_labels

MAX_INT32 = 2**31 - 1
RESTART_POLICIES = ("Always", "OnFailure", "Never")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
PROTOCOLS = ("SCTP", "TCP", "UDP")


def validate_pod_template(
    template: object, at: Path, *, claim_names: Iterable[str] = ()
) -> ErrorList:
    """A PodTemplateSpec at ``at``; ``claim_names`` are volume names that claim templates
    provide (a CloneSet's or StatefulSet's volumeClaimTemplates)."""
    if not isinstance(template, dict):
        return [required(at)] if template is None else [invalid(at, template, "must be an object")]
    metadata = obj(template.get("metadata"))
    errors: ErrorList = []
    # Paths are made only for what is there to check.
    if (labels := metadata.get("labels")) is not None:
        errors += validate_labels(labels, at.child("metadata", "labels"))
    if (annotations := metadata.get("annotations")) is not None:
        errors += validate_annotations(annotations, at.child("metadata", "annotations"))
    errors += validate_pod_spec(template.get("spec"), at.child("spec"), claim_names=claim_names)
    return errors


def validate_pod_spec(spec: object, at: Path, *, claim_names: Iterable[str] = ()) -> ErrorList:
    if not isinstance(spec, dict):
        return [required(at)] if spec is None else [invalid(at, spec, "must be an object")]
    errors, volumes = _volumes(spec.get("volumes"), at, "volumes")
    volumes |= set(claim_names)

    container_names: set[str] = set()
    init = spec.get("initContainers")
    if init is not None:
        errors += _containers(init, at.child("initContainers"), volumes, container_names)
    containers = spec.get("containers")
    if not containers:
        errors.append(required(at.child("containers")))
    else:
        errors += _containers(containers, at.child("containers"), volumes, container_names)

    errors += _one_of(spec.get("restartPolicy"), at, "restartPolicy", RESTART_POLICIES)
    errors += _one_of(spec.get("dnsPolicy"), at, "dnsPolicy", DNS_POLICIES)
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is not None and (not is_int(grace) or grace < 0):
        errors.append(invalid(at.child("terminationGracePeriodSeconds"), grace, NEGATIVE))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and (not is_int(deadline) or not 1 <= deadline <= MAX_INT32):
        errors.append(
            invalid(
                at.child("activeDeadlineSeconds"),
                deadline,
                f"must be between 1 and {MAX_INT32}, inclusive",
            )
        )
    return errors


def _volumes(volumes: object, parent: Path, field: str) -> tuple[ErrorList, set[str]]:
    """The volumes at ``parent.field``, their errors and their names."""
    if volumes is not None and not isinstance(volumes, list):
        return [invalid(parent.child(field), volumes, "must be a list")], set()
    errors: ErrorList = []
    seen: set[str] = set()
    for i, volume in enumerate(items(volumes)):
        name = obj(volume).get("name")
        if not name or not isinstance(name, str):
            errors.append(required(parent.child(field).index(i).child("name")))
            continue
        problems = names.dns1123_label(name)
        if problems or name in seen:
            here = parent.child(field).index(i).child("name")
            errors += [invalid(here, name, msg) for msg in problems]
            if name in seen:
                errors.append(duplicate(here, name))
        seen.add(name)
    return errors, seen


def _containers(containers: object, at: Path, volumes: set[str], seen_names: set[str]) -> ErrorList:
    if containers is None:
        return []
    if not isinstance(containers, list):
        return [invalid(at, containers, "must be a list")]
    errors: ErrorList = []
    for i, item in enumerate(containers):
        if not isinstance(item, dict):
            errors.append(invalid(at.index(i), item, "must be an object"))
            continue
        errors += _container(item, at.index(i), volumes, seen_names)
    return errors


def _container(container: dict[str, Any], at: Path, volumes: set[str], seen: set[str]) -> ErrorList:
    errors: ErrorList = []
    name = container.get("name")
    if not name or not isinstance(name, str):
        errors.append(required(at.child("name")))
    else:
        errors += [invalid(at.child("name"), name, msg) for msg in names.dns1123_label(name)]
        if name in seen:
            errors.append(duplicate(at.child("name"), name))
        seen.add(name)
    image = container.get("image")
    if image is not None and (not isinstance(image, str) or image != image.strip()):
        errors.append(
            invalid(at.child("image"), image, "must not have leading or trailing whitespace")
        )
    errors += _one_of(container.get("imagePullPolicy"), at, "imagePullPolicy", PULL_POLICIES)
    errors += _one_of(
        container.get("terminationMessagePolicy"),
        at,
        "terminationMessagePolicy",
        TERMINATION_MESSAGE_POLICIES,
    )
    errors += _ports(container.get("ports"), at)
    errors += _mounts(container.get("volumeMounts"), at, volumes)
    return errors


def _ports(ports: object, container: Path) -> ErrorList:
    errors: ErrorList = []
    for j, port in enumerate(items(ports)):
        number = obj(port).get("containerPort")
        if not is_int(number) or not 1 <= number <= 65535:
            errors.append(
                invalid(
                    container.child("ports").index(j).child("containerPort"),
                    number,
                    "must be between 1 and 65535, inclusive",
                )
            )
        protocol = obj(port).get("protocol")
        if protocol is not None and protocol != "" and protocol not in PROTOCOLS:
            at = container.child("ports").index(j).child("protocol")
            errors.append(not_supported(at, protocol, PROTOCOLS))
    return errors


def _mounts(mounts: object, container: Path, volumes: set[str]) -> ErrorList:
    errors: ErrorList = []
    for j, mount in enumerate(items(mounts)):
        volume = obj(mount).get("name")
        if not volume or not isinstance(volume, str):
            errors.append(required(container.child("volumeMounts").index(j).child("name")))
        elif volume not in volumes:
            errors.append(not_found(container.child("volumeMounts").index(j).child("name"), volume))
        if not string(obj(mount).get("mountPath")):
            errors.append(required(container.child("volumeMounts").index(j).child("mountPath")))
    return errors


def _one_of(value: object, parent: Path, field: str, allowed: tuple[str, ...]) -> ErrorList:
    """An optional enumerated string at ``parent.field``: checked only when set."""
    if value is None or value == "" or value in allowed:
        return []
    return [not_supported(parent.child(field), value, allowed)]
