"""The running webhook server the fuzz tests share (budget and seeds: :mod:`fuzz.budget`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fuzz.target import Target
from kruise.runtime.envtest import ControlPlane


@pytest.fixture(scope="module")
def target(
    control_plane: ControlPlane, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """kruise's webhook server with every handler, reading pods from the control plane. One
    per module: it captures the process's logs while it runs."""
    running = Target(control_plane.kubeconfig_path, tmp_path_factory.mktemp("fuzz-certs"))
    running.start()
    try:
        yield running
    finally:
        running.stop()
