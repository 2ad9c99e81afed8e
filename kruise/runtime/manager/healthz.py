"""Liveness and readiness endpoints with named checks, answered the way Kubernetes does.

``/healthz`` and ``/readyz`` run every check of their kind; ``/readyz/<name>`` runs one;
``?exclude=<name>`` skips one; ``?verbose`` lists each check even when all pass. A check
is an async callable that returns nothing when healthy and raises when not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

Checker = Callable[[], Awaitable[None]]
CHECK_TIMEOUT = 5.0


class HealthChecks:
    """The named liveness and readiness checks of a manager, and the HTTP app serving them."""

    def __init__(self) -> None:
        self.liveness: dict[str, Checker] = {}
        self.readiness: dict[str, Checker] = {}

    def add_healthz(self, name: str, check: Checker) -> None:
        """Add a liveness check (``/healthz``); a name already used is replaced."""
        self.liveness[name] = check

    def add_readyz(self, name: str, check: Checker) -> None:
        """Add a readiness check (``/readyz``); a name already used is replaced."""
        self.readiness[name] = check

    def app(self) -> web.Application:
        """An aiohttp app answering ``/healthz`` and ``/readyz``; each check gets 5 seconds."""
        app = web.Application()
        for path, checks in (("/healthz", self.liveness), ("/readyz", self.readiness)):
            app.router.add_get(path, self._handler(checks))
            app.router.add_get(path + "/{name}", self._single_handler(checks))
        return app

    @staticmethod
    async def _run(name: str, check: Checker) -> str | None:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await check()
        except Exception as err:  # a failing check is an answer, not a crash
            return str(err) or type(err).__name__
        return None

    def _handler(
        self, checks: dict[str, Checker]
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            excluded = set(request.query.getall("exclude", []))
            selected = {n: c for n, c in checks.items() if n not in excluded}
            results = await asyncio.gather(*(self._run(n, c) for n, c in selected.items()))
            failures = {n: r for n, r in zip(selected, results, strict=True) if r is not None}
            verbose = "verbose" in request.query
            if not failures and not verbose:
                return web.Response(text="ok")
            lines = [
                f"[-]{name} failed: {failures[name]}" if name in failures else f"[+]{name} ok"
                for name in selected
            ]
            verdict = "failed" if failures else "passed"
            lines.append(f"{request.path} check {verdict}")
            return web.Response(text="\n".join(lines) + "\n", status=500 if failures else 200)

        return handle

    def _single_handler(
        self, checks: dict[str, Checker]
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            name = request.match_info["name"]
            check = checks.get(name)
            if check is None:
                raise web.HTTPNotFound(text=f"no check named {name}\n")
            failure = await self._run(name, check)
            if failure is None:
                return web.Response(text="ok")
            return web.Response(text=f"[-]{name} failed: {failure}\n", status=500)

        return handle
