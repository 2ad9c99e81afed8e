"""The local control plane: etcd and kube-apiserver, optionally a whole local cluster.

with ControlPlane() as plane:           # etcd + kube-apiserver
    plane.install_crds(["config/crd/bases"])

with LocalCluster() as cluster:         # + controller manager, scheduler, kwok nodes,
    print(cluster.kubeconfig_path)     #   default StorageClass and volume provisioner
"""

from kruise.runtime.envtest.binaries import Binaries
from kruise.runtime.envtest.cluster import LocalCluster, LocalClusterOptions, NodeSpec
from kruise.runtime.envtest.controlplane import ControlPlane, ControlPlaneOptions
from kruise.runtime.envtest.install import WebhookEndpoint, install_crds, install_webhooks
from kruise.runtime.envtest.ports import PortInUseError
from kruise.runtime.envtest.process import BinaryNotFoundError, ComponentError, EnvtestError

__all__ = [
    "Binaries",
    "BinaryNotFoundError",
    "ComponentError",
    "ControlPlane",
    "ControlPlaneOptions",
    "EnvtestError",
    "LocalCluster",
    "LocalClusterOptions",
    "NodeSpec",
    "PortInUseError",
    "WebhookEndpoint",
    "install_crds",
    "install_webhooks",
]
