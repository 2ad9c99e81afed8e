"""The local control plane: etcd and kube-apiserver, optionally a whole local cluster.

with ControlPlane() as plane:           # etcd + kube-apiserver
    plane.install_crds(["config/crd/bases"])

with LocalCluster() as cluster:         # + controller manager, scheduler, kwok nodes,
    print(cluster.kubeconfig_path)     #   default StorageClass and volume provisioner

with FaultProxy.for_control_plane(plane, rules, seed=7) as proxy:  # faults between a
    proxy.kubeconfig(path)                                         # client and the API
"""

from kruise.runtime.envtest.binaries import Binaries
from kruise.runtime.envtest.cluster import LocalCluster, LocalClusterOptions, NodeSpec
from kruise.runtime.envtest.controlplane import ControlPlane, ControlPlaneOptions
from kruise.runtime.envtest.faultproxy import (
    ClientCertificate,
    Fault,
    FaultKind,
    FaultPlan,
    FaultProxy,
    InjectedFault,
    Rule,
)
from kruise.runtime.envtest.install import WebhookEndpoint, install_crds, install_webhooks
from kruise.runtime.envtest.ports import PortInUseError
from kruise.runtime.envtest.process import BinaryNotFoundError, ComponentError, EnvtestError

__all__ = [
    "Binaries",
    "BinaryNotFoundError",
    "ClientCertificate",
    "ComponentError",
    "ControlPlane",
    "ControlPlaneOptions",
    "EnvtestError",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "FaultProxy",
    "InjectedFault",
    "LocalCluster",
    "LocalClusterOptions",
    "NodeSpec",
    "PortInUseError",
    "Rule",
    "WebhookEndpoint",
    "install_crds",
    "install_webhooks",
]
