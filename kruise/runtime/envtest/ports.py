"""Free loopback ports, never handed out twice by this process within a minute."""

from __future__ import annotations

import socket
import threading
import time

from kruise.runtime.envtest.process import EnvtestError

_RESERVED: dict[int, float] = {}
_LOCK = threading.Lock()
_HOLD_SECONDS = 60.0


class PortInUseError(EnvtestError):
    """A port asked for explicitly is already taken."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel just gave us, remembered so two planes in one run never share it."""
    with _LOCK:
        now = time.monotonic()
        for port, at in list(_RESERVED.items()):
            if now - at > _HOLD_SECONDS:
                del _RESERVED[port]
        for _ in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((host, 0))
                port = int(sock.getsockname()[1])
            if port not in _RESERVED:
                _RESERVED[port] = now
                return port
    raise EnvtestError("could not find a free port on " + host)


def ensure_free(port: int, component: str, host: str = "127.0.0.1") -> None:
    """Raise one clear line if ``port`` cannot be bound, before a component trips on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            raise PortInUseError(
                f"port {port} on {host} for {component} is already in use ({err.strerror})"
            ) from None
