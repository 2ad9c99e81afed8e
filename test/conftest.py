"""Shared fixtures: one control plane and one local cluster for the whole run.

Tiers follow the folder a test lives in (unit/, integration/, e2e/), so markers never
drift from where a test is. A failing test that used a control plane gets the tail of
every component's log in its report.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kruise.runtime.envtest import ControlPlane, LocalCluster

TIERS = ("unit", "integration", "e2e")
_PLANE_FIXTURES = ("control_plane", "local_cluster")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        for tier in TIERS:
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        for name in _PLANE_FIXTURES:
            plane = funcargs.get(name)
            if isinstance(plane, ControlPlane):
                for component, tail in plane.logs(30).items():
                    report.sections.append((f"{name} {component} log (tail)", tail))
    return report


def _our_leftover_components() -> list[str]:
    """Envtest components still running that this test process started."""
    leftovers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and "kruise-envtest-" in cmdline:
            leftovers.append(cmdline[:120])
    return leftovers


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any component of ours outlived its fixtures."""
    leftovers = _our_leftover_components()
    if leftovers:
        print("\nenvtest components left running:\n  " + "\n  ".join(leftovers))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def control_plane() -> Iterator[ControlPlane]:
    """etcd + kube-apiserver, shared by every integration test."""
    with ControlPlane() as plane:
        yield plane


@pytest.fixture(scope="session")
def local_cluster() -> Iterator[LocalCluster]:
    """The control plane plus controller manager, scheduler and three kwok nodes."""
    with LocalCluster() as cluster:
        yield cluster


def _fresh_namespace(plane: ControlPlane) -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:10]}"
    plane.rest.request(
        "POST", "/api/v1/namespaces", {"metadata": {"name": name, "labels": {"kruise-test": "1"}}}
    )
    yield name
    plane.rest.request("DELETE", f"/api/v1/namespaces/{name}")


@pytest.fixture
def namespace(control_plane: ControlPlane) -> Iterator[str]:
    """A new namespace on the shared control plane, deleted afterwards."""
    yield from _fresh_namespace(control_plane)


@pytest.fixture
def cluster_namespace(local_cluster: LocalCluster) -> Iterator[str]:
    """A new namespace on the local cluster whose default ServiceAccount exists."""
    for name in _fresh_namespace(local_cluster):
        local_cluster.wait_for_service_account(name)
        yield name
