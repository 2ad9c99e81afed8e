"""Realistic pods for the informer benchmark, and a concurrent creator.

Each pod looks like one a Deployment of a web service would make: labels, a few
annotations, an app container and a log-shipping sidecar with env vars, resources, a
port, volume mounts and a readiness probe, two volumes, a toleration and a nodeSelector.
Created with a ``fieldManager``, the API server adds a managedFields entry listing every
field it set (defaults included), so a pod comes back as about 4 KB of JSON, nearly half
of it managedFields.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from kruise.runtime.client import NAMESPACES, PODS, Client, is_already_exists

FIELD_MANAGER = "kruise-bench"
NAMESPACE_PREFIX = "bench-"


def namespace_name(index: int) -> str:
    return f"{NAMESPACE_PREFIX}{index}"


def pod(index: int, namespaces: int) -> dict[str, Any]:
    """The ``index``-th pod, spread round-robin over ``namespaces`` namespaces."""
    app = f"web-{index % 50}"
    revision = f"{index % 7:x}7d9c5b8f"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{app}-{revision}-{index:06d}",
            "namespace": namespace_name(index % namespaces),
            "labels": {"app": app, "pod-template-hash": revision, "tier": "frontend"},
            "annotations": {
                "prometheus.io/scrape": "true",
                "checksum/config": f"{index * 2654435761 % 2**64:016x}",
            },
        },
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "example.com/shop/web:1.24.3",
                    "env": [
                        {"name": "APP_ENV", "value": "production"},
                        {
                            "name": "POD_IP",
                            "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}},
                        },
                    ],
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "resources": {
                        "requests": {"cpu": "250m", "memory": "256Mi"},
                        "limits": {"memory": "512Mi"},
                    },
                    "volumeMounts": [{"name": "config", "mountPath": "/etc/web"}],
                    "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}},
                },
                {
                    "name": "log-shipper",
                    "image": "example.com/log-shipper:3.1",
                    "env": [{"name": "SHIP_TO", "value": "logs:24224"}],
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
                    "volumeMounts": [{"name": "logs", "mountPath": "/var/log/app"}],
                },
            ],
            "volumes": [
                {"name": "config", "configMap": {"name": f"{app}-config"}},
                {"name": "logs", "emptyDir": {}},
            ],
            "nodeSelector": {"pool": "web"},
            "tolerations": [
                {
                    "key": "dedicated",
                    "operator": "Equal",
                    "value": "web",
                    "effect": "NoSchedule",
                }
            ],
        },
    }


async def create_pods(
    client: Client, count: int, namespaces: int, concurrency: int = 32
) -> tuple[float, int]:
    """Create the namespaces and ``count`` pods; returns (seconds, bytes of one pod as
    the server returned it). Pods that exist already are left alone."""
    for index in range(namespaces):
        try:
            await client.create(NAMESPACES, {"metadata": {"name": namespace_name(index)}})
        except Exception as err:
            if not is_already_exists(err):
                raise
    sizes: list[int] = []
    next_index = 0
    started = time.perf_counter()

    async def creator() -> None:
        nonlocal next_index
        while next_index < count:
            index = next_index
            next_index += 1
            try:
                created = await client.create(
                    PODS, pod(index, namespaces), field_manager=FIELD_MANAGER
                )
            except Exception as err:
                if not is_already_exists(err):
                    raise
                continue
            if not sizes:
                sizes.append(len(json.dumps(created, separators=(",", ":"))))

    await asyncio.gather(*(creator() for _ in range(concurrency)))
    return time.perf_counter() - started, sizes[0] if sizes else 0
