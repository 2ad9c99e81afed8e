"""The objects every contender gets: the pod template, the CloneSet (in both API
versions) and the Deployment of kcm-replicaset. (OpenKruise's CRDs and webhook
configurations are made in ``support.managers``.)"""

from __future__ import annotations

from typing import Any

from ..common.manifests import IMAGE, pod_template
from .plan import CLONESET_API

__all__ = ["cloneset", "deployment", "pod_template"]


def cloneset(
    name: str,
    namespace: str,
    replicas: int,
    *,
    image: str = IMAGE,
    inplace: bool = False,
    api_version: str = CLONESET_API,
) -> dict[str, Any]:
    """A CloneSet; ``inplace``: ``{type: InPlaceIfPossible, maxUnavailable: 50%}``, which
    v1beta1 spells ``{type: RollingUpdate, rollingUpdate: {podUpdatePolicy: ...}}``."""
    spec: dict[str, Any] = {
        "replicas": replicas,
        "selector": {"matchLabels": {"app": name}},
        "template": pod_template(name, image),
    }
    if inplace and api_version.endswith("/v1alpha1"):
        spec["updateStrategy"] = {"type": "InPlaceIfPossible", "maxUnavailable": "50%"}
    elif inplace:
        spec["updateStrategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible", "maxUnavailable": "50%"},
        }
    return {
        "apiVersion": api_version,
        "kind": "CloneSet",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def deployment(name: str, namespace: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": pod_template(name),
        },
    }
