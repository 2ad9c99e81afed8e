"""Where the Authorization header comes from, and how it is renewed after a 401."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Protocol

from kruise.runtime.clock import Clock, RealClock

# client-go's cached file token source re-reads the projected token once a minute.
TOKEN_FILE_PERIOD = 60.0


class Credentials(Protocol):
    """Where a ``Transport`` gets the Authorization header of each request."""

    async def authorization(self) -> str | None:
        """The Authorization header value to send now, e.g. ``"Bearer <token>"``."""
        ...

    async def refresh(self) -> bool:
        """Renew after a 401; True when the header changed and the request is worth retrying."""
        ...


class StaticCredentials:
    """A fixed header value (a kubeconfig token, basic auth or an auth-provider token)."""

    def __init__(self, header: str) -> None:
        self._header = header

    async def authorization(self) -> str | None:
        """The header given to the constructor."""
        return self._header

    async def refresh(self) -> bool:
        """Always False: a fixed value cannot be renewed."""
        return False


class TokenFileCredentials:
    """A bearer token read from a file (a service account's projected token), re-read
    every ``period`` seconds and at once after a 401."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        period: float = TOKEN_FILE_PERIOD,
        clock: Clock | None = None,
    ) -> None:
        self.path = Path(path)
        self.period = period
        self._clock = clock or RealClock()
        self._token = self._read()
        self._read_at = self._clock.now()

    def _read(self) -> str:
        token = self.path.read_text().strip()
        if not token:
            raise ValueError(f"token file {self.path} is empty")
        return token

    def _reload(self) -> bool:
        previous = self._token
        self._token = self._read()
        self._read_at = self._clock.now()
        return self._token != previous

    async def authorization(self) -> str | None:
        """``Bearer <token>``, re-reading the file once ``period`` has passed since last read."""
        if self._clock.now() - self._read_at >= self.period:
            self._reload()
        return f"Bearer {self._token}"

    async def refresh(self) -> bool:
        """Re-read the file now; True if the token changed."""
        return self._reload()


class ExecCredentials:
    """A kubeconfig exec plugin, run through kubernetes_asyncio's loader.

    The plugin runs again when the credential it returned expires, and after a 401.
    """

    def __init__(self, loader: Any) -> None:
        self._loader = loader
        self._lock = asyncio.Lock()

    def _header(self) -> str | None:
        token = getattr(self._loader, "token", None)
        return str(token) if token else None

    async def authorization(self) -> str | None:
        """The plugin's token, running the plugin again first if its credential has expired."""
        # The plugin ran while the kubeconfig was loaded. The loader runs it again only once
        # its expirationTimestamp has passed; with no expiry the credential is kept until
        # the server rejects it.
        if hasattr(self._loader, "exec_plugin_expiry"):
            async with self._lock:
                await self._loader.load_from_exec_plugin()
        return self._header()

    async def refresh(self) -> bool:
        """Run the plugin again now; True if it returned a different token."""
        async with self._lock:
            previous = self._header()
            if hasattr(self._loader, "exec_plugin_expiry"):
                del self._loader.exec_plugin_expiry
            await self._loader.load_from_exec_plugin()
            return self._header() != previous
