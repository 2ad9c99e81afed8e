"""etcd and a secure kube-apiserver with RBAC, started from the pinned binaries.

This is controller-runtime's envtest, in Python: a generated CA and serving
certificate, an admin client certificate and kubeconfig, service-account signing
keys, free ports and a temporary data directory. ``start()`` returns once
``/readyz`` answers; ``stop()`` ends every process and removes the directory.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kruise.runtime.envtest.binaries import Binaries
from kruise.runtime.envtest.certs import TinyCA, service_account_signer
from kruise.runtime.envtest.install import (
    Source,
    WebhookEndpoint,
    install_crds,
    install_webhooks,
)
from kruise.runtime.envtest.ports import ensure_free, free_port
from kruise.runtime.envtest.process import Process
from kruise.runtime.envtest.rest import RestConfig, SyncRest, url_ok

ADMIN_USER = "kruise-envtest-admin"
ADMIN_GROUPS = ["system:masters"]
SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24"


@dataclass
class ControlPlaneOptions:
    """What a caller may choose; everything else is derived."""

    binaries: Binaries = field(default_factory=Binaries.default)
    workdir: Path | None = None
    keep_workdir: bool = False
    apiserver_port: int | None = None
    etcd_port: int | None = None
    start_timeout: float = 60.0
    # Without a controller manager nobody creates default ServiceAccounts.
    service_account_admission: bool = False
    extra_apiserver_args: list[str] = field(default_factory=list)


class ControlPlane:
    """etcd plus kube-apiserver. Use as a context manager or call start/stop."""

    def __init__(self, options: ControlPlaneOptions | None = None) -> None:
        self.options = options or ControlPlaneOptions()
        self._own_workdir = self.options.workdir is None
        self.workdir = self.options.workdir or Path(tempfile.mkdtemp(prefix="kruise-envtest-"))
        self.certs_dir = self.workdir / "pki"
        self.logs_dir = self.workdir / "logs"
        self.etcd_port = self.options.etcd_port or free_port()
        self.etcd_peer_port = free_port()
        self.apiserver_port = self.options.apiserver_port or free_port()
        self.host = "127.0.0.1"
        self.etcd: Process | None = None
        self.apiserver: Process | None = None
        self._rest: SyncRest | None = None
        self._started = False

    # ---- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> ControlPlane:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API server's https URL."""
        return f"https://{self.host}:{self.apiserver_port}"

    @property
    def kubeconfig_path(self) -> Path:
        """The admin kubeconfig file, written on ``start``."""
        return self.workdir / "kubeconfig"

    def processes(self) -> list[Process]:
        """Every component, in start order."""
        return [p for p in (self.etcd, self.apiserver) if p is not None]

    def start(self) -> None:
        """Start etcd and kube-apiserver and wait until ``/readyz`` answers; a second call does
        nothing. A failure stops whatever had started and raises one line naming the cause."""
        if self._started:
            return
        self._started = True
        try:
            self._required_binaries()
            for port, name in ((self.etcd_port, "etcd"), (self.apiserver_port, "kube-apiserver")):
                ensure_free(port, name, self.host)
            self._write_pki()
            self._start_etcd()
            self._start_apiserver()
            self._after_apiserver()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop in reverse order; safe to call twice and after a failed start."""
        for process in reversed(self.processes()):
            process.stop()
        if self._own_workdir and not self.options.keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        self._started = False

    def check(self) -> None:
        """Raise a ComponentError naming the first component that is no longer running."""
        for process in self.processes():
            process.check_alive()

    def restart_apiserver(self) -> None:
        """Stop kube-apiserver and start it again on the same port and etcd."""
        assert self.apiserver is not None, "control plane is not running"
        self.apiserver.stop()
        self._start_apiserver()

    def restart_etcd(self) -> None:
        """Stop etcd and start it again on the same data directory and port, then wait until
        kube-apiserver is ready again (it reconnects by itself); the data survives."""
        assert self.etcd is not None, "control plane is not running"
        assert self.apiserver is not None, "control plane is not running"
        self.etcd.stop()
        self._start_etcd()
        self.apiserver.wait_ready(
            lambda: self.rest.ok("/readyz"), self.options.start_timeout, also_alive=[self.etcd]
        )

    def logs(self, lines: int = 40) -> dict[str, str]:
        """The tail of each component's log, for a failing test's report."""
        return {p.name: p.log_tail(lines) for p in self.processes()}

    # ---- clients ---------------------------------------------------------------------

    @property
    def rest(self) -> SyncRest:
        """A small blocking admin client, for setting up tests without an event loop."""
        if self._rest is None:
            self._rest = SyncRest(
                RestConfig(
                    self.host,
                    self.apiserver_port,
                    self.certs_dir / "serving-ca.crt",
                    self.certs_dir / "admin.crt",
                    self.certs_dir / "admin.key",
                )
            )
        return self._rest

    def install_crds(
        self, sources: Iterable[Source], webhook: WebhookEndpoint | None = None
    ) -> list[dict[str, Any]]:
        """Create or replace CRDs and wait until they are Established and discoverable."""
        return install_crds(self.rest, sources, webhook)

    def install_webhooks(
        self, sources: Iterable[Source], endpoint: WebhookEndpoint
    ) -> list[dict[str, Any]]:
        """Install webhook configurations whose services are rewritten to ``endpoint``."""
        return install_webhooks(self.rest, sources, endpoint)

    def kubeconfig(self) -> dict[str, Any]:
        """The admin kubeconfig (cluster-admin by client certificate), as a dict."""

        def b64(path: Path) -> str:
            return base64.b64encode(path.read_bytes()).decode()

        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "envtest",
                    "cluster": {
                        "server": self.url,
                        "certificate-authority-data": b64(self.certs_dir / "serving-ca.crt"),
                    },
                }
            ],
            "users": [
                {
                    "name": ADMIN_USER,
                    "user": {
                        "client-certificate-data": b64(self.certs_dir / "admin.crt"),
                        "client-key-data": b64(self.certs_dir / "admin.key"),
                    },
                }
            ],
            "contexts": [
                {"name": "envtest", "context": {"cluster": "envtest", "user": ADMIN_USER}}
            ],
            "current-context": "envtest",
        }

    def service_account_kubeconfig(
        self, namespace: str, name: str, path: Path, *, expiration_seconds: int = 24 * 3600
    ) -> Path:
        """Write a kubeconfig at ``path`` that acts as ServiceAccount ``namespace/name``
        through a fresh token (TokenRequest), so RBAC sees exactly that identity."""
        request = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": expiration_seconds},
        }
        answer = self.rest.request(
            "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token", request
        )
        config = self.kubeconfig()
        config["users"] = [{"name": name, "user": {"token": answer["status"]["token"]}}]
        config["contexts"][0]["context"]["user"] = name
        path.write_text(json.dumps(config))
        path.chmod(0o600)
        return path

    # ---- internals -------------------------------------------------------------------

    def _required_binaries(self) -> None:
        self.options.binaries.require("etcd", "kube-apiserver")

    def _write_pki(self) -> None:
        self.certs_dir.mkdir(parents=True, exist_ok=True)
        serving_ca = TinyCA("kruise-envtest-serving-ca")
        client_ca = TinyCA("kruise-envtest-client-ca")
        pki = self.certs_dir
        serving_ca.pair.write(pki / "serving-ca.crt", pki / "serving-ca.key")
        client_ca.pair.write(pki / "client-ca.crt", pki / "client-ca.key")
        hosts = [
            "localhost",
            self.host,
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local",
            "10.0.0.1",
        ]
        serving_ca.issue("kube-apiserver", hosts=hosts, server=True).write(
            pki / "apiserver.crt", pki / "apiserver.key"
        )
        client_ca.issue(ADMIN_USER, organizations=ADMIN_GROUPS, client=True).write(
            pki / "admin.crt", pki / "admin.key"
        )
        service_account_signer().write(pki / "sa-signer.crt", pki / "sa-signer.key")
        self.kubeconfig_path.write_text(json.dumps(self.kubeconfig(), indent=2))
        self.kubeconfig_path.chmod(0o600)

    def _start_etcd(self) -> None:
        client_url = f"http://{self.host}:{self.etcd_port}"
        peer_url = f"http://{self.host}:{self.etcd_peer_port}"
        self.etcd = Process(
            "etcd",
            [
                str(self.options.binaries.etcd),
                "--name=envtest",
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls={client_url}",
                f"--advertise-client-urls={client_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=envtest={peer_url}",
                "--unsafe-no-fsync=true",
                "--quota-backend-bytes=8589934592",
                "--log-level=warn",
            ],
            self.logs_dir / "etcd.log",
        )
        self.etcd.start()
        self.etcd.wait_ready(lambda: url_ok(f"{client_url}/health"), self.options.start_timeout)

    def _apiserver_args(self) -> list[str]:
        pki = self.certs_dir
        args = [
            str(self.options.binaries.kube_apiserver),
            f"--etcd-servers=http://{self.host}:{self.etcd_port}",
            f"--bind-address={self.host}",
            f"--advertise-address={self.host}",
            f"--secure-port={self.apiserver_port}",
            f"--tls-cert-file={pki / 'apiserver.crt'}",
            f"--tls-private-key-file={pki / 'apiserver.key'}",
            f"--client-ca-file={pki / 'client-ca.crt'}",
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={pki / 'sa-signer.crt'}",
            f"--service-account-signing-key-file={pki / 'sa-signer.key'}",
            f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
            "--allow-privileged=true",
            "--endpoint-reconciler-type=none",
            "--v=1",
        ]
        if not self.options.service_account_admission:
            args.append("--disable-admission-plugins=ServiceAccount")
        return args + self.options.extra_apiserver_args

    def _start_apiserver(self) -> None:
        assert self.etcd is not None
        self._rest = None
        self.apiserver = Process(
            "kube-apiserver", self._apiserver_args(), self.logs_dir / "kube-apiserver.log"
        )
        self.apiserver.start()
        self.apiserver.wait_ready(
            lambda: self.rest.ok("/readyz"), self.options.start_timeout, also_alive=[self.etcd]
        )

    def _after_apiserver(self) -> None:
        """Hook for the local cluster to start more components."""
