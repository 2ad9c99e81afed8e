"""Fixtures for the CloneSet integration tests (see support/cloneset.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from prometheus_client import CollectorRegistry
from support.cloneset import Harness
from support.paths import REPO_ROOT

from kruise.controller import cloneset
from kruise.runtime.client import Client
from kruise.runtime.envtest import ControlPlane
from kruise.runtime.manager import Manager, ManagerOptions


@pytest.fixture(scope="session")
def kruise_crds(control_plane: ControlPlane) -> ControlPlane:
    control_plane.install_crds([REPO_ROOT / "config/crd/bases"])
    return control_plane


@pytest.fixture
async def harness(
    kruise_crds: ControlPlane, client: Client, namespace: str
) -> AsyncIterator[Harness]:
    manager = Manager(
        client,
        ManagerOptions(metrics_addr="0", health_probe_addr="0", namespace=namespace),
        registry=CollectorRegistry(),
    )
    h = Harness(client, namespace, manager)
    h.controller = await cloneset.setup(manager)
    assert h.controller is not None
    stop = asyncio.Event()
    task = asyncio.create_task(manager.run(stop))
    try:
        yield h
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)
