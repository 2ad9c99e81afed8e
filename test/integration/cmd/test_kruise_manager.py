"""The kruise-manager command as users run it: flags, failures, leader election, signals."""

from __future__ import annotations

import datetime
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.commands import manager_command
from support.polling import eventually_blocking

from kruise.runtime.envtest import ControlPlane
from kruise.runtime.envtest.ports import free_port

MANAGER = manager_command()
LEASE_FLAGS = [
    "--leader-election-lease-duration=4",
    "--leader-election-renew-deadline=3",
    "--leader-election-retry-period=1",
]


def parse_time(value: str) -> float:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


class ManagerProcess:
    def __init__(
        self, kubeconfig: Path, lease: str, log_path: Path, lease_flags: list[str]
    ) -> None:
        self.lease = lease
        self.log_path = log_path
        self.log = log_path.open("w")
        self.popen = subprocess.Popen(
            [
                *MANAGER,
                f"--kubeconfig={kubeconfig}",
                "--metrics-addr=127.0.0.1:0",
                "--health-probe-addr=127.0.0.1:0",
                "--enable-leader-election",
                "--leader-election-namespace=default",
                f"--leader-election-id={lease}",
                "--log-format=json",
                f"--webhook-port={free_port()}",
                f"--webhook-cert-dir={log_path.parent / (log_path.stem + '-certs')}",
                *lease_flags,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log_path.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    def identity(self) -> str | None:
        for line in self.lines():
            if line.get("event") == "starting manager":
                return str(line["identity"])
        return None

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()
        self.log.close()


@pytest.fixture
def managers(
    control_plane: ControlPlane, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[list[ManagerProcess]]:
    """Two kruise-manager processes competing for one Lease; fast lease timings unless the
    test is marked ``default_lease``."""
    lease = f"lease-{tmp_path.name[-12:].lower().replace('_', '-')}"
    flags = [] if request.node.get_closest_marker("default_lease") else LEASE_FLAGS
    started = [
        ManagerProcess(control_plane.kubeconfig_path, lease, tmp_path / f"m{i}.log", flags)
        for i in range(2)
    ]
    yield started
    for process in started:
        process.stop()


def read_lease(plane: ControlPlane, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = plane.rest.get(
        f"/apis/coordination.k8s.io/v1/namespaces/default/leases/{name}"
    )["spec"]
    return spec


def holder_of(
    plane: ControlPlane, lease: str, candidates: list[ManagerProcess]
) -> ManagerProcess | None:
    try:
        holder = read_lease(plane, lease).get("holderIdentity")
    except Exception:
        return None
    return next((p for p in candidates if p.identity() == holder), None)


def test_exactly_one_leads_and_sigkill_hands_over_after_expiry(
    control_plane: ControlPlane, managers: list[ManagerProcess]
) -> None:
    lease = managers[0].lease
    leader = eventually_blocking(
        lambda: holder_of(control_plane, lease, managers), timeout=60, what="a leader"
    )
    standby = next(p for p in managers if p is not leader)
    # The Lease is written before its holder hears the answer and logs it.
    eventually_blocking(
        lambda: any(line.get("event") == "became leader" for line in leader.lines()),
        timeout=30,
        what="the leader to log it",
    )
    assert not any(line.get("event") == "became leader" for line in standby.lines())
    before = read_lease(control_plane, lease)

    leader.popen.send_signal(signal.SIGKILL)
    killed_at = time.time()
    eventually_blocking(
        lambda: holder_of(control_plane, lease, managers) is standby,
        timeout=60,
        what="the standby to lead",
    )
    after = read_lease(control_plane, lease)
    took_over_at = parse_time(after["acquireTime"])
    # Safety: the standby waited for the dead leader's lease to expire.
    assert took_over_at >= parse_time(before["renewTime"]) + 4 - 0.5
    assert after["leaseTransitions"] == before.get("leaseTransitions", 0) + 1
    print(f"SIGKILL takeover after {took_over_at - killed_at:.2f}s (lease 4s, retry 1s)")


@pytest.mark.default_lease
def test_sigterm_releases_the_lease_and_exits_zero(
    control_plane: ControlPlane, managers: list[ManagerProcess]
) -> None:
    lease = managers[0].lease
    leader = eventually_blocking(
        lambda: holder_of(control_plane, lease, managers), timeout=60, what="a leader"
    )
    standby = next(p for p in managers if p is not leader)

    last_renewal = parse_time(read_lease(control_plane, lease)["renewTime"])
    leader.popen.send_signal(signal.SIGTERM)
    stopped_at = time.time()
    assert leader.popen.wait(30) == 0
    events = [line.get("event") for line in leader.lines()]
    assert "released leader lease" in events
    eventually_blocking(
        lambda: holder_of(control_plane, lease, managers) is standby,
        timeout=60,
        what="the standby to lead",
    )
    took_over_at = parse_time(read_lease(control_plane, lease)["acquireTime"])
    # The standby took over a released lease: an expired one would have taken at least
    # the 15 s lease duration after the leader's last renewal.
    assert took_over_at < last_renewal + 15
    print(f"SIGTERM handover after {took_over_at - stopped_at:.2f}s (default timings 15/10/2s)")
    # The Lease is written before the log line is: wait for the line, do not race it.
    eventually_blocking(
        lambda: any(line.get("event") == "became leader" for line in standby.lines()),
        timeout=60,
        what="the standby's 'became leader' line",
    )


def test_bad_flag_and_unreachable_cluster_are_one_line(tmp_path: Path) -> None:
    bad = subprocess.run(
        [*MANAGER, "--metrics-addr=nonsense"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0
    assert "--metrics-addr" in bad.stderr

    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    down = subprocess.run(
        [*MANAGER, f"--kubeconfig={kubeconfig}", "--metrics-addr=0", "--health-probe-addr=0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert down.returncode == 1
    assert down.stderr.strip().count("\n") == 0, down.stderr
    assert "cannot reach the API server at https://127.0.0.1:1" in down.stderr


def test_help_explains_every_flag() -> None:
    result = subprocess.run([*MANAGER, "--help"], capture_output=True, text=True, check=True)
    for flag in (
        "--kubeconfig",
        "--metrics-addr",
        "--health-probe-addr",
        "--enable-leader-election",
        "--leader-election-namespace",
        "--namespace",
        "--kube-client-qps",
        "--kube-client-burst",
        "--rate-limiter-base-delay",
        "--rate-limiter-max-delay",
        "--rate-limiter-qps",
        "--rate-limiter-bucket-size",
        "--expectation-timeout",
        "--log-format",
    ):
        assert flag in result.stdout
