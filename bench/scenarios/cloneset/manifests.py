"""The objects every contender gets: the pod template, the CloneSet (in both API
versions), the Deployment of kcm-replicaset, and OpenKruise's CRDs and webhook
configurations as its kustomization would make them."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .plan import CLONESET_API, IMAGE


def pod_template(app: str, image: str = IMAGE) -> dict[str, Any]:
    """The pod template of every contender's pods (a web server's, kept small)."""
    return {
        "metadata": {"labels": {"app": app, "bench": "cloneset"}},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": image,
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "env": [{"name": "APP_ENV", "value": "bench"}],
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                }
            ],
            "terminationGracePeriodSeconds": 0,
        },
    }


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


def openkruise_webhook_configs(
    manifests: Sequence[dict[str, Any]], patches: Sequence[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """OpenKruise's webhook configurations as its kustomization makes them: the name
    prefixed with ``kruise-`` and each webhook merged with its entry of
    ``patch_manifests.yaml`` (namespace and object selectors). The manager fills in the
    caBundle and, with WEBHOOK_HOST set, a URL instead of the Service."""
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for patch in patches:
        kind = str(patch.get("kind"))
        for webhook in patch.get("webhooks") or []:
            by_name[(kind, webhook["name"])] = webhook
    configs = []
    for doc in manifests:
        kind = str(doc.get("kind"))
        if kind not in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            continue
        config = copy.deepcopy(doc)
        name = config["metadata"]["name"]
        if not name.startswith("kruise-"):
            config["metadata"]["name"] = f"kruise-{name}"
        for webhook in config.get("webhooks") or []:
            extra = by_name.get((kind, webhook["name"])) or {}
            webhook.update({k: copy.deepcopy(v) for k, v in extra.items() if k != "name"})
        configs.append(config)
    return configs


def openkruise_crds(
    crds: Sequence[dict[str, Any]],
    kustomization: dict[str, Any],
    patches: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """OpenKruise's CRDs as its kustomization makes them: the CRDs whose
    ``webhook_in_*`` patch it lists get a conversion webhook (``spec.conversion``), which
    the manager then points at itself (URL and caBundle)."""
    listed = {Path(str(p)).name for p in kustomization.get("patchesStrategicMerge") or []}
    conversions = {
        patch["metadata"]["name"]: patch["spec"]["conversion"]
        for patch in patches
        if patch.get("kind") == "CustomResourceDefinition"
        and (patch.get("spec") or {}).get("conversion")
        and f"webhook_in_{patch['metadata']['name'].split('.')[0]}.yaml" in listed
    }
    out = []
    for crd in crds:
        patched = copy.deepcopy(crd)
        if patched["metadata"]["name"] in conversions:
            patched["spec"]["conversion"] = copy.deepcopy(conversions[patched["metadata"]["name"]])
        out.append(patched)
    return out
