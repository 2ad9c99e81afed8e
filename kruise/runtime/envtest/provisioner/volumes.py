"""The pure parts of the local-path provisioner: which claims it acts on, the volume it
makes for one, and which volumes it deletes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kruise.runtime.client.resource import Resource

PROVISIONER_NAME = "rancher.io/local-path"
DEFAULT_STORAGE_CLASS = "standard"

PERSISTENT_VOLUMES = Resource("", "v1", "persistentvolumes", "PersistentVolume", namespaced=False)
STORAGE_CLASSES = Resource(
    "storage.k8s.io", "v1", "storageclasses", "StorageClass", namespaced=False
)

ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
ANN_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
HOSTNAME_LABEL = "kubernetes.io/hostname"
WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"

Obj = dict[str, Any]


def default_storage_class(
    name: str = DEFAULT_STORAGE_CLASS, provisioner: str = PROVISIONER_NAME
) -> Obj:
    """The cluster's default StorageClass, as kind ships it: volumes are made once a pod
    using the claim is scheduled, and deleted with their claim."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": name, "annotations": {ANN_DEFAULT_CLASS: "true"}},
        "provisioner": provisioner,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": WAIT_FOR_FIRST_CONSUMER,
    }


def claim_provisioner(claim: Obj) -> str | None:
    """The provisioner the PV controller asked to provision ``claim``, if any."""
    annotations = claim["metadata"].get("annotations") or {}
    found = annotations.get(ANN_STORAGE_PROVISIONER) or annotations.get(
        ANN_BETA_STORAGE_PROVISIONER
    )
    return str(found) if found else None


def claim_class_name(claim: Obj) -> str | None:
    """The claim's StorageClass name (the field, else the old beta annotation)."""
    name = claim.get("spec", {}).get("storageClassName")
    if name is None:
        name = (claim["metadata"].get("annotations") or {}).get(
            "volume.beta.kubernetes.io/storage-class"
        )
    return str(name) if name else None


def selected_node(claim: Obj) -> str | None:
    """The node the scheduler chose for the claim's first consumer, if any."""
    node = (claim["metadata"].get("annotations") or {}).get(ANN_SELECTED_NODE)
    return str(node) if node else None


def ignore_reason(claim: Obj, storage_class: Obj | None, provisioner: str) -> str | None:
    """Why this provisioner leaves ``claim`` alone now (None: provision a volume for it).

    A claim is ours when the PV controller named us on it, its class names us, it is not
    bound or being deleted, and, for a WaitForFirstConsumer class, a node was selected.
    """
    if claim["metadata"].get("deletionTimestamp"):
        return "the claim is being deleted"
    if claim.get("spec", {}).get("volumeName"):
        return "the claim is already bound"
    if claim_provisioner(claim) != provisioner:
        return "the claim is not assigned to this provisioner"
    if storage_class is None or storage_class.get("provisioner") != provisioner:
        return "the claim's StorageClass does not name this provisioner"
    binding = storage_class.get("volumeBindingMode")
    if binding == WAIT_FOR_FIRST_CONSUMER and selected_node(claim) is None:
        return "waiting for the first consumer to be scheduled"
    return None


def unsupported(claim: Obj) -> str | None:
    """What about ``claim`` a local directory cannot provide (None: nothing)."""
    spec = claim.get("spec", {})
    if spec.get("selector"):
        return "claim.spec.selector is not supported"
    if spec.get("volumeMode") == "Block":
        return "block volumes are not supported"
    if spec.get("dataSource") or spec.get("dataSourceRef"):
        return "claim.spec.dataSource is not supported"
    if not (spec.get("resources", {}).get("requests") or {}).get("storage"):
        return "the claim requests no storage"
    return None


def volume_name(claim: Obj) -> str:
    """The volume's name: ``pvc-<claim uid>``, as every external provisioner names it."""
    return f"pvc-{claim['metadata']['uid']}"


def volume_path(root: Path, claim: Obj) -> Path:
    """The claim's directory under ``root``: ``<volume name>_<namespace>_<claim name>``."""
    meta = claim["metadata"]
    return root / f"{volume_name(claim)}_{meta['namespace']}_{meta['name']}"


def build_volume(claim: Obj, storage_class: Obj, root: Path, provisioner: str) -> Obj:
    """The PersistentVolume for ``claim``: its size, access modes and volume mode, the
    class's name, reclaim policy (Delete by default) and mount options, a ``hostPath`` under
    ``root``, pre-bound to the claim, and pinned to the selected node when there is one."""
    meta, spec = claim["metadata"], claim["spec"]
    volume: Obj = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "name": volume_name(claim),
            "annotations": {ANN_PROVISIONED_BY: provisioner},
        },
        "spec": {
            "capacity": {"storage": spec["resources"]["requests"]["storage"]},
            "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
            "volumeMode": spec.get("volumeMode") or "Filesystem",
            "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
            "storageClassName": storage_class["metadata"]["name"],
            "claimRef": {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "namespace": meta["namespace"],
                "name": meta["name"],
                "uid": meta["uid"],
            },
            "hostPath": {"path": str(volume_path(root, claim)), "type": "DirectoryOrCreate"},
        },
    }
    if storage_class.get("mountOptions"):
        volume["spec"]["mountOptions"] = list(storage_class["mountOptions"])
    node = selected_node(claim)
    if node is not None:
        term = {"matchExpressions": [{"key": HOSTNAME_LABEL, "operator": "In", "values": [node]}]}
        volume["spec"]["nodeAffinity"] = {"required": {"nodeSelectorTerms": [term]}}
    return volume


def should_delete(volume: Obj, provisioner: str) -> bool:
    """Whether ``volume`` is one this provisioner made that is Released with policy Delete."""
    annotations = volume["metadata"].get("annotations") or {}
    return (
        annotations.get(ANN_PROVISIONED_BY) == provisioner
        and volume.get("spec", {}).get("persistentVolumeReclaimPolicy") == "Delete"
        and volume.get("status", {}).get("phase") == "Released"
        and not volume["metadata"].get("deletionTimestamp")
    )


def directory_of(volume: Obj, root: Path) -> Path | None:
    """The volume's directory when it lies strictly inside ``root``; None otherwise, so a
    volume someone else pointed elsewhere never gets a directory removed."""
    path = (volume.get("spec", {}).get("hostPath") or {}).get("path")
    if not path:
        return None
    resolved, base = Path(path).resolve(), root.resolve()
    return resolved if resolved != base and resolved.is_relative_to(base) else None
