"""The chart installed with `helm install` into a local cluster of its own, used, then
removed with `helm uninstall`.

Manager pods cannot run here (the kwok nodes run no images), so the chart is installed with
``manager.replicas=0`` and kruise-manager runs as a local process with the chart's
ServiceAccount token and WEBHOOK_HOST=127.0.0.1: it points the chart's webhook
configurations and CRD conversion webhooks at itself, as the certificate controller does
for any manager outside the cluster. The cluster is this module's own, because until the
manager starts the chart's webhooks (failurePolicy Fail) refuse every apps.kruise.io write.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.commands import manager_command
from support.paths import REPO_ROOT
from support.polling import eventually_blocking

from kruise.runtime.envtest import LocalCluster
from kruise.runtime.envtest.binaries import Binaries, helm_binary
from kruise.runtime.envtest.cluster import LocalClusterOptions, NodeSpec
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.envtest.rest import RestError

CHART = REPO_ROOT / "charts" / "kruise-py"
RELEASE = "kruise-py"
NAMESPACE = "kube-system"
WORKLOADS = "default"
CLONESETS = f"/apis/apps.kruise.io/v1alpha1/namespaces/{WORKLOADS}/clonesets"

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    options = LocalClusterOptions(nodes=[NodeSpec("kwok-node-0")], storage_provisioner=False)
    with LocalCluster(options) as started:
        yield started


def run(cluster: LocalCluster, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, f"--kubeconfig={cluster.kubeconfig_path}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def helm(cluster: LocalCluster, *args: str) -> subprocess.CompletedProcess[str]:
    return run(cluster, str(helm_binary()), *args)


def kubectl(cluster: LocalCluster, *args: str) -> subprocess.CompletedProcess[str]:
    binaries = Binaries.default()
    binaries.require("kubectl")
    return run(cluster, str(binaries.kubectl), *args)


def names(docs: list[Doc]) -> set[str]:
    """``kind/name`` as ``kubectl get -o name`` prints it (kind in lower case, with group)."""
    out = set()
    for doc in docs:
        group = doc["apiVersion"].rpartition("/")[0]
        kind = doc["kind"].lower() + (f".{group}" if group else "")
        out.add(f"{kind}/{doc['metadata']['name']}")
    return out


def present(cluster: LocalCluster, manifest: Path) -> set[str]:
    done = kubectl(cluster, "get", "-f", str(manifest), "--ignore-not-found", "-o", "name")
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def cloneset(name: str) -> Doc:
    labels = {"app": name}
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "CloneSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "main", "image": "nginx:1.25"}]},
            },
        },
    }


class LocalManager:
    """kruise-manager on this machine, acting as the chart's ServiceAccount."""

    def __init__(self, cluster: LocalCluster, workdir: Path) -> None:
        kubeconfig = cluster.service_account_kubeconfig(
            NAMESPACE, "kruise-manager", workdir / "kubeconfig"
        )
        port = free_port()
        self.log_path = workdir / "manager.log"
        self.log = self.log_path.open("w")
        env = {
            **os.environ,
            "POD_NAMESPACE": NAMESPACE,
            "POD_NAME": "kruise-manager-local",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_CERT_DIR": str(workdir / "certs"),
        }
        self.popen = subprocess.Popen(
            [
                *manager_command(),
                f"--kubeconfig={kubeconfig}",
                "--enable-leader-election",
                "--metrics-addr=0",
                "--health-probe-addr=0",
                "--webhook-bind-address=127.0.0.1",
                "--log-format=json",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def check(self) -> None:
        if self.popen.poll() is not None:
            raise AssertionError(f"kruise-manager exited: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.log.close()


def test_install_use_and_uninstall_leaves_only_the_crds(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    replicas = "--set=manager.replicas=0"
    install = helm(cluster, "install", RELEASE, str(CHART), f"--namespace={NAMESPACE}", replicas)
    assert install.returncode == 0, install.stderr
    assert "manager.replicas is 0" in install.stdout  # NOTES.txt

    got = helm(cluster, "get", "manifest", RELEASE, f"--namespace={NAMESPACE}")
    assert got.returncode == 0, got.stderr
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(got.stdout)
    docs = [d for d in yaml.safe_load_all(got.stdout) if d]
    rendered = names(docs)
    crds = names([d for d in docs if d["kind"] == "CustomResourceDefinition"])
    assert len(crds) == 4
    assert {d["metadata"].get("namespace", NAMESPACE) for d in docs} == {NAMESPACE}
    assert present(cluster, manifest) == rendered

    # No manager yet: the chart's webhooks refuse Kruise writes (fail closed).
    with pytest.raises(RestError, match="failed calling webhook"):
        cluster.rest.request("POST", CLONESETS, cloneset("early"))

    # A manager with the chart's ServiceAccount: the chart's RBAC is all it needs.
    manager = LocalManager(cluster, tmp_path)
    try:

        def created() -> Doc:
            manager.check()
            try:
                answer: Doc = cluster.rest.request("POST", CLONESETS, cloneset("web"))
            except RestError as err:
                if err.status == 409:
                    existing: Doc = cluster.rest.get(f"{CLONESETS}/web")
                    return existing
                raise
            return answer

        eventually_blocking(created, timeout=120, what="a CloneSet admitted", retry_on=(RestError,))

        def ready() -> bool:
            manager.check()
            status = cluster.rest.get(f"{CLONESETS}/web").get("status") or {}
            return status.get("readyReplicas") == 2

        eventually_blocking(ready, timeout=120, what="the CloneSet's 2 pods Ready")
    finally:
        manager.stop()

    uninstall = helm(cluster, "uninstall", RELEASE, f"--namespace={NAMESPACE}", "--wait")
    assert uninstall.returncode == 0, uninstall.stderr
    assert "kept due to the resource policy" in uninstall.stdout, uninstall.stdout

    def only_crds_left() -> set[str] | None:
        left = present(cluster, manifest)
        return left if left == crds else None

    eventually_blocking(only_crds_left, timeout=120, what="every object but the CRDs gone")
    listed = helm(cluster, "list", "--all-namespaces", "--output=json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    # The kept CRDs keep the users' workloads.
    assert cluster.rest.get(f"{CLONESETS}/web")["spec"]["replicas"] == 2
