"""Is the webhook reachable with the CA we gave the API server?

A probe gets the CA certificate (PEM) the controller injected and raises when the
webhook cannot be reached through it. The default one asks the local server's
``/healthz`` over HTTPS, trusting only that CA, as OpenKruise's health checker does.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable

import aiohttp

ServingProbe = Callable[[bytes], Awaitable[None]]
PROBE_TIMEOUT = 3.0


def https_probe(
    port: int, host: str = "localhost", path: str = "/healthz", timeout: float = PROBE_TIMEOUT
) -> ServingProbe:
    """A probe that GETs ``https://host:port/path`` and wants a 200."""
    url = f"https://{host}:{port}{path}"

    async def probe(ca_pem: bytes) -> None:
        context = ssl.create_default_context(cadata=ca_pem.decode())
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=client_timeout) as session,
                session.get(url, ssl=context) as response,
            ):
                if response.status != 200:
                    raise WebhookNotServing(f"GET {url} answered {response.status}")
        except aiohttp.ClientError as err:
            raise WebhookNotServing(f"GET {url} failed: {err}") from err
        except TimeoutError as err:
            raise WebhookNotServing(f"GET {url} timed out after {timeout}s") from err

    return probe


class WebhookNotServing(Exception):
    """The webhook cannot be reached with our CA."""
