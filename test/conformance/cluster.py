"""The cluster the suite runs against: a LocalCluster with kwok nodes, the manager under
test installed by ``support.managers``, and a warm-up before the first spec.

``/readyz`` says the manager is up, not that its informers have synced and its first
reconciles are done; several CloneSet specs expect a status within 3 seconds of creating
the object. So one object of each kind, in each served API version, is created and waited
for until the manager has reconciled it (or, for a kind it has no controller for, until
it is admitted).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.managers import (
    ManagerError,
    ManagerOptions,
    ManagerProcess,
    create_namespace,
    start_manager,
)

from kruise.runtime.envtest import LocalCluster, LocalClusterOptions, NodeSpec
from kruise.runtime.envtest.rest import RestError

GROUP = "apps.kruise.io"
VERSIONS = ("v1alpha1", "v1beta1")
WARMUP_NAMESPACE = "conformance-warmup"
PLURALS = {
    "CloneSet": "clonesets",
    "StatefulSet": "statefulsets",
    "BroadcastJob": "broadcastjobs",
    "AdvancedCronJob": "advancedcronjobs",
}
DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


@dataclass
class Environment:
    """The running cluster and manager."""

    cluster: LocalCluster
    manager: ManagerProcess

    def alive(self) -> None:
        """Raise if the manager or a cluster component has exited."""
        self.manager.check()
        self.cluster.check()

    def stop(self) -> None:
        self.manager.stop()
        self.cluster.stop()


def start(
    flavour: str,
    nodes: int,
    workdir: Path,
    openkruise_dir: Path | None,
    feature_gates: str | None,
) -> Environment:
    """A local cluster with ``nodes`` kwok nodes and the manager on it, serving."""
    options = LocalClusterOptions(
        nodes=[NodeSpec(f"kwok-node-{i}") for i in range(nodes)], start_timeout=120
    )
    cluster = LocalCluster(options)
    cluster.start()
    try:
        manager = start_manager(
            cluster,
            ManagerOptions(
                flavour=flavour,
                workdir=workdir,
                openkruise_dir=openkruise_dir,
                feature_gates=feature_gates,
            ),
        )
    except BaseException:
        cluster.stop()
        raise
    return Environment(cluster, manager)


def has_default_storage_class(cluster: LocalCluster) -> bool:
    listing = cluster.rest.get("/apis/storage.k8s.io/v1/storageclasses")
    for item in listing.get("items") or []:
        annotations = (item.get("metadata") or {}).get("annotations") or {}
        if any(annotations.get(key) == "true" for key in DEFAULT_CLASS_ANNOTATIONS):
            return True
    return False


def has_default_service_account(cluster: LocalCluster) -> bool:
    """Whether namespaces get their ``default`` ServiceAccount (kube-controller-manager
    runs), so the suite may wait for it in each test namespace."""
    return cluster.rest.ok("/api/v1/namespaces/default/serviceaccounts/default")


# ---- warm-up ----------------------------------------------------------------------------


def _pod_template(app: str, restart: str = "Always") -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {
            "containers": [{"name": "main", "image": "busybox:1.36", "command": ["sleep", "3600"]}],
            "restartPolicy": restart,
            "terminationGracePeriodSeconds": 0,
        },
    }


def warmup_object(kind: str, version: str) -> dict[str, Any]:
    """A small valid object of ``kind`` in ``apps.kruise.io/<version>``."""
    name = f"warmup-{kind.lower()}-{version}"
    meta = {"name": name, "namespace": WARMUP_NAMESPACE}
    selector = {"matchLabels": {"app": name}}
    if kind == "CloneSet":
        spec: dict[str, Any] = {
            "replicas": 1,
            "selector": selector,
            "template": _pod_template(name),
        }
    elif kind == "StatefulSet":
        spec = {
            "replicas": 1,
            "serviceName": name,
            "selector": selector,
            "template": _pod_template(name),
        }
    elif kind == "BroadcastJob":
        spec = {
            "template": _pod_template(name, "Never"),
            "completionPolicy": {"type": "Always"},
        }
    else:
        job = {"template": _pod_template(name, "Never")}
        spec = {"schedule": "0 0 1 1 *", "template": {"jobTemplate": {"spec": job}}}
    return {"apiVersion": f"{GROUP}/{version}", "kind": kind, "metadata": meta, "spec": spec}


def reconciled(kind: str, obj: dict[str, Any]) -> bool:
    """Whether a controller has written the object's status: observedGeneration for the
    workloads, the phase of a BroadcastJob, the template type of an AdvancedCronJob."""
    status = obj.get("status") or {}
    if kind in ("CloneSet", "StatefulSet"):
        generation = (obj.get("metadata") or {}).get("generation") or 0
        return int(status.get("observedGeneration") or 0) >= int(generation)
    if kind == "BroadcastJob":
        return bool(status.get("phase"))
    return bool(status.get("type"))


def served(cluster: LocalCluster) -> list[tuple[str, str]]:
    """(kind, version) of the four kinds that the API server serves."""
    pairs = []
    for version in VERSIONS:
        try:
            listing = cluster.rest.get(f"/apis/{GROUP}/{version}")
        except RestError:
            continue
        names = {r.get("name") for r in listing.get("resources") or []}
        pairs += [(kind, version) for kind, plural in PLURALS.items() if plural in names]
    return pairs


def warm_up(env: Environment, say: Callable[[str], None], timeout: float = 180) -> None:
    """Create one object per served kind and version and wait until each is reconciled."""
    cluster = env.cluster
    create_namespace(cluster, WARMUP_NAMESPACE)
    pending: dict[tuple[str, str], str] = {}
    for kind, version in served(cluster):
        body = warmup_object(kind, version)
        path = f"/apis/{GROUP}/{version}/namespaces/{WARMUP_NAMESPACE}/{PLURALS[kind]}"
        _create_when_admitted(env, path, body, timeout)
        pending[(kind, version)] = f"{path}/{body['metadata']['name']}"
    deadline = time.monotonic() + timeout
    while pending:
        for (kind, version), path in list(pending.items()):
            if reconciled(kind, cluster.rest.get(path)):
                del pending[(kind, version)]
        if not pending:
            break
        env.alive()
        if time.monotonic() > deadline:
            left = ", ".join(f"{k} {v}" for k, v in pending)
            raise ManagerError(f"warm-up: not reconciled within {timeout:.0f}s: {left}")
        time.sleep(0.2)
    say("warm-up: " + ", ".join(f"{k} {v}" for k, v in served(cluster)) + " done")
    with contextlib.suppress(RestError):
        cluster.rest.request("DELETE", f"/api/v1/namespaces/{WARMUP_NAMESPACE}")


def _create_when_admitted(
    env: Environment, path: str, body: dict[str, Any], timeout: float
) -> None:
    # The conversion and admission webhooks answer by now, but the API server may still
    # hold a stale connection or CA for a moment: retry refusals that name a webhook.
    deadline = time.monotonic() + timeout
    while True:
        try:
            env.cluster.rest.request("POST", path, body)
            return
        except RestError as err:
            if err.status == 409:
                return
            if "webhook" not in str(err) or time.monotonic() > deadline:
                kind, version = body["kind"], body["apiVersion"]
                raise ManagerError(f"warm-up: {kind} {version} not admitted: {err}") from err
        env.alive()
        time.sleep(0.5)
