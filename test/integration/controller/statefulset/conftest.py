"""Fixtures for the Advanced StatefulSet integration tests (see support/statefulset.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.paths import REPO_ROOT
from support.statefulset import Harness, running_harness

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
    async with running_harness(client, namespace) as h:
        yield h
