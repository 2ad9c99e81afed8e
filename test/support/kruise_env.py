"""The cluster the e2e suite runs against, and the kruise-manager replicas serving it.

Two modes, one suite:

* local (default): a LocalCluster (etcd, kube-apiserver, controller manager, scheduler,
  kwok nodes) with kruise-manager run as separate processes under the ServiceAccount's
  own token, so a missing RBAC rule fails the suite. Replicas bind the webhook port on
  their own loopback address (127.0.0.2, 127.0.0.3, ...) behind a TCP relay on
  127.0.0.1, as a Service stands in front of the pods of a Deployment.
* existing (``E2E_KUBECONFIG`` set, e.g. by ``E2E_CLUSTER=kind make e2e``): kruise-py is
  already deployed by ``config/default``; replicas are the Deployment's pods, killed by
  deleting them. Their health is read through the API server's pod proxy; their metrics,
  which config/default serves over HTTPS to authorized callers only (and which its
  NetworkPolicy closes to other namespaces), through ``kubectl port-forward`` with the token
  of a ServiceAccount bound to ``kruise-py-metrics-reader``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from prometheus_client.parser import text_string_to_metric_families

from kruise.runtime.envtest import LocalCluster, LocalClusterOptions
from kruise.runtime.envtest.binaries import Binaries
from kruise.runtime.envtest.install import (
    CRD_COLLECTION,
    WEBHOOK_COLLECTIONS,
    load_documents,
    wait_for_crds,
)
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.envtest.rest import RestError, SyncRest, url_ok
from support.commands import manager_command
from support.paths import REPO_ROOT
from support.polling import eventually_blocking
from support.workloads import webhooks_called

SYSTEM = "kube-system"
ACCOUNT = "kruise-manager"
LEASE = "kruise-manager"
METRICS_PORT = 8080
DEPLOYMENT = "kruise-controller-manager"
# Short leader election timings so failover fits in a test (lease 4 s, renew 3 s, retry 1 s).
ELECTION = ["--leader-election-lease-duration=4", "--leader-election-renew-deadline=3"]
ELECTION += ["--leader-election-retry-period=1"]

Metrics = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse_metrics(text: str) -> Metrics:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


class Api(Protocol):
    def request(self, method: str, path: str, body: Any = None) -> Any: ...
    def get(self, path: str) -> Any: ...


class Replica(Protocol):
    identity: str

    def alive(self) -> bool: ...
    def metrics(self) -> Metrics: ...
    def ready(self) -> bool: ...


# ---- local mode ------------------------------------------------------------------------


class Relay:
    """A TCP relay: 127.0.0.1:port to the first live backend, like a Service."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.backends: list[tuple[str, int]] = []
        self._server = socket.create_server(("127.0.0.1", port))
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        for backend in list(self.backends):
            try:
                upstream = socket.create_connection(backend, timeout=2)
            except OSError:
                continue
            upstream.settimeout(None)
            for src, dst in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=_pipe, args=(src, dst), daemon=True).start()
            return
        conn.close()

    def close(self) -> None:
        self._closed = True
        self._server.close()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


@dataclass
class LocalReplica:
    identity: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    health: int
    metrics_port: int
    bind: str

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def metrics(self) -> Metrics:
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            return parse_metrics(response.read().decode())

    def ready(self) -> bool:
        return self.alive() and url_ok(f"http://127.0.0.1:{self.health}/readyz")

    def readyz(self) -> tuple[int, str]:
        try:
            url = f"http://127.0.0.1:{self.health}/readyz?verbose"
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()


@dataclass
class KruiseEnv:
    """What every e2e test sees: an admin REST client, the kubeconfig, the replicas."""

    kubeconfig: Path
    rest: Api
    local: LocalCluster | None = None
    workdir: Path | None = None
    relay: Relay | None = None
    sa_kubeconfig: Path | None = None
    webhook_port: int = 0
    audit_log: Path | None = None
    """Local mode: every request kruise-manager's ServiceAccount made (audit events)."""
    metrics_token: str = ""
    """Existing-cluster mode: a token allowed to read the replicas' /metrics."""
    replicas: list[LocalReplica] = field(default_factory=list)
    _next: int = 2

    # -- replicas --

    def leader_identity(self) -> str | None:
        try:
            lease = self.rest.get(
                f"/apis/coordination.k8s.io/v1/namespaces/{SYSTEM}/leases/{LEASE}"
            )
        except RestError:
            return None
        holder = lease.get("spec", {}).get("holderIdentity")
        return str(holder) if holder else None

    def live_replicas(self) -> list[Replica]:
        if self.local is not None:
            return [r for r in self.replicas if r.alive()]
        assert isinstance(self.rest, KubectlRest)
        return [
            PodReplica(self.rest, name, self.metrics_token) for name in _deployment_pods(self.rest)
        ]

    def leader(self) -> Replica:
        def find() -> Replica | None:
            holder = self.leader_identity()
            return next((r for r in self.live_replicas() if r.identity == holder), None)

        return eventually_blocking(
            find, timeout=60, interval=0.2, what="a leading kruise-manager replica"
        )

    def start_replica(self) -> LocalReplica:
        """Local mode: one more kruise-manager process (a Deployment scale-up)."""
        assert self.local is not None
        assert self.workdir is not None
        assert self.relay is not None
        assert self.sa_kubeconfig is not None
        n, self._next = self._next, self._next + 1
        identity = f"kruise-manager-e2e-{n}"
        bind = f"127.0.0.{n}"
        health, metrics = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "KUBECONFIG"))}
        env.update(POD_NAMESPACE=SYSTEM, POD_NAME=identity, PYTHONUNBUFFERED="1")
        log_path = self.workdir / f"{identity}.log"
        with log_path.open("w") as log:
            popen = subprocess.Popen(
                [
                    *manager_command(),
                    f"--kubeconfig={self.sa_kubeconfig}",
                    "--enable-leader-election",
                    *ELECTION,
                    f"--metrics-addr=127.0.0.1:{metrics}",
                    f"--health-probe-addr=127.0.0.1:{health}",
                    "--webhook-host=127.0.0.1",
                    f"--webhook-port={self.webhook_port}",
                    f"--webhook-bind-address={bind}",
                    f"--webhook-cert-dir={self.workdir / identity / 'certs'}",
                    "--kube-client-qps=100",
                    "--kube-client-burst=200",
                    "--log-format=json",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        replica = LocalReplica(identity, popen, log_path, health, metrics, bind)
        self.replicas.append(replica)
        self.relay.backends.append((bind, self.webhook_port))
        return replica

    def wait_ready(self, replica: LocalReplica, timeout: float = 90.0) -> None:
        def ready() -> bool:
            if not replica.alive():
                raise AssertionError(f"{replica.identity} exited:\n{replica.log()[-3000:]}")
            return replica.ready()

        eventually_blocking(
            ready, timeout=timeout, interval=0.2, what=f"{replica.identity} /readyz"
        )

    def kill(self, replica: Replica, sig: signal.Signals = signal.SIGKILL) -> None:
        if isinstance(replica, LocalReplica):
            replica.popen.send_signal(sig)
            replica.popen.wait(60)
        else:
            assert isinstance(replica, PodReplica)
            grace = 0 if sig == signal.SIGKILL else 30
            kubectl_args = [f"--grace-period={grace}", "--wait=false"]
            if grace == 0:
                kubectl_args.append("--force")
            done = _kubectl(
                self.kubeconfig, "-n", SYSTEM, "delete", "pod", replica.identity, *kubectl_args
            )
            assert done.returncode == 0, done.stderr

    def ensure_replicas(self, count: int) -> None:
        """At least ``count`` live replicas, all ready (local: start processes; an existing
        cluster: wait for the Deployment)."""
        if self.local is None:
            eventually_blocking(
                lambda: len([r for r in self.live_replicas() if r.ready()]) >= count,
                timeout=300,
                interval=0.2,
                what=f"{count} ready kruise-manager pods",
            )
            return
        while len(self.live_replicas()) < count:
            self.start_replica()
        for replica in self.replicas:
            if replica.alive():
                self.wait_ready(replica)

    def stop(self) -> None:
        for replica in self.replicas:
            if replica.alive():
                replica.popen.terminate()
        for replica in self.replicas:
            try:
                replica.popen.wait(45)
            except subprocess.TimeoutExpired:
                replica.popen.kill()
                replica.popen.wait(10)
        if self.relay is not None:
            self.relay.close()


# ---- existing-cluster mode -------------------------------------------------------------


@dataclass
class PodReplica:
    rest: KubectlRest
    identity: str  # the pod name, which the Deployment passes as POD_NAME
    metrics_token: str = ""

    def _proxy(self, port: int, path: str) -> str:
        path = f"/api/v1/namespaces/{SYSTEM}/pods/{self.identity}:{port}/proxy{path}"
        return str(self.rest.request("GET", path, raw=True))

    def alive(self) -> bool:
        try:
            pod = self.rest.get(f"/api/v1/namespaces/{SYSTEM}/pods/{self.identity}")
        except RestError:
            return False
        return not pod["metadata"].get("deletionTimestamp")

    def metrics(self) -> Metrics:
        with self.rest.port_forward(f"pod/{self.identity}", METRICS_PORT) as local_port:
            request = urllib.request.Request(
                f"https://127.0.0.1:{local_port}/metrics",
                headers={"Authorization": f"Bearer {self.metrics_token}"},
            )
            # The serving certificate names the webhook Service, not 127.0.0.1.
            unverified = ssl.create_default_context()
            unverified.check_hostname = False
            unverified.verify_mode = ssl.CERT_NONE
            with urllib.request.urlopen(request, timeout=10, context=unverified) as answer:
                return parse_metrics(answer.read().decode())

    def ready(self) -> bool:
        try:
            self._proxy(8000, "/readyz")
        except RestError:
            return False
        return True


class KubectlRest:
    """The few raw API calls the suite makes, through the pinned kubectl, for a cluster
    known only by its kubeconfig (any authentication kubectl supports)."""

    def __init__(self, kubeconfig: Path) -> None:
        self.kubeconfig = kubeconfig

    def request(self, method: str, path: str, body: Any = None, raw: bool = False) -> Any:
        verb = {"GET": "get", "DELETE": "delete", "POST": "create", "PUT": "replace"}[method]
        args = [verb, "--raw", path]
        stdin = None
        if body is not None and method in ("POST", "PUT"):
            args += ["-f", "-"]
            stdin = json.dumps(body)
        done = subprocess.run(
            [str(Binaries.default().kubectl), f"--kubeconfig={self.kubeconfig}", *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RestError(method, path, 500, done.stderr.strip())
        if raw:
            return done.stdout
        return json.loads(done.stdout) if done.stdout.strip() else None

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    @contextlib.contextmanager
    def port_forward(self, target: str, port: int) -> Iterator[int]:
        """``kubectl port-forward`` to ``target``'s ``port`` on a free local port, for the
        life of the block."""
        forward = subprocess.Popen(
            [
                str(Binaries.default().kubectl),
                f"--kubeconfig={self.kubeconfig}",
                f"--namespace={SYSTEM}",
                "port-forward",
                target,
                f":{port}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert forward.stdout is not None
            line = forward.stdout.readline()
            found = re.search(r"127\.0\.0\.1:(\d+)", line)
            if found is None:
                raise RestError("GET", target, 500, f"port-forward: {line.strip()}")
            yield int(found.group(1))
        finally:
            forward.terminate()
            forward.wait(10)

    def token_for_metrics_reader(self) -> str:
        """A ServiceAccount bound to kruise-py-metrics-reader, and a token of it."""
        account = "kruise-py-e2e-metrics"
        for args in (
            ["create", "serviceaccount", account, f"--namespace={SYSTEM}"],
            [
                "create",
                "clusterrolebinding",
                account,
                "--clusterrole=kruise-py-metrics-reader",
                f"--serviceaccount={SYSTEM}:{account}",
            ],
        ):
            done = _kubectl(self.kubeconfig, *args)
            if done.returncode != 0 and "AlreadyExists" not in done.stderr:
                raise RestError("POST", account, 500, done.stderr.strip())
        token = _kubectl(self.kubeconfig, "create", "token", account, f"--namespace={SYSTEM}")
        if token.returncode != 0:
            raise RestError("POST", account, 500, token.stderr.strip())
        return token.stdout.strip()


def _deployment_pods(rest: Api) -> list[str]:
    pods = rest.get(
        f"/api/v1/namespaces/{SYSTEM}/pods?labelSelector=control-plane%3Dcontroller-manager%2Capp.kubernetes.io%2Fname%3Dkruise-py"
    )
    return [
        p["metadata"]["name"] for p in pods["items"] if not p["metadata"].get("deletionTimestamp")
    ]


# ---- building the environment ----------------------------------------------------------


def _kubectl(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    kubectl = Binaries.default().kubectl
    return subprocess.run(
        [str(kubectl), f"--kubeconfig={kubeconfig}", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )


AUDIT_POLICY = {
    "apiVersion": "audit.k8s.io/v1",
    "kind": "Policy",
    "omitStages": ["RequestReceived"],
    "rules": [
        {"level": "Metadata", "users": [f"system:serviceaccount:{SYSTEM}:{ACCOUNT}"]},
        {"level": "None"},
    ],
}


def local_env(workdir: Path) -> Iterator[KruiseEnv]:
    policy = workdir / "audit-policy.json"
    policy.write_text(json.dumps(AUDIT_POLICY))
    audit_log = workdir / "audit.log"
    options = LocalClusterOptions(
        extra_apiserver_args=[
            f"--audit-policy-file={policy}",
            f"--audit-log-path={audit_log}",
            "--audit-log-format=json",
            "--audit-log-mode=blocking",
        ]
    )
    with LocalCluster(options) as cluster:
        crds = list(load_documents([REPO_ROOT / "config/crd/bases"]))
        for crd in crds:
            cluster.rest.apply(CRD_COLLECTION, crd)
        wait_for_crds(cluster.rest, crds, timeout=60)
        applied = _kubectl(cluster.kubeconfig_path, "apply", "-k", "config/rbac")
        assert applied.returncode == 0, applied.stderr
        env = KruiseEnv(
            kubeconfig=cluster.kubeconfig_path,
            rest=cluster.rest,
            local=cluster,
            workdir=workdir,
            sa_kubeconfig=cluster.service_account_kubeconfig(
                SYSTEM, ACCOUNT, workdir / "sa.kubeconfig"
            ),
            audit_log=audit_log,
        )
        env.webhook_port = free_port()
        env.relay = Relay(env.webhook_port)
        for doc in load_documents([REPO_ROOT / "config/webhook/manifests.yaml"]):
            cluster.rest.apply(WEBHOOK_COLLECTIONS[doc["kind"]], doc)
        try:
            env.wait_ready(env.start_replica())
            eventually_blocking(
                lambda: webhooks_called(cluster.rest),
                timeout=60,
                interval=0.2,
                what="the API server to call webhooks",
            )
            yield env
        finally:
            env.stop()
            for replica in env.replicas:
                print(f"---- {replica.identity} (tail)\n{replica.log()[-2000:]}")


def existing_env(kubeconfig: Path) -> Iterator[KruiseEnv]:
    rest = KubectlRest(kubeconfig)
    env = KruiseEnv(kubeconfig=kubeconfig, rest=rest, metrics_token=rest.token_for_metrics_reader())
    env.ensure_replicas(1)
    eventually_blocking(
        lambda: webhooks_called(rest),
        timeout=120,
        interval=0.2,
        what="the API server to call webhooks",
    )
    yield env


def build_env(workdir: Path) -> Iterator[KruiseEnv]:
    target = os.environ.get("E2E_KUBECONFIG")
    if target:
        yield from existing_env(Path(target))
    else:
        yield from local_env(workdir)


def object_list(rest: SyncRest, path: str) -> list[dict[str, Any]]:
    return list(rest.get(path).get("items", []))
