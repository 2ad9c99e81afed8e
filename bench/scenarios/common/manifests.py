"""The pod template every contender's pods get: a small web server's (one container, a
port, an env var, requests), the same for every workload kind."""

from __future__ import annotations

from typing import Any

IMAGE = "example.com/bench/web:1.0"
NEW_IMAGE = "example.com/bench/web:2.0"


def pod_template(app: str, image: str = IMAGE, *, bench: str = "cloneset") -> dict[str, Any]:
    """The pod template, labelled ``app: <app>`` and ``bench: <bench>``."""
    return {
        "metadata": {"labels": {"app": app, "bench": bench}},
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
