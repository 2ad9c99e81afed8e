"""The local cluster's default StorageClass and its local-path provisioner, as on kind."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.polling import eventually_blocking

from kruise.runtime.envtest import ComponentError, LocalCluster, LocalClusterOptions
from kruise.runtime.envtest.provisioner.volumes import (
    ANN_DEFAULT_CLASS,
    ANN_PROVISIONED_BY,
    DEFAULT_STORAGE_CLASS,
    PROVISIONER_NAME,
    STORAGE_CLASSES,
)
from kruise.runtime.envtest.rest import RestError

Obj = dict[str, Any]
TIMEOUT = 90.0
INTERVAL = 0.2
CLASSES = STORAGE_CLASSES.path()


def claim(name: str, storage_class: str | None = None, size: str = "1Gi") -> Obj:
    spec: Obj = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    return {"metadata": {"name": name}, "spec": spec}


def pod_using(name: str, claim_name: str) -> Obj:
    return {
        "metadata": {"name": name},
        "spec": {
            "containers": [
                {
                    "name": "main",
                    "image": "nginx:1.25",
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                }
            ],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}],
        },
    }


def storage_class(name: str, provisioner: str, reclaim: str, binding: str) -> Obj:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": name},
        "provisioner": provisioner,
        "reclaimPolicy": reclaim,
        "volumeBindingMode": binding,
    }


class Api:
    """The few reads and writes these tests make, in one namespace."""

    def __init__(self, cluster: LocalCluster, namespace: str) -> None:
        self.cluster, self.ns = cluster, namespace

    def create(self, plural: str, obj: Obj) -> Obj:
        created: Obj = self.cluster.rest.request(
            "POST", f"/api/v1/namespaces/{self.ns}/{plural}", obj
        )
        return created

    def get(self, plural: str, name: str) -> Obj | None:
        try:
            found: Obj = self.cluster.rest.get(f"/api/v1/namespaces/{self.ns}/{plural}/{name}")
        except RestError as err:
            if err.status == 404:
                return None
            raise
        return found

    def delete(self, plural: str, name: str) -> None:
        self.cluster.rest.request("DELETE", f"/api/v1/namespaces/{self.ns}/{plural}/{name}")

    def volume(self, name: str) -> Obj | None:
        try:
            found: Obj = self.cluster.rest.get(f"/api/v1/persistentvolumes/{name}")
        except RestError as err:
            if err.status == 404:
                return None
            raise
        return found

    def bound_claim(self, name: str) -> Obj:
        def bound() -> Obj | None:
            current = self.get("persistentvolumeclaims", name)
            return current if current and current["status"].get("phase") == "Bound" else None

        result: Obj = eventually_blocking(
            bound, timeout=TIMEOUT, interval=INTERVAL, what=f"claim {name} Bound"
        )
        return result

    def running_pod(self, name: str) -> Obj:
        def running() -> Obj | None:
            current = self.get("pods", name)
            return current if current and current["status"].get("phase") == "Running" else None

        result: Obj = eventually_blocking(
            running, timeout=TIMEOUT, interval=INTERVAL, what=f"pod {name} Running"
        )
        return result

    def volume_gone(self, name: str) -> None:
        eventually_blocking(
            lambda: self.volume(name) is None,
            timeout=TIMEOUT,
            interval=INTERVAL,
            what=f"volume {name} deleted",
        )

    def released(self, name: str) -> Obj:
        def phase_released() -> Obj | None:
            current = self.volume(name)
            return current if current and current["status"].get("phase") == "Released" else None

        result: Obj = eventually_blocking(
            phase_released, timeout=TIMEOUT, interval=INTERVAL, what=f"volume {name} Released"
        )
        return result


def test_default_class_is_standard_and_waits_for_the_first_consumer(
    local_cluster: LocalCluster,
) -> None:
    sc = local_cluster.rest.get(f"{CLASSES}/{DEFAULT_STORAGE_CLASS}")
    assert sc["provisioner"] == PROVISIONER_NAME
    assert sc["metadata"]["annotations"][ANN_DEFAULT_CLASS] == "true"
    assert sc["reclaimPolicy"] == "Delete"
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer"


def test_claim_of_the_default_class_is_bound_to_a_volume_on_its_pods_node(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    api = Api(local_cluster, cluster_namespace)
    created = api.create("persistentvolumeclaims", claim("data", size="2Gi"))
    assert created["spec"]["storageClassName"] == DEFAULT_STORAGE_CLASS  # admission defaulted it
    api.create("pods", pod_using("app", "data"))

    pod = api.running_pod("app")
    bound = api.bound_claim("data")
    volume = api.volume(bound["spec"]["volumeName"])
    assert volume is not None
    assert volume["metadata"]["name"] == f"pvc-{created['metadata']['uid']}"
    assert volume["metadata"]["annotations"][ANN_PROVISIONED_BY] == PROVISIONER_NAME
    spec = volume["spec"]
    assert spec["capacity"] == {"storage": "2Gi"}
    assert spec["accessModes"] == ["ReadWriteOnce"]
    assert spec["persistentVolumeReclaimPolicy"] == "Delete"
    assert spec["storageClassName"] == DEFAULT_STORAGE_CLASS
    assert spec["claimRef"]["uid"] == created["metadata"]["uid"]
    term = spec["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
    assert term["key"] == "kubernetes.io/hostname"
    assert term["values"] == [pod["spec"]["nodeName"]]
    directory = Path(spec["hostPath"]["path"])
    assert directory.parent == local_cluster.volumes_dir
    assert directory.is_dir()


def test_statefulset_with_volume_claim_templates_runs(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    ns = cluster_namespace
    api = Api(local_cluster, ns)
    labels = {"app": "db"}
    statefulset = {
        "metadata": {"name": "db"},
        "spec": {
            "replicas": 2,
            "serviceName": "db",
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": pod_using("unused", "data")["spec"]["containers"]},
            },
            "volumeClaimTemplates": [claim("data")],
        },
    }
    local_cluster.rest.request("POST", f"/apis/apps/v1/namespaces/{ns}/statefulsets", statefulset)

    for ordinal in range(2):
        api.running_pod(f"db-{ordinal}")
        bound = api.bound_claim(f"data-db-{ordinal}")
        volume = api.volume(bound["spec"]["volumeName"])
        assert volume is not None
        assert volume["metadata"]["annotations"][ANN_PROVISIONED_BY] == PROVISIONER_NAME


def test_released_volume_is_deleted_with_policy_delete_and_kept_with_retain(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    api = Api(local_cluster, cluster_namespace)
    retain = f"retain-{cluster_namespace}"
    local_cluster.rest.request(
        "POST", CLASSES, storage_class(retain, PROVISIONER_NAME, "Retain", "WaitForFirstConsumer")
    )
    kept_name = ""
    try:
        api.create("persistentvolumeclaims", claim("gone"))
        api.create("persistentvolumeclaims", claim("kept", retain))
        api.create("pods", pod_using("uses-gone", "gone"))
        api.create("pods", pod_using("uses-kept", "kept"))
        gone = api.volume(api.bound_claim("gone")["spec"]["volumeName"])
        kept = api.volume(api.bound_claim("kept")["spec"]["volumeName"])
        assert gone is not None
        assert kept is not None
        kept_name = kept["metadata"]["name"]
        assert kept["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
        gone_dir = Path(gone["spec"]["hostPath"]["path"])
        kept_dir = Path(kept["spec"]["hostPath"]["path"])
        assert gone_dir.is_dir()
        assert kept_dir.is_dir()

        for name in ("uses-gone", "uses-kept"):
            api.delete("pods", name)
        for name in ("gone", "kept"):
            api.delete("persistentvolumeclaims", name)

        api.released(kept_name)
        # Both were released together; once the provisioner has deleted the one, it has
        # seen the other Released too, and kept it.
        api.volume_gone(gone["metadata"]["name"])
        assert not gone_dir.exists()
        still = api.volume(kept_name)
        assert still is not None
        assert still["status"]["phase"] == "Released"
        assert kept_dir.is_dir()
    finally:
        if kept_name:
            local_cluster.rest.request("DELETE", f"/api/v1/persistentvolumes/{kept_name}")
        local_cluster.rest.request("DELETE", f"{CLASSES}/{retain}")


def test_claims_of_another_provisioner_are_left_alone(
    local_cluster: LocalCluster, cluster_namespace: str
) -> None:
    api = Api(local_cluster, cluster_namespace)
    other = f"other-{cluster_namespace}"
    immediate = f"immediate-{cluster_namespace}"
    local_cluster.rest.request(
        "POST", CLASSES, storage_class(other, "example.com/other", "Delete", "Immediate")
    )
    local_cluster.rest.request(
        "POST", CLASSES, storage_class(immediate, PROVISIONER_NAME, "Delete", "Immediate")
    )
    try:
        foreign = api.create("persistentvolumeclaims", claim("foreign", other))

        def assigned() -> bool:
            current = api.get("persistentvolumeclaims", "foreign") or {}
            annotations = current.get("metadata", {}).get("annotations") or {}
            return annotations.get("volume.kubernetes.io/storage-provisioner") == (
                "example.com/other"
            )

        eventually_blocking(
            assigned, timeout=TIMEOUT, interval=INTERVAL, what="the foreign claim assigned"
        )
        # An Immediate claim of ours, made after, is provisioned without any consumer and
        # with no node affinity; by then the provisioner has seen the foreign one.
        api.create("persistentvolumeclaims", claim("ours", immediate))
        bound = api.bound_claim("ours")
        ours = api.volume(bound["spec"]["volumeName"])
        assert ours is not None
        assert "nodeAffinity" not in ours["spec"]

        current = api.get("persistentvolumeclaims", "foreign")
        assert current is not None
        assert current["status"].get("phase") == "Pending"
        assert not current["spec"].get("volumeName")
        assert api.volume(f"pvc-{foreign['metadata']['uid']}") is None
    finally:
        api.delete("persistentvolumeclaims", "foreign")
        api.delete("persistentvolumeclaims", "ours")
        for name in (other, immediate):
            local_cluster.rest.request("DELETE", f"{CLASSES}/{name}")


def _provisioner_pids(workdir: str) -> list[int]:
    """The provisioner processes started for the cluster in ``workdir``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "kruise.runtime.envtest.provisioner" in cmdline and workdir in cmdline:
            found.append(int(entry.name))
    return found


def _none_left(workdir: str) -> None:
    def gone() -> bool:
        left = _provisioner_pids(workdir)
        assert left == [], f"still running: {left}"
        return True

    eventually_blocking(
        gone, timeout=15, retry_on=(AssertionError,), what="the provisioner to exit"
    )


@pytest.mark.timeout(120)
def test_a_dead_provisioner_is_reported_by_name_and_stop_ends_it() -> None:
    with LocalCluster(LocalClusterOptions(nodes=[])) as cluster:
        assert cluster.provisioner is not None
        assert len(_provisioner_pids(str(cluster.workdir))) == 1
        cluster.provisioner.kill()
        with pytest.raises(ComponentError) as err:
            cluster.check()
        assert err.value.component == "local-path-provisioner"
    with LocalCluster(LocalClusterOptions(nodes=[])) as cluster:
        workdir = str(cluster.workdir)
        assert len(_provisioner_pids(workdir)) == 1
    _none_left(workdir)


def test_turned_off_there_is_no_class_and_no_provisioner() -> None:
    with LocalCluster(LocalClusterOptions(nodes=[], storage_provisioner=False)) as cluster:
        assert cluster.provisioner is None
        assert not _provisioner_pids(str(cluster.workdir))
        assert cluster.rest.get(CLASSES)["items"] == []


@pytest.mark.timeout(120)
def test_killed_owner_leaves_no_provisioner_behind() -> None:
    script = (
        "import time\n"
        "from kruise.runtime.envtest import LocalCluster, LocalClusterOptions\n"
        "cluster = LocalCluster(LocalClusterOptions(nodes=[]))\n"
        "cluster.start()\n"
        "print(cluster.workdir, flush=True)\n"
        "time.sleep(600)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        workdir = owner.stdout.readline().strip()
        assert workdir, "the local cluster did not start"
        assert len(_provisioner_pids(workdir)) == 1
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        _none_left(workdir)
    finally:
        owner.kill()
        owner.wait()
