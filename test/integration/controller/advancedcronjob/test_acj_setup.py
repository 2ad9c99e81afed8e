"""The controller starts only where AdvancedCronJobs are served, and says why not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog
from prometheus_client import CollectorRegistry

from kruise.controller import advancedcronjob
from kruise.controller.advancedcronjob.metrics import creation_skew
from kruise.runtime.client import Client, kubeconfig_config
from kruise.runtime.envtest import ControlPlane
from kruise.runtime.manager import Manager, ManagerOptions


@pytest.fixture(scope="module")
def bare_plane() -> Iterator[ControlPlane]:
    with ControlPlane() as plane:
        yield plane


async def test_no_crd_no_controller_and_one_log_line(bare_plane: ControlPlane) -> None:
    config = await kubeconfig_config(bare_plane.kubeconfig_path)
    async with Client(config) as client:
        manager = Manager(client, ManagerOptions(metrics_addr="0"), registry=CollectorRegistry())
        with structlog.testing.capture_logs() as logs:
            controller = await advancedcronjob.setup(manager)
    assert controller is None
    [line] = [entry for entry in logs if "AdvancedCronJob" in entry["event"]]
    assert "not served" in line["event"]
    assert line["log_level"] == "info"


async def test_served_when_the_crd_is_installed(kruise_crds: ControlPlane, client: Client) -> None:
    registry = CollectorRegistry()
    manager = Manager(client, ManagerOptions(metrics_addr="0"), registry=registry)
    controller = await advancedcronjob.setup(manager, workers=5)
    assert controller is not None
    assert controller.name == advancedcronjob.CONTROLLER_NAME == "advancedcronjob-controller"
    assert controller.workers == 5
    # The lateness histogram is on the manager's registry, once however often it is asked for.
    assert creation_skew(registry) is creation_skew(registry)
    names = {m.name for m in registry.collect()}
    assert "kruise_advancedcronjob_job_creation_skew_duration_seconds" in names
