"""Fixtures for the BroadcastJob integration tests (see support/broadcastjob.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.broadcastjob import Harness, running_harness
from support.paths import REPO_ROOT

from kruise.runtime.client import Client
from kruise.runtime.envtest import ControlPlane


@pytest.fixture(scope="session")
def kruise_crds(control_plane: ControlPlane) -> ControlPlane:
    control_plane.install_crds([REPO_ROOT / "config/crd/bases"])
    return control_plane


@pytest.fixture
async def harness(
    kruise_crds: ControlPlane, client: Client, namespace: str
) -> AsyncIterator[Harness]:
    """The controller in its default mode: pods reach nodes through the scheduler."""
    async with running_harness(client, namespace) as h:
        yield h


@pytest.fixture
async def bound_harness(
    kruise_crds: ControlPlane, client: Client, namespace: str
) -> AsyncIterator[Harness]:
    """The controller with ``--assign-bcj-pods-by-scheduler=false``: pods get nodeName."""
    async with running_harness(client, namespace, assign_by_scheduler=False) as h:
        yield h
