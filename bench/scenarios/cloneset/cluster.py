"""The local cluster of one run, and the manager under test on it: ours or OpenKruise's,
with its CRDs and webhook configurations, started only once its webhooks answer."""

from __future__ import annotations

import argparse
import math
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .manifests import openkruise_crds, openkruise_webhook_configs
from .plan import (
    CLONESET_API,
    MANAGER_NAMESPACE,
    NODE_PODS,
    OURS,
    ROOT,
    SCHEDULER_BURST,
    SCHEDULER_QPS,
    manager_command,
    node_count,
)
from .waiting import RunError, tail, wait_until


@dataclass
class ManagerProcess:
    """A manager (ours or OpenKruise's) started as a subprocess against the cluster."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def check(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise RunError(f"{self.name} exited {code}: {tail(self.log)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_cluster(pods: int, qps: float, burst: int) -> Any:
    from kruise.runtime.envtest import LocalCluster, LocalClusterOptions, NodeSpec  # noqa: PLC0415

    class BenchCluster(LocalCluster):
        """A LocalCluster whose kube-scheduler is not the bottleneck."""

        def _start_component(self, name: str, args: list[str], port: int) -> Any:
            if name == "kube-scheduler":
                args = [
                    *args,
                    f"--kube-api-qps={SCHEDULER_QPS}",
                    f"--kube-api-burst={SCHEDULER_BURST}",
                ]
            return super()._start_component(name, args, port)

    capacity = {"cpu": "64", "memory": "512Gi", "pods": str(NODE_PODS)}
    nodes = [NodeSpec(f"kwok-node-{i}", capacity=dict(capacity)) for i in range(node_count(pods))]
    options = LocalClusterOptions(
        nodes=nodes, kube_api_qps=math.ceil(qps), kube_api_burst=burst, start_timeout=120
    )
    cluster = BenchCluster(options)
    cluster.start()
    return cluster


def create_namespace(cluster: Any, name: str, labels: dict[str, str] | None = None) -> None:
    from kruise.runtime.envtest.rest import RestError  # noqa: PLC0415

    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    if labels:
        body["metadata"]["labels"] = labels
    try:
        cluster.rest.request("POST", "/api/v1/namespaces", body)
    except RestError as err:
        if err.status != 409:
            raise
    cluster.wait_for_service_account(name, timeout=60)


def injected(cluster: Any, kind: str, name: str) -> bool:
    from kruise.runtime.envtest.install import WEBHOOK_COLLECTIONS  # noqa: PLC0415
    from kruise.runtime.envtest.rest import RestError  # noqa: PLC0415

    try:
        config = cluster.rest.get(f"{WEBHOOK_COLLECTIONS[kind]}/{name}")
    except RestError:
        return False
    hooks = config.get("webhooks") or []
    return bool(hooks) and all(
        w["clientConfig"].get("caBundle") and w["clientConfig"].get("url") for w in hooks
    )


def conversion_ready(cluster: Any, name: str) -> bool:
    from kruise.runtime.envtest.install import CRD_COLLECTION  # noqa: PLC0415
    from kruise.runtime.envtest.rest import RestError  # noqa: PLC0415

    try:
        crd = cluster.rest.get(f"{CRD_COLLECTION}/{name}")
    except RestError:
        return False
    webhook = ((crd.get("spec") or {}).get("conversion") or {}).get("webhook") or {}
    return bool((webhook.get("clientConfig") or {}).get("caBundle"))


def admission_live(cluster: Any, namespace: str) -> bool:
    """True once the API server calls the CloneSet validating webhook (a bad CloneSet,
    dry run, is refused by the webhook rather than admitted or refused by the schema)."""
    from kruise.runtime.envtest.rest import RestError  # noqa: PLC0415

    bad = {
        "apiVersion": CLONESET_API,
        "kind": "CloneSet",
        "metadata": {"name": "probe"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {}}},
    }
    try:
        cluster.rest.request(
            "POST",
            f"/apis/apps.kruise.io/v1alpha1/namespaces/{namespace}/clonesets?dryRun=All",
            bad,
        )
    except RestError as err:
        return "admission webhook" in str(err)
    return False


def start_manager(
    contender: str, cluster: Any, workdir: Path, args: argparse.Namespace
) -> ManagerProcess:
    from kruise.runtime.envtest import WebhookEndpoint  # noqa: PLC0415
    from kruise.runtime.envtest.install import WEBHOOK_COLLECTIONS, load_documents  # noqa: PLC0415
    from kruise.runtime.envtest.ports import free_port  # noqa: PLC0415
    from kruise.runtime.envtest.rest import url_ok  # noqa: PLC0415

    port, health, metrics = free_port(), free_port(), free_port()
    certs = workdir / "certs"
    env = {
        **os.environ,
        "POD_NAMESPACE": MANAGER_NAMESPACE,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_CERT_DIR": str(certs),
        "KUBECONFIG": str(cluster.kubeconfig_path),
    }
    create_namespace(cluster, MANAGER_NAMESPACE, {"control-plane": "controller-manager"})
    qps, burst = args.qps, args.burst
    converted: list[str] = []
    if contender == OURS:
        cluster.install_crds([ROOT / "config" / "crd" / "bases"])
        configs = load_documents([ROOT / "config" / "webhook" / "manifests.yaml"])
        command = [
            str(manager_command()),
            f"--kubeconfig={cluster.kubeconfig_path}",
            f"--metrics-addr=127.0.0.1:{metrics}",
            f"--health-probe-addr=127.0.0.1:{health}",
            "--webhook-host=127.0.0.1",
            f"--webhook-port={port}",
            f"--webhook-cert-dir={certs}",
            f"--kube-client-qps={qps:g}",
            f"--kube-client-burst={burst}",
            "--log-format=json",
        ]
    else:
        folder = Path(args.openkruise_dir)
        crds = openkruise_crds(
            load_documents([folder / "crd"]),
            next(iter(load_documents([folder / "crd-patches" / "kustomization.yaml"])), {}),
            load_documents(sorted((folder / "crd-patches").glob("webhook_in_*.yaml"))),
        )
        converted = [c["metadata"]["name"] for c in crds if c["spec"].get("conversion")]
        # The manager points the conversion webhooks at itself and fills in the CA.
        cluster.install_crds(crds, WebhookEndpoint("127.0.0.1", port, b""))
        create_namespace(cluster, "kruise-daemon-config")
        patches = folder / "webhook" / "patch_manifests.yaml"
        configs = openkruise_webhook_configs(
            load_documents([folder / "webhook" / "manifests.yaml"]),
            load_documents([patches]) if patches.exists() else [],
        )
        command = [
            str(folder / "kruise-manager"),
            "--enable-leader-election=false",
            f"--metrics-addr=127.0.0.1:{metrics}",
            f"--health-probe-addr=127.0.0.1:{health}",
            f"--rest-config-qps={math.ceil(qps)}",
            f"--rest-config-burst={burst}",
            "--enable-pprof=false",
        ]
    for doc in configs:
        cluster.rest.apply(WEBHOOK_COLLECTIONS[doc["kind"]], doc)
    log = workdir / f"{contender}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    manager = ManagerProcess(contender, process, log)

    def alive() -> None:
        manager.check()
        cluster.check()

    try:
        for doc in configs:
            name = doc["metadata"]["name"]
            wait_until(
                lambda d=doc, n=name: injected(cluster, d["kind"], n),
                f"the CA and URL in {name}",
                120,
                alive,
            )
        for name in converted:
            wait_until(
                lambda n=name: conversion_ready(cluster, n),
                f"the CA in the conversion webhook of {name}",
                120,
                alive,
            )
        wait_until(
            lambda: url_ok(f"http://127.0.0.1:{health}/readyz"), f"{contender} /readyz", 120, alive
        )
        create_namespace(cluster, "bench-probe")
        wait_until(
            lambda: admission_live(cluster, "bench-probe"),
            "the API server to call the webhooks",
            60,
            alive,
        )
    except BaseException:
        manager.stop()
        raise
    return manager
