"""config/rbac on a real API server (RBAC on): what it grants and refuses, and
kruise-manager itself running as the kruise-manager ServiceAccount with nothing more.

The RBAC objects, the Lease and the Secret live in kube-system of the shared control plane
and are removed afterwards. The two webhook configurations get the real names but match
a made-up group only, so no other test's request ever reaches them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support import workloads
from support.advancedcronjob import defaulted_acj
from support.broadcastjob import assigned_node, defaulted_job, ready_condition
from support.commands import manager_command
from support.paths import REPO_ROOT
from support.polling import eventually_blocking

from kruise.apis.apps.defaults import default_cloneset
from kruise.apis.apps.v1alpha1 import ADVANCEDCRONJOBS, BROADCASTJOBS, CLONESETS
from kruise.runtime.envtest import Binaries, ControlPlane
from kruise.runtime.envtest.install import WEBHOOK_COLLECTIONS
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.envtest.rest import RestError, url_ok
from kruise.webhook.certs.options import (
    DEFAULT_SECRET,
    MUTATING_CONFIGURATION,
    VALIDATING_CONFIGURATION,
)

NAMESPACE = "kube-system"
ACCOUNT = "kruise-manager"
USER = f"system:serviceaccount:{NAMESPACE}:{ACCOUNT}"
GROUPS = ["system:serviceaccounts", f"system:serviceaccounts:{NAMESPACE}", "system:authenticated"]
LEASE = "kruise-manager"
LEASE_PATH = f"/apis/coordination.k8s.io/v1/namespaces/{NAMESPACE}/leases/{LEASE}"
SECRET_PATH = f"/api/v1/namespaces/{NAMESPACE}/secrets/{DEFAULT_SECRET}"
CONFIGURATIONS = {
    "MutatingWebhookConfiguration": MUTATING_CONFIGURATION,
    "ValidatingWebhookConfiguration": VALIDATING_CONFIGURATION,
}


def kubectl(plane: ControlPlane, *args: str) -> subprocess.CompletedProcess[str]:
    binaries = Binaries.default()
    binaries.require("kubectl")
    return subprocess.run(
        [str(binaries.kubectl), f"--kubeconfig={plane.kubeconfig_path}", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def delete_quietly(plane: ControlPlane, path: str) -> None:
    try:
        plane.rest.request("DELETE", path)
    except RestError as err:
        if err.status != 404:
            raise


@pytest.fixture(scope="module")
def rbac(control_plane: ControlPlane) -> Iterator[None]:
    applied = kubectl(control_plane, "apply", "-k", "config/rbac")
    assert applied.returncode == 0, applied.stderr
    try:
        yield
    finally:
        kubectl(control_plane, "delete", "-k", "config/rbac", "--ignore-not-found")


# ---- what the rules allow -------------------------------------------------------------


def allowed(
    plane: ControlPlane,
    verb: str,
    resource: str,
    *,
    group: str = "",
    namespace: str = "",
    name: str = "",
) -> bool:
    resource, _, subresource = resource.partition("/")
    attributes = {
        "verb": verb,
        "group": group,
        "resource": resource,
        "subresource": subresource,
        "namespace": namespace,
        "name": name,
    }
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {
            "user": USER,
            "groups": GROUPS,
            "resourceAttributes": {k: v for k, v in attributes.items() if v},
        },
    }
    answer = plane.rest.request(
        "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review
    )
    return bool(answer["status"].get("allowed"))


# (verb, resource, group, namespace, name): what the code does, by the code that does it.
GRANTED = [
    # The workload and job controllers and the CloneSet webhook, in any namespace.
    ("get list watch create update patch delete", "pods", "", "team-a", ""),
    ("patch", "pods/status", "", "team-a", ""),
    ("get list watch create patch delete", "persistentvolumeclaims", "", "team-a", ""),
    ("create patch", "events", "", "team-a", ""),
    ("get list watch create update patch delete", "controllerrevisions", "apps", "team-a", ""),
    ("get list watch patch", "clonesets", "apps.kruise.io", "team-a", ""),
    ("update", "clonesets/status", "apps.kruise.io", "team-a", ""),
    ("get list watch", "statefulsets", "apps.kruise.io", "team-a", ""),
    ("update", "statefulsets/status", "apps.kruise.io", "team-a", ""),
    # BroadcastJob controller: nodes cluster-wide, read only; its jobs and their status.
    ("list watch", "nodes", "", "", ""),
    ("get list watch patch delete", "broadcastjobs", "apps.kruise.io", "team-a", ""),
    ("update", "broadcastjobs/status", "apps.kruise.io", "team-a", ""),
    # AdvancedCronJob controller: its cron jobs and their status, and the children it starts.
    ("get list watch", "advancedcronjobs", "apps.kruise.io", "team-a", ""),
    ("update", "advancedcronjobs/status", "apps.kruise.io", "team-a", ""),
    ("get list watch create delete", "jobs", "batch", "team-a", ""),
    ("create", "broadcastjobs", "apps.kruise.io", "team-a", ""),
    # Leader election, by name (list/watch by name: a fieldSelector metadata.name=...).
    ("get update watch", "leases", "coordination.k8s.io", NAMESPACE, LEASE),
    ("create", "leases", "coordination.k8s.io", NAMESPACE, ""),
    # Webhook certificates.
    ("get list watch update", "secrets", "", NAMESPACE, DEFAULT_SECRET),
    ("create", "secrets", "", NAMESPACE, ""),
    (
        "get list watch update",
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
        "",
        MUTATING_CONFIGURATION,
    ),
    (
        "get list watch update",
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
        "",
        VALIDATING_CONFIGURATION,
    ),
    ("list watch", "customresourcedefinitions", "apiextensions.k8s.io", "", ""),
    (
        "get update",
        "customresourcedefinitions",
        "apiextensions.k8s.io",
        "",
        "statefulsets.apps.kruise.io",
    ),
]

REFUSED = [
    # Secrets: only the one, only in kube-system.
    ("get list watch", "secrets", "", NAMESPACE, ""),
    ("get update delete", "secrets", "", NAMESPACE, "bootstrap-token-abcdef"),
    ("create get list", "secrets", "", "team-a", ""),
    ("delete", "secrets", "", NAMESPACE, DEFAULT_SECRET),
    # The control plane's own Leases are not ours to take.
    ("get update delete", "leases", "coordination.k8s.io", NAMESPACE, "kube-scheduler"),
    ("list", "leases", "coordination.k8s.io", NAMESPACE, ""),
    ("create", "leases", "coordination.k8s.io", "team-a", ""),
    # Other webhooks and CRDs, and deleting ours.
    ("update", "validatingwebhookconfigurations", "admissionregistration.k8s.io", "", "other"),
    ("create delete", "mutatingwebhookconfigurations", "admissionregistration.k8s.io", "", ""),
    ("update delete", "customresourcedefinitions", "apiextensions.k8s.io", "", "other.io"),
    ("delete create", "customresourcedefinitions", "apiextensions.k8s.io", "", ""),
    # Things nothing in kruise-py does.
    ("create", "pods/exec", "", "team-a", ""),
    ("create", "pods/eviction", "", "team-a", ""),
    ("update", "pods/status", "", "team-a", ""),
    ("update", "persistentvolumeclaims", "", "team-a", ""),
    ("delete update", "clonesets", "apps.kruise.io", "team-a", ""),
    # The StatefulSet controller never writes a set's spec (scale goes through the
    # subresource the API server serves) nor its status other than by update.
    ("create update patch delete", "statefulsets", "apps.kruise.io", "team-a", ""),
    ("patch", "statefulsets/status", "apps.kruise.io", "team-a", ""),
    ("update patch", "statefulsets/scale", "apps.kruise.io", "team-a", ""),
    # The BroadcastJob controller writes a job's spec only by patching spec.paused, and
    # its status only by update; the AdvancedCronJob controller never writes its spec.
    ("update", "broadcastjobs", "apps.kruise.io", "team-a", ""),
    ("patch", "broadcastjobs/status", "apps.kruise.io", "team-a", ""),
    ("create update patch delete", "advancedcronjobs", "apps.kruise.io", "team-a", ""),
    ("patch", "advancedcronjobs/status", "apps.kruise.io", "team-a", ""),
    # Jobs are kube-controller-manager's to run: no update, patch or status.
    ("update patch", "jobs", "batch", "team-a", ""),
    ("update patch", "jobs/status", "batch", "team-a", ""),
    ("create", "cronjobs", "batch", "team-a", ""),
    ("get list", "configmaps", "", NAMESPACE, ""),
    ("get update patch delete create", "nodes", "", "", ""),
    ("create", "serviceaccounts/token", "", NAMESPACE, ACCOUNT),
    ("bind escalate create", "clusterroles", "rbac.authorization.k8s.io", "", ""),
    ("update", "deployments", "apps", NAMESPACE, "kruise-controller-manager"),
]


@pytest.mark.parametrize(("verbs", "resource", "group", "namespace", "name"), GRANTED)
def test_grants_what_the_code_uses(
    control_plane: ControlPlane,
    rbac: None,
    verbs: str,
    resource: str,
    group: str,
    namespace: str,
    name: str,
) -> None:
    refused = [
        verb
        for verb in verbs.split()
        if not allowed(control_plane, verb, resource, group=group, namespace=namespace, name=name)
    ]
    assert not refused, f"{resource} {name}: {refused} refused"


@pytest.mark.parametrize(("verbs", "resource", "group", "namespace", "name"), REFUSED)
def test_refuses_the_rest(
    control_plane: ControlPlane,
    rbac: None,
    verbs: str,
    resource: str,
    group: str,
    namespace: str,
    name: str,
) -> None:
    granted = [
        verb
        for verb in verbs.split()
        if allowed(control_plane, verb, resource, group=group, namespace=namespace, name=name)
    ]
    assert not granted, f"{resource} {name}: {granted} granted"


# ---- the manager as its ServiceAccount --------------------------------------------------


def inert_configuration(kind: str, name: str) -> dict[str, Any]:
    """A webhook configuration with the real name whose only webhook matches nothing."""
    prefix = "m" if kind.startswith("Mutating") else "v"
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": kind,
        "metadata": {"name": name},
        "webhooks": [
            {
                "name": f"{prefix}shiptest.kb.io",
                "clientConfig": {
                    "service": {
                        "namespace": "default",
                        "name": "kruise-webhook-service",
                        "path": f"/{prefix}-ship-test",
                    }
                },
                "rules": [
                    {
                        "apiGroups": ["shiptest.kruise.io"],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE"],
                        "resources": ["nothings"],
                    }
                ],
                "failurePolicy": "Ignore",
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "timeoutSeconds": 1,
            }
        ],
    }


@dataclass
class Manager:
    popen: subprocess.Popen[bytes]
    log_path: Path
    metrics_url: str
    pod_name: str

    def log(self) -> str:
        return self.log_path.read_text()

    def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        with urllib.request.urlopen(self.metrics_url, timeout=5) as response:
            text = response.read().decode()
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    def sample(self, metric: str, **labels: str) -> float | None:
        return self.metrics().get((metric, tuple(sorted(labels.items()))))

    def forbidden_requests(self) -> list[str]:
        """Log lines where the authorizer refused the manager. Other 403s (creating in a
        namespace other tests are deleting, on this shared control plane) do not count."""
        identity = f"system:serviceaccount:{NAMESPACE}:{ACCOUNT}"
        return [line for line in self.log().splitlines() if identity in line and "cannot" in line]


@pytest.fixture(scope="module")
def manager(
    control_plane: ControlPlane, rbac: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Manager]:
    """kruise-manager with the ServiceAccount's token only, as it runs in the cluster."""
    plane = control_plane
    work = tmp_path_factory.mktemp("manager-as-sa")
    # The CloneSet controller starts only when its CRD is served.
    plane.install_crds([REPO_ROOT / "config" / "crd" / "bases"])
    for path in (LEASE_PATH, SECRET_PATH):  # whatever an earlier run left
        delete_quietly(plane, path)
    for kind, name in CONFIGURATIONS.items():
        delete_quietly(plane, f"{WEBHOOK_COLLECTIONS[kind]}/{name}")
        plane.rest.request("POST", WEBHOOK_COLLECTIONS[kind], inert_configuration(kind, name))
    kubeconfig = plane.service_account_kubeconfig(NAMESPACE, ACCOUNT, work / "kubeconfig")
    health, metrics = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "KUBECONFIG"))}
    env.update(POD_NAMESPACE=NAMESPACE, POD_NAME="kruise-controller-manager-ship-test")
    log_path = work / "manager.log"
    with log_path.open("w") as log:
        popen = subprocess.Popen(
            [
                *manager_command(),
                f"--kubeconfig={kubeconfig}",
                "--enable-leader-election",
                f"--metrics-addr=127.0.0.1:{metrics}",
                f"--health-probe-addr=127.0.0.1:{health}",
                f"--webhook-port={free_port()}",
                f"--webhook-cert-dir={work / 'certs'}",
                "--log-format=json",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    handle = Manager(popen, log_path, f"http://127.0.0.1:{metrics}/metrics", env["POD_NAME"])
    try:

        def ready() -> bool:
            if popen.poll() is not None:
                pytest.fail(f"kruise-manager exited {popen.returncode}:\n{handle.log()[-3000:]}")
            return url_ok(f"http://127.0.0.1:{health}/readyz")

        eventually_blocking(ready, timeout=90, interval=0.2, what="kruise-manager /readyz")
        yield handle
    finally:
        if popen.poll() is None:
            popen.kill()
        popen.wait(30)
        for kind, name in CONFIGURATIONS.items():
            delete_quietly(plane, f"{WEBHOOK_COLLECTIONS[kind]}/{name}")
        for path in (LEASE_PATH, SECRET_PATH):
            delete_quietly(plane, path)
        print(handle.log()[-3000:])


def test_manager_gets_ready_and_leads_with_only_its_rbac(
    control_plane: ControlPlane, manager: Manager
) -> None:
    # Leader election: the Lease was created and is held by this pod.
    eventually_blocking(
        lambda: manager.sample("leader_election_master_status", name=LEASE) == 1,
        timeout=90,
        interval=0.2,
        what="the manager to lead",
    )
    assert control_plane.rest.get(LEASE_PATH)["spec"]["holderIdentity"] == manager.pod_name
    # Webhook certificates: the Secret was created and the CA injected into both
    # configurations (found through informers watching by name).
    assert control_plane.rest.ok(SECRET_PATH)
    for kind, name in CONFIGURATIONS.items():
        configuration = control_plane.rest.get(f"{WEBHOOK_COLLECTIONS[kind]}/{name}")
        client_config = configuration["webhooks"][0]["clientConfig"]
        assert client_config["caBundle"]
        assert client_config["service"]["namespace"] == NAMESPACE
        target = kind.lower()
        assert (manager.sample("kruise_webhook_cert_writes_total", target=target) or 0) >= 1
    assert manager.forbidden_requests() == []


def test_cloneset_controller_works_with_only_its_rbac(
    control_plane: ControlPlane, manager: Manager, namespace: str
) -> None:
    cloneset = default_cloneset(workloads.cloneset("ship", 2, namespace=namespace))
    created = control_plane.rest.request("POST", CLONESETS.path(namespace), cloneset)
    uid = created["metadata"]["uid"]

    def owned_pods() -> list[dict[str, Any]]:
        pods = control_plane.rest.get(f"/api/v1/namespaces/{namespace}/pods")["items"]
        return [
            p
            for p in pods
            if any(o["uid"] == uid for o in p["metadata"].get("ownerReferences", []))
        ]

    def scaled() -> bool:
        if manager.forbidden_requests():
            pytest.fail(f"the API server refused the manager:\n{manager.log()[-3000:]}")
        return len(owned_pods()) == 2

    eventually_blocking(scaled, timeout=90, interval=0.2, what="the CloneSet's two pods")
    # Status through the status subresource, revisions and events: all as the manager.
    eventually_blocking(
        lambda: (
            control_plane.rest.get(CLONESETS.path(namespace, "ship"))
            .get("status", {})
            .get("replicas")
            == 2
        ),
        timeout=90,
        interval=0.2,
        what="status.replicas 2",
    )
    revisions = control_plane.rest.get(f"/apis/apps/v1/namespaces/{namespace}/controllerrevisions")[
        "items"
    ]
    assert revisions
    events = control_plane.rest.get(f"/api/v1/namespaces/{namespace}/events")["items"]
    assert any(e["reason"] == "SuccessfulCreate" for e in events)
    assert manager.forbidden_requests() == []


SHIP_NODE_LABEL = "kruise-py.test/ship-rbac"


def test_job_controllers_work_with_only_their_rbac(
    control_plane: ControlPlane, manager: Manager, namespace: str
) -> None:
    """A BroadcastJob gets its pod on the one node it selects (nodes read, pod created,
    status written, an Event), and an AdvancedCronJob gets its status.type, all as the
    manager's ServiceAccount. No scheduler runs here: the pod stays unbound."""
    rest = control_plane.rest
    node_name = f"{namespace}-node"
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": node_name, "labels": {SHIP_NODE_LABEL: namespace}},
        "status": {
            "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "conditions": [ready_condition("2024-01-01T00:00:00Z")],
        },
    }
    rest.request("POST", "/api/v1/nodes", node)
    try:
        # The API server taints every new node not-ready; no lifecycle controller lifts it.
        untaint = {"spec": {"taints": None}}
        path = f"/api/v1/nodes/{node_name}"
        rest.request("PATCH", path, untaint, content_type="application/merge-patch+json")
        job = defaulted_job("ship")
        job["spec"]["template"]["spec"]["nodeSelector"] = {SHIP_NODE_LABEL: namespace}
        rest.request("POST", BROADCASTJOBS.path(namespace), job)
        acj = defaulted_acj("ship", "0 0 1 1 *")
        rest.request("POST", ADVANCEDCRONJOBS.path(namespace), acj)

        def started() -> bool:
            if manager.forbidden_requests():
                pytest.fail(f"the API server refused the manager:\n{manager.log()[-3000:]}")
            status = rest.get(BROADCASTJOBS.path(namespace, "ship")).get("status", {})
            typed = rest.get(ADVANCEDCRONJOBS.path(namespace, "ship")).get("status", {})
            return (status.get("desired"), status.get("active"), typed.get("type")) == (
                1,
                1,
                "Job",
            )

        eventually_blocking(
            started, timeout=90, interval=0.2, what="the BroadcastJob's pod and both statuses"
        )
        [pod] = rest.get(f"/api/v1/namespaces/{namespace}/pods")["items"]
        assert assigned_node(pod) == node_name

        def recorded() -> bool:
            # The event recorder sends in the background, after the status write.
            events = rest.get(f"/api/v1/namespaces/{namespace}/events")["items"]
            return any(
                e["reason"] == "SuccessfulCreate" and e["involvedObject"]["kind"] == "BroadcastJob"
                for e in events
            )

        eventually_blocking(recorded, timeout=30, interval=0.2, what="the SuccessfulCreate Event")
        assert manager.forbidden_requests() == []
    finally:
        delete_quietly(control_plane, f"/api/v1/nodes/{node_name}")


def test_sigterm_releases_the_lease(control_plane: ControlPlane, manager: Manager) -> None:
    manager.popen.send_signal(signal.SIGTERM)
    assert manager.popen.wait(60) == 0, manager.log()[-3000:]
    assert not control_plane.rest.get(LEASE_PATH)["spec"].get("holderIdentity")
    assert manager.forbidden_requests() == []
