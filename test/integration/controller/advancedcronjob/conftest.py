"""Fixtures for the AdvancedCronJob integration tests (see support/advancedcronjob.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.advancedcronjob import Harness, running_harness
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
    """The controller on a clock that reads the real time until the test moves it."""
    async with running_harness(client, namespace) as h:
        yield h
