"""A fresh registry per manager; tests build their own and never share global state."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector


def new_registry(process_collectors: bool = True) -> CollectorRegistry:
    """A registry with ``process_*`` and ``python_*`` series, as a Go manager has ``process_*``."""
    registry = CollectorRegistry(auto_describe=True)
    if process_collectors:
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
    return registry
