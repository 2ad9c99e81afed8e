"""A plain list+watch in a thread, straight to kube-apiserver with the admin certificate.

The checker must not see the cluster through the managers' eyes (their cache, their
client, the fault proxy), so it has its own small watch: list, then watch from the
list's resourceVersion; relist after a 410, a broken connection or an API server
restart. Each list hands the whole state over (``reset``); each event one object.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

from kruise.runtime.envtest import ControlPlane

Obj = dict[str, Any]
WATCH_SECONDS = 60


class Watch(threading.Thread):
    """Lists and watches ``path`` (a collection URL) until ``stop`` is set."""

    def __init__(
        self,
        plane: ControlPlane,
        path: str,
        reset: Callable[[list[Obj]], None],
        event: Callable[[str, Obj], None],
        stop: threading.Event,
    ) -> None:
        super().__init__(name=f"watch {path}", daemon=True)
        self.plane = plane
        self.path = path
        self.reset = reset
        self.event = event
        self.stop = stop
        self.relists = 0
        self.error: BaseException | None = None

    def _connection(self, timeout: float) -> http.client.HTTPSConnection:
        pki = self.plane.certs_dir
        context = ssl.create_default_context(cafile=str(pki / "serving-ca.crt"))
        context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        return http.client.HTTPSConnection(
            self.plane.host, self.plane.apiserver_port, context=context, timeout=timeout
        )

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                version = self._list()
                self._watch(version)
            except (OSError, http.client.HTTPException, ValueError):
                time.sleep(0.5)  # the API server restarts; list again once it is back
            except BaseException as err:  # a checker bug: surface it, do not hang
                self.error = err
                return

    def _get(self, path: str, timeout: float) -> tuple[http.client.HTTPSConnection, Any]:
        conn = self._connection(timeout)
        conn.request("GET", path, headers={"Accept": "application/json"})
        return conn, conn.getresponse()

    def _list(self) -> str:
        conn, response = self._get(self.path, 30)
        try:
            body = response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise OSError(f"list {self.path}: HTTP {response.status}")
        listed = json.loads(body)
        self.relists += 1
        self.reset(listed.get("items") or [])
        return str(listed["metadata"]["resourceVersion"])

    def _watch(self, version: str) -> None:
        sep = "&" if "?" in self.path else "?"
        query = f"{sep}watch=1&allowWatchBookmarks=true&resourceVersion={version}"
        query += f"&timeoutSeconds={WATCH_SECONDS}"
        conn, response = self._get(self.path + query, WATCH_SECONDS + 15)
        try:
            if response.status != 200:
                raise OSError(f"watch {self.path}: HTTP {response.status}")
            while not self.stop.is_set():
                line = response.readline()
                if not line:
                    return  # the server ended the watch: list again
                event = json.loads(line)
                kind, obj = event["type"], event["object"]
                if kind == "ERROR":
                    return  # 410 Expired and the like: list again
                if kind != "BOOKMARK":
                    self.event(kind, obj)
        finally:
            with contextlib.suppress(OSError):
                conn.close()
