"""Bad input at kruise-manager's doors: each gets one clear line and no traceback.

A kubeconfig that is broken or points nowhere, certificates that cannot work, CRDs that
are missing or serve the wrong version, an object whose selector does not parse, and
SIGTERM while the caches are still filling. The webhook certificate's own bad inputs
(garbage in the Secret, an expired file, a full disk) are in
``test/integration/webhook/certs/test_certs_bad_input_live.py``; an abandoned Lease in
``test/integration/runtime/manager/test_lease_abandoned.py``.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from support import workloads
from support.commands import manager_command
from support.gate_proxy import GateProxy
from support.paths import REPO_ROOT
from support.polling import eventually_blocking

from kruise.runtime.envtest import ControlPlane
from kruise.runtime.envtest.certs import TinyCA
from kruise.runtime.envtest.ports import free_port

MANAGER = manager_command()
CRDS = REPO_ROOT / "config/crd/bases"
QUIET = ["--metrics-addr=0", "--health-probe-addr=0"]


def one_line_failure(kubeconfig: Path | str, *flags: str) -> str:
    """Run kruise-manager, expect exit code 1 and a single line on stderr; that line."""
    result = subprocess.run(
        [*MANAGER, f"--kubeconfig={kubeconfig}", *QUIET, *flags],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    line = result.stderr.strip()
    assert line.count("\n") == 0, line
    assert line.startswith("kruise-manager: "), line
    return line


# ---- 1. a kubeconfig that is broken or points nowhere ------------------------------------


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"clusters: [unclosed\n  - x: y: z\n", "kubeconfig"),  # not YAML
        (b"\xff\xfe\x00binary", "can't decode"),  # not text
        (b"just a string\n", "not a kubeconfig document"),
        (b"- a\n- list\n", "not a kubeconfig document"),
        (b"apiVersion: v1\nkind: Config\n", "current-context"),
    ],
    ids=["not-yaml", "binary", "string", "list", "no-context"],
)
def test_a_malformed_kubeconfig_is_one_line_naming_the_file(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "kubeconfig"
    path.write_bytes(content)
    line = one_line_failure(path)
    assert f"kubeconfig {path}" in line
    assert says in line


def minimal_kubeconfig(path: Path, cluster: dict[str, Any], user: dict[str, Any]) -> Path:
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": cluster}],
                "users": [{"name": "u", "user": user}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    return path


@pytest.mark.parametrize(
    ("cluster", "user", "says"),
    [
        ({"server": "not a url"}, {"token": "t"}, "the server 'not a url' is not an http(s) URL"),
        ({}, {"token": "t"}, "the context's cluster has no server"),
        ({"server": ""}, {"token": "t"}, "the server '' is not an http(s) URL"),
        (
            {
                "server": "https://127.0.0.1:6443",
                "certificate-authority-data": base64.b64encode(b"garbage").decode(),
            },
            {"token": "t"},
            "the certificate authority is unusable",
        ),
        (
            {"server": "https://127.0.0.1:6443", "insecure-skip-tls-verify": True},
            {
                "client-certificate-data": base64.b64encode(b"garbage").decode(),
                "client-key-data": base64.b64encode(b"garbage").decode(),
            },
            "the client certificate or key is unusable",
        ),
    ],
    ids=["bad-url", "empty-cluster", "empty-server", "garbage-ca", "garbage-client-cert"],
)
def test_a_kubeconfig_that_cannot_work_is_refused_before_connecting(
    tmp_path: Path, cluster: dict[str, Any], user: dict[str, Any], says: str
) -> None:
    path = minimal_kubeconfig(tmp_path / "kubeconfig", cluster, user)
    line = one_line_failure(path)
    assert f"kubeconfig {path}" in line
    assert says in line


def test_a_missing_kubeconfig_file_is_one_line(tmp_path: Path) -> None:
    line = one_line_failure(tmp_path / "nowhere")
    assert f"kubeconfig {tmp_path / 'nowhere'} does not exist" in line


def test_a_server_nobody_listens_on_is_one_line_naming_it(tmp_path: Path) -> None:
    server = f"https://127.0.0.1:{free_port()}"
    path = minimal_kubeconfig(tmp_path / "kubeconfig", {"server": server}, {"token": "t"})
    line = one_line_failure(path)
    assert f"cannot reach the API server at {server}" in line


# ---- 2. certificates that cannot work ------------------------------------------------------


def plane_kubeconfig(plane: ControlPlane, path: Path, **changes: Any) -> Path:
    """The plane's admin kubeconfig with cluster (``cluster_*``) or user (``user_*``) fields
    replaced."""
    config = plane.kubeconfig()
    for key, value in changes.items():
        section, _, field = key.partition("_")
        entry = config["clusters" if section == "cluster" else "users"][0][section]
        entry[field.replace("_", "-")] = value
    path.write_text(json.dumps(config))
    return path


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_cluster_ca_that_did_not_sign_the_server_certificate(
    control_plane: ControlPlane, tmp_path: Path
) -> None:
    stranger = TinyCA("not-the-cluster-ca").cert_pem
    path = plane_kubeconfig(
        control_plane, tmp_path / "kubeconfig", cluster_certificate_authority_data=b64(stranger)
    )
    line = one_line_failure(path)
    assert f"cannot reach the API server at {control_plane.url}" in line
    assert "the server's TLS certificate failed verification" in line
    assert "unable to get local issuer certificate" in line  # signed by an unknown authority


def test_a_server_name_the_certificate_does_not_hold(
    control_plane: ControlPlane, tmp_path: Path
) -> None:
    path = plane_kubeconfig(
        control_plane, tmp_path / "kubeconfig", cluster_tls_server_name="elsewhere.example"
    )
    line = one_line_failure(path)
    assert "the server's TLS certificate failed verification" in line
    assert "elsewhere.example" in line


def expired_client_certificate(plane: ControlPlane) -> tuple[bytes, bytes]:
    """A certificate the plane's client CA signed, valid until yesterday."""
    pki = plane.certs_dir
    ca_key: Any = serialization.load_pem_private_key((pki / "client-ca.key").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((pki / "client-ca.crt").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "expired-admin"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=30))
        .not_valid_after(now - datetime.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def test_an_expired_client_certificate_is_named_before_connecting(
    control_plane: ControlPlane, tmp_path: Path
) -> None:
    cert, key = expired_client_certificate(control_plane)
    path = plane_kubeconfig(
        control_plane,
        tmp_path / "kubeconfig",
        user_client_certificate_data=b64(cert),
        user_client_key_data=b64(key),
    )
    line = one_line_failure(path)
    assert f"kubeconfig {path}: the client certificate expired at" in line


def test_credentials_the_server_refuses_are_one_line(
    control_plane: ControlPlane, tmp_path: Path
) -> None:
    config = control_plane.kubeconfig()
    config["users"][0]["user"] = {"token": "not-a-token"}
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(config))
    line = one_line_failure(path)
    assert f"the API server at {control_plane.url} refused our credentials" in line
    assert "401" in line


# ---- 3 and 4: a running manager on a plane of our own -------------------------------------


class RunningManager:
    """kruise-manager as a process, JSON log lines in a file, webhook certs in tmp."""

    def __init__(self, kubeconfig: Path, workdir: Path, *flags: str) -> None:
        self.log_path = workdir / "manager.log"
        self.health_port = free_port()
        self._log = self.log_path.open("w")
        env = {**os.environ, "POD_NAMESPACE": "default"}
        self.popen = subprocess.Popen(
            [
                *MANAGER,
                f"--kubeconfig={kubeconfig}",
                "--metrics-addr=0",
                f"--health-probe-addr=127.0.0.1:{self.health_port}",
                f"--webhook-port={free_port()}",
                f"--webhook-cert-dir={workdir / 'certs'}",
                "--log-format=json",
                *flags,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    def find(self, event: str, **fields: Any) -> list[dict[str, Any]]:
        return [
            line
            for line in self.lines()
            if str(line.get("event", "")).startswith(event)
            and all(line.get(k) == v for k, v in fields.items())
        ]

    def alive(self) -> bool:
        return self.popen.poll() is None

    def probe(self, path: str) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.health_port}{path}", timeout=10):
                return 200
        except urllib.error.HTTPError as err:
            return err.code
        except OSError:
            return 0

    def terminate(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(90)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()
        self._log.close()


@pytest.fixture(scope="module")
def bare_plane() -> Iterator[ControlPlane]:
    """A control plane of this module's own: these tests install and change CRDs."""
    with ControlPlane() as plane:
        yield plane


@pytest.fixture
def start_manager(
    bare_plane: ControlPlane, tmp_path: Path
) -> Iterator[Callable[[], RunningManager]]:
    """Start kruise-manager on the bare plane when the test says so; killed afterwards."""
    started: list[RunningManager] = []

    def start() -> RunningManager:
        started.append(RunningManager(bare_plane.kubeconfig_path, tmp_path))
        return started[-1]

    yield start
    for running in started:
        running.kill()


CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def remove_crd(plane: ControlPlane, name: str) -> None:
    """Delete a CRD (if there) and wait until it is gone."""
    if plane.rest.ok(f"{CRD_PATH}/{name}"):
        plane.rest.request("DELETE", f"{CRD_PATH}/{name}")
    eventually_blocking(
        lambda: not plane.rest.ok(f"{CRD_PATH}/{name}"), timeout=60, what=f"CRD {name} gone"
    )


def crd(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CRDS / f"apps.kruise.io_{name}.yaml").read_text())
    return loaded


def statefulset_crd_serving_only_v1alpha1() -> dict[str, Any]:
    sts = crd("statefulsets")
    [v1alpha1] = [v for v in sts["spec"]["versions"] if v["name"] == "v1alpha1"]
    sts["spec"]["versions"] = [{**v1alpha1, "served": True, "storage": True}]
    sts["spec"]["conversion"] = {"strategy": "None"}
    return sts


def new_namespace(plane: ControlPlane) -> str:
    name = f"bad-input-{uuid.uuid4().hex[:8]}"
    plane.rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": name}})
    return name


def owned_pods(plane: ControlPlane, namespace: str, app: str) -> list[dict[str, Any]]:
    pods = plane.rest.get(f"/api/v1/namespaces/{namespace}/pods?labelSelector=app%3D{app}")
    return [p for p in pods["items"] if p["metadata"].get("ownerReferences")]


def test_missing_and_wrong_version_crds_wait_and_start_when_served(
    bare_plane: ControlPlane, start_manager: Callable[[], RunningManager]
) -> None:
    plane = bare_plane
    # Only the job kinds are as they should be; no CloneSet CRD, and the StatefulSet CRD
    # serves v1alpha1 only while the controller reads v1beta1.
    plane.install_crds([crd("broadcastjobs"), crd("advancedcronjobs")])
    remove_crd(plane, "clonesets.apps.kruise.io")
    plane.install_crds([statefulset_crd_serving_only_v1alpha1()])
    manager = start_manager()

    waiting = "waiting for the API server to serve the CRD"
    for controller, resource in (
        ("cloneset-controller", "clonesets.apps.kruise.io/v1alpha1"),
        ("statefulset-controller", "statefulsets.apps.kruise.io/v1beta1"),
    ):
        [line] = eventually_blocking(
            lambda c=controller: manager.find(waiting, controller=c),
            timeout=60,
            what=f"{controller} saying what it waits for",
        )
        assert line["waiting_for"] == resource
    # The rest of the manager runs: probes answer, other controllers reconcile.
    eventually_blocking(
        lambda: manager.probe("/healthz") == 200, timeout=60, what="/healthz answering 200"
    )
    eventually_blocking(
        lambda: manager.probe("/readyz") == 200, timeout=90, what="/readyz answering 200"
    )
    namespace = new_namespace(plane)
    job = workloads.create(plane.rest, namespace, workloads.broadcastjob("job"))
    eventually_blocking(
        lambda: (
            plane.rest.get(f"{workloads.collection(job, namespace)}/job")
            .get("status", {})
            .get("startTime")
        ),
        timeout=60,
        what="the BroadcastJob controller to reconcile",
    )

    plane.install_crds([crd("clonesets")])
    eventually_blocking(
        lambda: manager.find("the CRD is served now", controller="cloneset-controller"),
        timeout=60,
        what="the CloneSet controller to start",
    )
    workloads.create(plane.rest, namespace, workloads.cloneset("web", 2))
    eventually_blocking(
        lambda: len(owned_pods(plane, namespace, "web")) == 2,
        timeout=60,
        what="the CloneSet's two pods",
    )
    # Still waiting for v1beta1 StatefulSets, and said so once.
    assert len(manager.find(waiting, controller="statefulset-controller")) == 1
    assert not manager.find("the CRD is served now", controller="statefulset-controller")
    assert manager.alive()
    assert manager.terminate() == 0
    assert "Traceback" not in manager.text()


def test_a_cloneset_whose_selector_does_not_parse_is_one_line_and_the_rest_reconcile(
    bare_plane: ControlPlane, start_manager: Callable[[], RunningManager]
) -> None:
    plane = bare_plane
    plane.install_crds([crd("clonesets")])  # no webhook here: nothing validates the selector
    manager = start_manager()
    namespace = new_namespace(plane)
    broken = workloads.cloneset("broken", 1)
    broken["spec"]["selector"] = {
        "matchLabels": {"app": "broken"},
        "matchExpressions": [{"key": "app", "operator": "Sometimes", "values": ["broken"]}],
    }
    workloads.create(plane.rest, namespace, broken)
    workloads.create(plane.rest, namespace, workloads.cloneset("fine", 2))

    eventually_blocking(
        lambda: len(owned_pods(plane, namespace, "fine")) == 2,
        timeout=90,
        what="the well-formed CloneSet's pods",
    )
    [line] = eventually_blocking(
        lambda: manager.find("invalid selector", cloneset=f"{namespace}/broken"),
        timeout=60,
        what="one line about the broken selector",
    )
    assert "Sometimes" in line["error"]
    assert owned_pods(plane, namespace, "broken") == []
    # A change to the object is what brings it back: no retries in the meantime.
    assert len(manager.find("invalid selector", cloneset=f"{namespace}/broken")) == 1
    assert manager.alive()
    assert manager.terminate() == 0
    assert "Traceback" not in manager.text()


# ---- 8. SIGTERM while the caches fill --------------------------------------------------------


def is_pod_list(path: str, query: Any) -> bool:
    """The informer's first LIST of pods (all namespaces), not its watch."""
    return path == "/api/v1/pods" and query.get("watch") not in {"true", "1"}


def test_sigterm_during_the_initial_cache_sync_exits_zero_and_releases_the_lease(
    bare_plane: ControlPlane, tmp_path: Path
) -> None:
    bare_plane.install_crds([CRDS])  # every controller starts, and lists pods
    lease = f"sync-{uuid.uuid4().hex[:8]}"
    with GateProxy(bare_plane, is_pod_list) as proxy:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(json.dumps(proxy.kubeconfig()))
        manager = RunningManager(
            kubeconfig,
            tmp_path,
            "--enable-leader-election",
            "--leader-election-namespace=default",
            f"--leader-election-id={lease}",
            # A controller that waits this out says so ("runnables did not stop in time").
            "--graceful-shutdown-timeout=20",
        )
        try:
            eventually_blocking(
                lambda: proxy.held > 0 and manager.find("became leader"),
                timeout=90,
                what="a leader whose pod LIST is held",
            )
            manager.popen.send_signal(signal.SIGTERM)
            code = manager.popen.wait(120)
        finally:
            manager.kill()
    assert code == 0
    text = manager.text()
    assert "Traceback" not in text
    assert not manager.find("runnables did not stop in time")
    assert manager.find("released leader lease")
    spec = bare_plane.rest.get(f"/apis/coordination.k8s.io/v1/namespaces/default/leases/{lease}")[
        "spec"
    ]
    assert not spec.get("holderIdentity")
