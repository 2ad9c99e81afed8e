"""A local cluster: the control plane plus kube-controller-manager, kube-scheduler and kwok.

kwok turns Node objects carrying the ``kwok.x-k8s.io/node: fake`` annotation into
Ready nodes and drives the pods scheduled onto them through the stages in
``stages/`` (Running and Ready, Job and BroadcastJob pods completing, in-place image
changes, readiness gates), so workloads behave as on a real cluster without a kubelet.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kruise.runtime.envtest.controlplane import (
    SERVICE_CLUSTER_IP_RANGE,
    ControlPlane,
    ControlPlaneOptions,
)
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.envtest.process import EnvtestError, Process
from kruise.runtime.envtest.provisioner import STORAGE_CLASSES, default_storage_class
from kruise.runtime.envtest.rest import RestError, url_ok

FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"
FAKE_NODE_VALUE = "fake"


@dataclass
class NodeSpec:
    """One fake node: its name, labels, taints and capacity."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[dict[str, str]] = field(default_factory=list)
    capacity: dict[str, str] = field(
        default_factory=lambda: {"cpu": "32", "memory": "256Gi", "pods": "250"}
    )

    def manifest(self) -> dict[str, Any]:
        """The Node object, annotated so that kwok takes it over and reports it Ready."""
        labels = {
            "kubernetes.io/hostname": self.name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "type": "kwok",
            **self.labels,
        }
        return {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": self.name,
                "labels": labels,
                "annotations": {FAKE_NODE_ANNOTATION: FAKE_NODE_VALUE},
            },
            "spec": {"providerID": f"kwok://{self.name}", "taints": self.taints},
            "status": {"capacity": self.capacity, "allocatable": self.capacity},
        }


@dataclass
class LocalClusterOptions(ControlPlaneOptions):
    """``ControlPlaneOptions`` plus the fake nodes (three by default),
    kube-controller-manager's client QPS and burst (its own defaults when None), and
    whether to run the local-path volume provisioner with its default StorageClass
    ``standard`` (on by default).

    ServiceAccount admission is on: kube-controller-manager creates the default accounts.
    """

    nodes: list[NodeSpec] = field(
        default_factory=lambda: [NodeSpec(f"kwok-node-{i}") for i in range(3)]
    )
    kube_api_qps: int | None = None
    kube_api_burst: int | None = None
    service_account_admission: bool = True
    storage_provisioner: bool = True


def stage_files() -> list[Path]:
    """The kwok stage files shipped with this package."""
    folder = resources.files("kruise.runtime.envtest") / "stages"
    return sorted(Path(str(f)) for f in folder.iterdir() if f.name.endswith(".yaml"))


class LocalCluster(ControlPlane):
    """A control plane with controllers, a scheduler and fake nodes."""

    options: LocalClusterOptions

    def __init__(self, options: LocalClusterOptions | None = None) -> None:
        super().__init__(options or LocalClusterOptions())
        self.controller_manager: Process | None = None
        self.scheduler: Process | None = None
        self.kwok: Process | None = None
        self.provisioner: Process | None = None

    @property
    def volumes_dir(self) -> Path:
        """Where the provisioner makes the directories of the volumes it provisions."""
        return self.workdir / "local-path-provisioner"

    def processes(self) -> list[Process]:
        """Every component, in start order: etcd, kube-apiserver, then the ones this class adds."""
        extra = [self.controller_manager, self.scheduler, self.kwok, self.provisioner]
        return super().processes() + [p for p in extra if p is not None]

    def _required_binaries(self) -> None:
        super()._required_binaries()
        self.options.binaries.require("kube-controller-manager", "kube-scheduler", "kwok")

    def _after_apiserver(self) -> None:
        kubeconfig = str(self.kubeconfig_path)
        delegated = [
            f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            "--leader-elect=false",
            f"--bind-address={self.host}",
        ]
        kcm_port = free_port()
        kcm_args = [
            str(self.options.binaries.kube_controller_manager),
            *delegated,
            f"--secure-port={kcm_port}",
            f"--service-account-private-key-file={self.certs_dir / 'sa-signer.key'}",
            f"--root-ca-file={self.certs_dir / 'serving-ca.crt'}",
            f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
            "--use-service-account-credentials=false",
            "--v=1",
        ]
        if self.options.kube_api_qps:
            kcm_args.append(f"--kube-api-qps={self.options.kube_api_qps}")
        if self.options.kube_api_burst:
            kcm_args.append(f"--kube-api-burst={self.options.kube_api_burst}")
        self.controller_manager = self._start_component(
            "kube-controller-manager", kcm_args, kcm_port
        )
        scheduler_port = free_port()
        self.scheduler = self._start_component(
            "kube-scheduler",
            [
                str(self.options.binaries.kube_scheduler),
                *delegated,
                f"--secure-port={scheduler_port}",
                "--v=1",
            ],
            scheduler_port,
        )
        self._start_kwok()
        self.add_nodes(self.options.nodes)
        if self.options.storage_provisioner:
            self._start_provisioner()
        self.wait_for_service_account("default")

    def _start_component(self, name: str, args: list[str], port: int) -> Process:
        process = Process(name, args, self.logs_dir / f"{name}.log")
        process.start()
        process.wait_ready(
            lambda: url_ok(f"https://{self.host}:{port}/healthz"),
            self.options.start_timeout,
            also_alive=super().processes(),
        )
        return process

    def _start_kwok(self) -> None:
        port = free_port()
        args = [
            str(self.options.binaries.kwok),
            f"--kubeconfig={self.kubeconfig_path}",
            "--manage-all-nodes=false",
            f"--manage-nodes-with-annotation-selector={FAKE_NODE_ANNOTATION}={FAKE_NODE_VALUE}",
            "--node-lease-duration-seconds=40",
            "--cidr=10.244.0.0/16",
            "--node-ip=127.0.0.1",
            f"--server-address={self.host}:{port}",
        ]
        args += [f"--config={path}" for path in stage_files()]
        self.kwok = Process("kwok", args, self.logs_dir / "kwok.log")
        self.kwok.start()
        self.kwok.wait_ready(
            lambda: url_ok(f"http://{self.host}:{port}/healthz"),
            self.options.start_timeout,
            also_alive=super().processes(),
        )

    def _start_provisioner(self) -> None:
        """Create the default StorageClass and run the provisioner as a child process."""
        self.rest.apply(STORAGE_CLASSES.path(), default_storage_class())
        port = free_port()
        # The child imports this very package, wherever it was imported from.
        package_root = str(Path(__file__).resolve().parents[3])
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        args = [
            sys.executable,
            "-m",
            "kruise.runtime.envtest.provisioner",
            f"--kubeconfig={self.kubeconfig_path}",
            f"--root={self.volumes_dir}",
            f"--health-probe-addr={self.host}:{port}",
        ]
        self.provisioner = Process(
            "local-path-provisioner",
            args,
            self.logs_dir / "local-path-provisioner.log",
            env={**os.environ, "PYTHONPATH": path},
        )
        self.provisioner.start()
        self.provisioner.wait_ready(
            lambda: url_ok(f"http://{self.host}:{port}/readyz"),
            self.options.start_timeout,
            also_alive=super().processes(),
        )

    def add_nodes(self, nodes: list[NodeSpec], timeout: float = 60.0) -> None:
        """Create fake nodes and wait until kwok reports each of them Ready."""
        for node in nodes:
            self.rest.apply("/api/v1/nodes", node.manifest())
        deadline = time.monotonic() + timeout
        for node in nodes:
            while not self._node_ready(node.name):
                self.check()
                if time.monotonic() > deadline:
                    raise EnvtestError(f"node {node.name} did not become Ready in {timeout:.0f}s")
                time.sleep(0.1)

    def _node_ready(self, name: str) -> bool:
        try:
            node = self.rest.get(f"/api/v1/nodes/{name}")
        except RestError:
            return False
        conditions = (node.get("status") or {}).get("conditions") or []
        return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)

    def wait_for_service_account(self, namespace: str, timeout: float = 30.0) -> None:
        """Wait for the namespace's ``default`` ServiceAccount, which pods need."""
        deadline = time.monotonic() + timeout
        while not self.rest.ok(f"/api/v1/namespaces/{namespace}/serviceaccounts/default"):
            self.check()
            if time.monotonic() > deadline:
                raise EnvtestError(f"no default ServiceAccount in namespace {namespace}")
            time.sleep(0.1)
