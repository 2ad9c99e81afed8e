"""The StatefulSets every contender gets: an Advanced StatefulSet (v1beta1) for the
managers, a native ``apps/v1`` one for kube-controller-manager, with the pod template of
every benchmark (``scenarios.common.manifests``)."""

from __future__ import annotations

from typing import Any

from ..common.manifests import IMAGE, pod_template
from .plan import ASTS_API

INPLACE_READY = "InPlaceUpdateReady"


def statefulset(
    name: str,
    namespace: str,
    replicas: int,
    *,
    policy: str,
    inplace: bool = False,
    native: bool = False,
    image: str = IMAGE,
) -> dict[str, Any]:
    """A StatefulSet of ``replicas`` pods with ``podManagementPolicy: <policy>``.

    ``native``: ``apps/v1`` for kube-controller-manager, else an Advanced StatefulSet.
    ``inplace`` (Advanced only): the in-place rolling update (``InPlaceIfPossible``,
    ``maxUnavailable: 50%``) and the ``InPlaceUpdateReady`` readiness gate that OpenKruise's
    admission requires of it."""
    if inplace and native:
        raise ValueError("a native StatefulSet has no in-place update")
    template = pod_template(name, image, bench="statefulset")
    spec: dict[str, Any] = {
        "replicas": replicas,
        "serviceName": name,
        "podManagementPolicy": policy,
        "selector": {"matchLabels": {"app": name}},
        "template": template,
    }
    if inplace:
        template["spec"]["readinessGates"] = [{"conditionType": INPLACE_READY}]
        spec["updateStrategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"podUpdatePolicy": "InPlaceIfPossible", "maxUnavailable": "50%"},
        }
    return {
        "apiVersion": "apps/v1" if native else ASTS_API,
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }
