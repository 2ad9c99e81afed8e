"""A client per test on the shared control plane."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kruise.runtime.client import Client, kubeconfig_config
from kruise.runtime.envtest import ControlPlane


@pytest.fixture
async def client(control_plane: ControlPlane) -> AsyncIterator[Client]:
    config = await kubeconfig_config(control_plane.kubeconfig_path)
    async with Client(config.with_options(qps=-1)) as client:
        yield client
