"""Valid, defaulted sample objects of each kind, and a way to change one field of them."""

from __future__ import annotations

import copy
import re
from typing import Any

from kruise.apis.apps.defaults import (
    default_advancedcronjob,
    default_broadcastjob,
    default_cloneset,
    default_statefulset,
)
from kruise.apis.apps.validation.field import FieldError

NS = "default"
UID = "6c1f0a52-0000-4000-8000-000000000001"

_LABELS = {"app": "demo"}
_POD = {
    "metadata": {"labels": dict(_LABELS)},
    "spec": {"containers": [{"name": "main", "image": "nginx:1.19"}]},
}


def cloneset() -> dict[str, Any]:
    return default_cloneset(
        {
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "CloneSet",
            "metadata": {"name": "demo", "namespace": NS, "uid": UID},
            "spec": {
                "replicas": 5,
                "selector": {"matchLabels": dict(_LABELS)},
                "template": copy.deepcopy(_POD),
            },
        }
    )


def statefulset() -> dict[str, Any]:
    return default_statefulset(
        {
            "apiVersion": "apps.kruise.io/v1beta1",
            "kind": "StatefulSet",
            "metadata": {"name": "demo", "namespace": NS, "uid": UID},
            "spec": {
                "replicas": 3,
                "serviceName": "demo",
                "selector": {"matchLabels": dict(_LABELS)},
                "template": copy.deepcopy(_POD),
            },
        }
    )


def broadcastjob() -> dict[str, Any]:
    pod = copy.deepcopy(_POD)
    pod["spec"]["restartPolicy"] = "Never"
    return default_broadcastjob(
        {
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "BroadcastJob",
            "metadata": {"name": "demo", "namespace": NS},
            "spec": {"template": pod},
        }
    )


def advancedcronjob(template: str = "jobTemplate") -> dict[str, Any]:
    pod = copy.deepcopy(_POD)
    pod["spec"]["restartPolicy"] = "OnFailure"
    return default_advancedcronjob(
        {
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "AdvancedCronJob",
            "metadata": {"name": "demo", "namespace": NS},
            "spec": {
                "schedule": "*/5 * * * *",
                "template": {template: {"spec": {"template": pod}}},
            },
        }
    )


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def with_field(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``obj`` with the field at ``path`` (``a.b[0].c``) set to ``value``, or
    removed when ``value`` is ``DELETE``; missing objects on the way are created, and an
    index one past the end of a list appends."""
    out = copy.deepcopy(obj)
    keys: list[str | int] = [int(index) if index else name for name, index in _TOKEN.findall(path)]
    node: Any = out
    for key in keys[:-1]:
        if isinstance(key, str) and node.get(key) is None:
            node[key] = {}
        node = node[key]
    last = keys[-1]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list) and last == len(node):
        node.append(value)
    else:
        node[last] = value
    return out


DELETE: Any = object()


def messages(errors: list[FieldError]) -> list[str]:
    return [str(e) for e in errors]
