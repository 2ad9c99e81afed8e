"""``/metrics`` over HTTP for one registry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest


def metrics_app(registry: CollectorRegistry, middlewares: Iterable[Any] = ()) -> web.Application:
    """An aiohttp app serving ``registry`` on ``/metrics`` in the Prometheus text format;
    ``middlewares`` (such as ``auth_middleware``) run before the registry is read."""

    async def handle(_: web.Request) -> web.Response:
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application(middlewares=list(middlewares))
    app.router.add_get("/metrics", handle)
    return app
