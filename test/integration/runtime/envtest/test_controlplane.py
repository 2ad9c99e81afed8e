"""The control plane against the real binaries: restarts, isolation, and clear failures."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support.polling import eventually_blocking

from kruise.runtime.envtest import (
    Binaries,
    BinaryNotFoundError,
    ComponentError,
    ControlPlane,
    ControlPlaneOptions,
    PortInUseError,
)
from kruise.runtime.envtest.rest import RestError


def _configmap(name: str, value: str) -> dict[str, object]:
    return {"metadata": {"name": name}, "data": {"key": value}}


def _pids_mentioning(text: str) -> list[int]:
    """Processes whose command line contains ``text`` (our work dirs are unique)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


def _assert_all_exit(text: str) -> None:
    """Every process mentioning ``text`` exits within 15 s; the failure lists the others."""

    def none_left() -> bool:
        left = _pids_mentioning(text)
        assert left == [], f"still running: {left}"
        return True

    eventually_blocking(
        none_left, timeout=15, retry_on=(AssertionError,), what=f"processes of {text} to exit"
    )


def test_apiserver_restart_keeps_objects_and_clients_reconnect(
    control_plane: ControlPlane, namespace: str
) -> None:
    collection = f"/api/v1/namespaces/{namespace}/configmaps"
    created = control_plane.rest.request("POST", collection, _configmap("survivor", "v1"))
    old_pid = control_plane.apiserver.pid if control_plane.apiserver else None

    control_plane.restart_apiserver()

    assert control_plane.apiserver is not None
    assert control_plane.apiserver.pid != old_pid
    again = control_plane.rest.get(f"{collection}/survivor")
    assert again["metadata"]["uid"] == created["metadata"]["uid"]
    assert again["data"] == {"key": "v1"}
    # The same client writes again after the restart.
    control_plane.rest.request("PUT", f"{collection}/survivor", {**again, "data": {"key": "v2"}})
    assert control_plane.rest.get(f"{collection}/survivor")["data"] == {"key": "v2"}


def test_version_reports_the_pinned_release(control_plane: ControlPlane) -> None:
    version = control_plane.rest.get("/version")
    assert version["gitVersion"] == "v1.32.10"
    assert (version["major"], version["minor"]) == ("1", "32")


def test_anonymous_users_may_only_probe_health(control_plane: ControlPlane) -> None:
    def anonymous_status(path: str) -> int:
        context = ssl.create_default_context(cafile=str(control_plane.certs_dir / "serving-ca.crt"))
        try:
            with urllib.request.urlopen(control_plane.url + path, context=context) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return err.code

    assert anonymous_status("/readyz") == 200
    assert anonymous_status("/api/v1/namespaces/default/secrets") == 403


def test_two_control_planes_are_isolated_and_leave_no_process(
    control_plane: ControlPlane,
) -> None:
    with ControlPlane() as second:
        assert second.apiserver_port != control_plane.apiserver_port
        assert second.etcd_port != control_plane.etcd_port
        second.rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": "only-here"}})
        with pytest.raises(RestError) as missing:
            control_plane.rest.get("/api/v1/namespaces/only-here")
        assert missing.value.status == 404
        workdir = str(second.workdir)
        assert len(_pids_mentioning(workdir)) == 2
    _assert_all_exit(workdir)
    assert not Path(workdir).exists()


# A hang fails through the timeout, not through a timed assertion.
@pytest.mark.timeout(60)
def test_missing_binary_is_one_clear_error(tmp_path: Path) -> None:
    real = Binaries.default()
    missing = tmp_path / "no-such-kube-apiserver"
    options = ControlPlaneOptions(
        binaries=Binaries(
            etcd=real.etcd,
            kube_apiserver=missing,
            kube_controller_manager=real.kube_controller_manager,
            kube_scheduler=real.kube_scheduler,
            kubectl=real.kubectl,
            kwok=real.kwok,
        )
    )
    with pytest.raises(BinaryNotFoundError) as err:
        ControlPlane(options).start()
    message = str(err.value)
    assert "kube-apiserver" in message
    assert str(missing) in message
    assert "\n" not in message


# A hang fails through the timeout, not through a timed assertion.
@pytest.mark.timeout(60)
def test_busy_port_is_one_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PortInUseError) as err:
            ControlPlane(ControlPlaneOptions(apiserver_port=port)).start()
    assert f"port {port}" in str(err.value)
    assert "kube-apiserver" in str(err.value)


# A hang fails through the timeout, not through a timed assertion.
@pytest.mark.timeout(60)
def test_component_that_dies_on_start_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "etcd"
    broken.write_text(
        "#!/bin/sh\necho 'etcd: cannot open data dir: permission denied' >&2\nexit 3\n"
    )
    broken.chmod(0o755)
    real = Binaries.default()
    binaries = Binaries(
        etcd=broken,
        kube_apiserver=real.kube_apiserver,
        kube_controller_manager=real.kube_controller_manager,
        kube_scheduler=real.kube_scheduler,
        kubectl=real.kubectl,
        kwok=real.kwok,
    )
    with pytest.raises(ComponentError) as err:
        ControlPlane(ControlPlaneOptions(binaries=binaries)).start()
    assert err.value.component == "etcd"
    assert "exited with code 3" in str(err.value)
    assert "permission denied" in str(err.value)


# A hang fails through the timeout, not through a timed assertion.
@pytest.mark.timeout(60)
def test_dead_component_is_reported_by_name() -> None:
    with ControlPlane() as plane:
        plane.check()
        assert plane.etcd is not None
        plane.etcd.kill()
        with pytest.raises(ComponentError) as err:
            plane.check()
        assert err.value.component == "etcd"
        # Restarting the API server on a dead etcd fails fast, naming etcd, not hanging.
        with pytest.raises(ComponentError) as restart:
            plane.restart_apiserver()
        assert restart.value.component == "etcd"


def test_killed_owner_leaves_no_orphans(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from kruise.runtime.envtest import ControlPlane\n"
        "plane = ControlPlane()\n"
        "plane.start()\n"
        "print(plane.workdir, flush=True)\n"
        "time.sleep(600)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        workdir = owner.stdout.readline().strip()
        assert workdir, "the control plane did not start"
        assert len(_pids_mentioning(workdir)) == 2
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        _assert_all_exit(workdir)
    finally:
        owner.kill()
        owner.wait()


def test_cli_prints_kubeconfig_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "kubeconfig"
    cli = subprocess.Popen(
        [sys.executable, "-m", "kruise.runtime.envtest", "up", "--kubeconfig-out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert cli.stdout is not None
    lines = []
    workdir = ""
    for line in cli.stdout:
        lines.append(line)
        if line.startswith("starting the control plane in "):
            workdir = line.split(" in ", 1)[1].split(" ...")[0]
        if line.startswith("export KUBECONFIG="):
            break
    assert lines[-1].strip() == f"export KUBECONFIG={out.resolve()}", "".join(lines)
    assert out.exists()
    assert len(_pids_mentioning(workdir)) == 2
    cli.send_signal(signal.SIGINT)
    assert cli.wait(30) == 0
    _assert_all_exit(workdir)
