"""Integration fixtures: a client per test, on the shared control plane's admin kubeconfig."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from prometheus_client import CollectorRegistry

from kruise.runtime.client import Client, kubeconfig_config
from kruise.runtime.envtest import ControlPlane


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def client(control_plane: ControlPlane, registry: CollectorRegistry) -> AsyncIterator[Client]:
    config = await kubeconfig_config(control_plane.kubeconfig_path)
    async with Client(config.with_options(qps=-1), registry=registry) as client:
        yield client
