"""A small synchronous JSON client for bootstrapping the local control plane.

It exists so the control plane can install CRDs, webhooks and nodes before (and
without) an event loop; controllers use ``kruise.runtime.client`` instead.
"""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kruise.runtime.envtest.process import EnvtestError


class RestError(EnvtestError):
    """The API server answered with an error status."""

    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        self.status = status
        try:
            message = str(json.loads(body).get("message", body))
        except (ValueError, AttributeError):
            message = body
        super().__init__(f"{method} {path}: HTTP {status}: {message[:300]}")


@dataclass(frozen=True)
class RestConfig:
    """Where ``SyncRest`` connects, and the client certificate it authenticates with."""

    host: str
    port: int
    ca_file: Path
    cert_file: Path
    key_file: Path


class SyncRest:
    """One request per connection: simple, and fine for setup traffic."""

    def __init__(self, config: RestConfig, timeout: float = 10.0) -> None:
        self.config = config
        self.timeout = timeout
        self._ssl = ssl.create_default_context(cafile=str(config.ca_file))
        self._ssl.load_cert_chain(str(config.cert_file), str(config.key_file))

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
    ) -> Any:
        """Send ``body`` as JSON; the parsed answer (text if not JSON, None if empty), or
        ``RestError`` for a 4xx or 5xx."""
        conn = http.client.HTTPSConnection(
            self.config.host, self.config.port, context=self._ssl, timeout=self.timeout
        )
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Accept": "application/json"}
            if payload is not None:
                headers["Content-Type"] = content_type
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read().decode(errors="replace")
        finally:
            conn.close()
        if response.status >= 400:
            raise RestError(method, path, response.status, data)
        if not data:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return data

    def get(self, path: str) -> Any:
        """GET ``path``; the parsed answer."""
        return self.request("GET", path)

    def ok(self, path: str) -> bool:
        """True when GET ``path`` answers 200; connection problems count as not yet."""
        try:
            self.request("GET", path)
        except (OSError, RestError, http.client.HTTPException):
            return False
        return True

    def apply(self, collection: str, obj: dict[str, Any]) -> Any:
        """Create ``obj`` in ``collection``, or replace it if it exists."""
        try:
            return self.request("POST", collection, obj)
        except RestError as err:
            if err.status != 409:
                raise
        name = obj["metadata"]["name"]
        current = self.get(f"{collection}/{name}")
        updated = dict(obj)
        updated["metadata"] = {
            **obj["metadata"],
            "resourceVersion": current["metadata"]["resourceVersion"],
        }
        return self.request("PUT", f"{collection}/{name}", updated)


def url_ok(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` answers 200. HTTPS certificates are not verified: this only
    probes the health endpoints of components we started ourselves."""
    context = None
    if url.startswith("https:"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return False
