"""The cluster of a chaos run: a LocalCluster with auditing, kruise-py's CRDs, RBAC and
webhooks, and two kruise-manager slots with leader election.

Each slot runs under its own ServiceAccount (bound to the same roles as
``kruise-manager``), so the audit log names which manager made each request. A slot's
Lease identity is ``<slot>-<incarnation>``: a killed manager comes back as a new
identity in the same slot. Both replicas serve the webhooks on their own loopback
address behind one relay, as a Service stands in front of a Deployment's pods. The
managers reach kube-apiserver through the fault proxy when one is given.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.commands import manager_command
from support.kruise_env import Relay, _kubectl, parse_metrics
from support.managers import die_with_parent
from support.paths import REPO_ROOT
from support.polling import eventually_blocking
from support.workloads import webhooks_called

from chaos.leadership import audit_policy
from kruise.runtime.envtest import LocalCluster, LocalClusterOptions
from kruise.runtime.envtest.cluster import NodeSpec
from kruise.runtime.envtest.install import (
    CRD_COLLECTION,
    WEBHOOK_COLLECTIONS,
    load_documents,
    wait_for_crds,
)
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.envtest.rest import url_ok

SYSTEM = "kube-system"
LEASE = "kruise-manager"
SLOTS = ("chaos-manager-a", "chaos-manager-b")
# Short leader election timings so leadership moves within seconds.
ELECTION = [
    "--leader-election-lease-duration=4",
    "--leader-election-renew-deadline=3",
    "--leader-election-retry-period=1",
]
_SPAWNER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="spawner")
Metrics = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def rss_bytes(pid: int) -> int | None:
    """Resident set size from /proc (no psutil here); None once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@dataclass
class Slot:
    """One kruise-manager replica position; a restart is a new incarnation."""

    name: str
    bind: str
    kubeconfig: Path
    workdir: Path
    webhook_port: int
    extra_args: list[str] = field(default_factory=list)
    incarnation: int = 0
    popen: subprocess.Popen[bytes] | None = None
    metrics_port: int = 0
    health_port: int = 0
    last_metrics: Metrics = field(default_factory=dict)
    finished_metrics: list[Metrics] = field(default_factory=list)

    @property
    def identity(self) -> str:
        return f"{self.name}-{self.incarnation}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> None:
        self.incarnation += 1
        self.metrics_port, self.health_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "KUBECONFIG"))}
        env.update(POD_NAMESPACE=SYSTEM, POD_NAME=self.identity, PYTHONUNBUFFERED="1")
        command = [
            *manager_command(),
            f"--kubeconfig={self.kubeconfig}",
            "--enable-leader-election",
            *ELECTION,
            f"--metrics-addr=127.0.0.1:{self.metrics_port}",
            f"--health-probe-addr=127.0.0.1:{self.health_port}",
            "--webhook-host=127.0.0.1",
            f"--webhook-port={self.webhook_port}",
            f"--webhook-bind-address={self.bind}",
            f"--webhook-cert-dir={self.workdir / self.name / 'certs'}",
            "--kube-client-qps=100",
            "--kube-client-burst=200",
            "--log-format=json",
            *self.extra_args,
        ]
        with self.log_path.open("ab") as log:
            log.write(f"---- {self.identity} starts\n".encode())
            log.flush()
            # Forked from one long-lived thread: the kernel kills the manager when the
            # forking thread dies (even by SIGKILL), so no manager outlives the run.
            self.popen = _SPAWNER.submit(
                subprocess.Popen,
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=die_with_parent,
            ).result()

    def exit_code(self) -> int | None:
        return self.popen.poll() if self.popen else None

    def reap(self) -> None:
        """Keep the metrics of an incarnation that exited by itself."""
        self.finished_metrics.append(self.last_metrics)
        self.last_metrics = {}

    def ready(self) -> bool:
        return self.alive() and url_ok(f"http://127.0.0.1:{self.health_port}/readyz")

    def scrape(self) -> Metrics | None:
        """The replica's metrics now (kept as its last known figures), None if unreachable."""
        if not self.alive():
            return None
        try:
            url = f"http://127.0.0.1:{self.metrics_port}/metrics"
            with urllib.request.urlopen(url, timeout=5) as response:
                self.last_metrics = parse_metrics(response.read().decode())
        except OSError:
            return None
        return self.last_metrics

    def stop(self, sig: signal.Signals, timeout: float = 60.0) -> int | None:
        """Send ``sig`` and reap; the incarnation's last scraped metrics are kept."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self.scrape()
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)
        self.finished_metrics.append(self.last_metrics)
        self.last_metrics = {}
        return self.popen.returncode

    def rss(self) -> int | None:
        return rss_bytes(self.popen.pid) if self.alive() and self.popen else None

    def relists(self) -> int:
        """Informer relists after 410 Gone / too-new versions, from the replica's log
        (every incarnation, including what a SIGKILLed one did after its last scrape)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return 0
        return text.count("relisting")


def _bindings(slots: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """ServiceAccounts for the slots, bound to the roles kruise-manager's account has."""
    subjects = [{"kind": "ServiceAccount", "name": s, "namespace": SYSTEM} for s in slots]
    docs: list[tuple[str, dict[str, Any]]] = [
        (
            f"/api/v1/namespaces/{SYSTEM}/serviceaccounts",
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": s}},
        )
        for s in slots
    ]
    rbac = "rbac.authorization.k8s.io"
    docs.append(
        (
            f"/apis/{rbac}/v1/clusterrolebindings",
            {
                "apiVersion": f"{rbac}/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": "chaos-managers"},
                "roleRef": {"apiGroup": rbac, "kind": "ClusterRole", "name": "kruise-manager-role"},
                "subjects": subjects,
            },
        )
    )
    for role in ("kruise-leader-election-role", "kruise-webhook-certs-role"):
        docs.append(
            (
                f"/apis/{rbac}/v1/namespaces/{SYSTEM}/rolebindings",
                {
                    "apiVersion": f"{rbac}/v1",
                    "kind": "RoleBinding",
                    "metadata": {"name": f"chaos-{role}"},
                    "roleRef": {"apiGroup": rbac, "kind": "Role", "name": role},
                    "subjects": subjects,
                },
            )
        )
    return docs


@dataclass
class ChaosCluster:
    """Start with ``start()``; ``stop()`` ends the managers and the cluster."""

    workdir: Path
    nodes: int = 3
    # Point the slots' kubeconfigs elsewhere (the fault proxy): token -> kubeconfig dict.
    route: Callable[[str], dict[str, Any]] | None = None
    manager_args: list[str] = field(default_factory=list)
    cluster: LocalCluster | None = None
    slots: list[Slot] = field(default_factory=list)
    relay: Relay | None = None

    @property
    def audit_log(self) -> Path:
        return self.workdir / "audit.log"

    def start_cluster(self) -> LocalCluster:
        """The cluster with auditing, CRDs, RBAC (and the slots' accounts) and webhooks."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        policy = self.workdir / "audit-policy.json"
        policy.write_text(json.dumps(audit_policy(SYSTEM, SLOTS)))
        options = LocalClusterOptions(
            workdir=self.workdir / "cluster",
            nodes=[NodeSpec(f"kwok-node-{i}") for i in range(self.nodes)],
            extra_apiserver_args=[
                f"--audit-policy-file={policy}",
                f"--audit-log-path={self.audit_log}",
                "--audit-log-format=json",
                "--audit-log-mode=blocking",
            ],
        )
        self.cluster = cluster = LocalCluster(options)
        cluster.start()
        crds = list(load_documents([REPO_ROOT / "config/crd/bases"]))
        for crd in crds:
            cluster.rest.apply(CRD_COLLECTION, crd)
        wait_for_crds(cluster.rest, crds, timeout=60)
        applied = _kubectl(cluster.kubeconfig_path, "apply", "-k", "config/rbac")
        assert applied.returncode == 0, applied.stderr
        for collection, doc in _bindings(SLOTS):
            cluster.rest.apply(collection, doc)
        webhook_port = free_port()
        self.relay = Relay(webhook_port)
        for doc in load_documents([REPO_ROOT / "config/webhook/manifests.yaml"]):
            cluster.rest.apply(WEBHOOK_COLLECTIONS[doc["kind"]], doc)
        return cluster

    def start_managers(self) -> None:
        """Both slots, ready, and the API server calling their webhooks."""
        cluster, webhook_port = self.cluster, self.relay.port if self.relay else 0
        assert cluster is not None
        assert self.relay is not None
        for index, name in enumerate(SLOTS):
            slot = Slot(
                name,
                f"127.0.0.{index + 2}",
                self._kubeconfig(name),
                self.workdir,
                webhook_port,
                list(self.manager_args),
            )
            self.slots.append(slot)
            self.relay.backends.append((slot.bind, webhook_port))
            slot.start()
        for slot in self.slots:
            self.wait_ready(slot)
        eventually_blocking(
            lambda: webhooks_called(cluster.rest),
            timeout=90,
            interval=0.5,
            what="the API server to call the webhooks",
        )

    def _kubeconfig(self, slot: str) -> Path:
        assert self.cluster is not None
        path = self.workdir / f"{slot}.kubeconfig"
        self.cluster.service_account_kubeconfig(SYSTEM, slot, path)
        if self.route is not None:
            token = json.loads(path.read_text())["users"][0]["user"]["token"]
            path.write_text(json.dumps(self.route(token)))
        return path

    def wait_ready(self, slot: Slot, timeout: float = 120.0) -> None:
        def ready() -> bool:
            if not slot.alive():
                tail = slot.log_path.read_text(errors="replace")[-2000:]
                raise AssertionError(f"{slot.identity} exited:\n{tail}")
            return slot.ready()

        eventually_blocking(ready, timeout=timeout, interval=0.3, what=f"{slot.identity} /readyz")

    def leader(self) -> str | None:
        assert self.cluster is not None
        try:
            lease = self.cluster.rest.get(
                f"/apis/coordination.k8s.io/v1/namespaces/{SYSTEM}/leases/{LEASE}"
            )
        except Exception:
            return None
        return (lease.get("spec") or {}).get("holderIdentity") or None

    def stop(self) -> None:
        for slot in self.slots:
            slot.stop(signal.SIGTERM, timeout=45)
        if self.relay is not None:
            self.relay.close()
        if self.cluster is not None:
            self.cluster.stop()


def lease_path() -> str:
    """The leader election Lease, as a collection the checker can watch."""
    leases = f"/apis/coordination.k8s.io/v1/namespaces/{SYSTEM}/leases"
    return f"{leases}?fieldSelector=metadata.name%3D{LEASE}"
