"""A dynamic volume provisioner for the local cluster, in the manner of kind's local-path.

The local cluster has StorageClass ``standard`` (the default class, provisioner
``rancher.io/local-path``, ``WaitForFirstConsumer``). Once the scheduler has picked a node
for a pod using a claim of that class, kube-controller-manager's PV controller names the
provisioner on the claim (``volume.kubernetes.io/storage-provisioner``); this controller
then makes a directory under its root and a ``hostPath`` PersistentVolume for the claim,
pinned to the selected node and pre-bound through ``claimRef``; the PV controller binds
the two. When a volume it made is Released and its reclaim policy is Delete, it removes
the directory and deletes the volume; with Retain it leaves both.

It is two controllers on kruise.runtime (claims, and volumes for the clean-up) and runs
as a child process of the cluster::

    python -m kruise.runtime.envtest.provisioner --kubeconfig K --root DIR
"""

from kruise.runtime.envtest.provisioner.controller import (
    ClaimReconciler,
    VolumeReconciler,
    run,
    setup,
)
from kruise.runtime.envtest.provisioner.volumes import (
    DEFAULT_STORAGE_CLASS,
    PERSISTENT_VOLUMES,
    PROVISIONER_NAME,
    STORAGE_CLASSES,
    build_volume,
    default_storage_class,
    ignore_reason,
    should_delete,
)

__all__ = [
    "DEFAULT_STORAGE_CLASS",
    "PERSISTENT_VOLUMES",
    "PROVISIONER_NAME",
    "STORAGE_CLASSES",
    "ClaimReconciler",
    "VolumeReconciler",
    "build_volume",
    "default_storage_class",
    "ignore_reason",
    "run",
    "setup",
    "should_delete",
]
