"""kruise-manager with --metrics-secure on a local cluster, as its own process and as its
ServiceAccount: /metrics over HTTPS answers 401 without a token, 403 to a ServiceAccount
without the reader role, 200 with the controller-runtime series to one bound to
kruise-py-metrics-reader; and the API server's audit log shows the manager's TokenReviews
and SubjectAccessReviews granted by config/rbac, and nothing it asked for refused.

Self-contained: its own cluster (with an audit log of the manager's requests) and manager.
"""

from __future__ import annotations

import base64
import json
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.kruise_env import AUDIT_POLICY
from support.least_privilege import used
from support.managers import ManagerOptions, ManagerProcess, start_manager
from support.paths import REPO_ROOT
from support.polling import eventually_blocking
from support.workloads import cloneset

from kruise.apis.apps.defaults import default_cloneset
from kruise.apis.apps.v1alpha1 import CLONESETS
from kruise.runtime.envtest import Binaries, LocalCluster, LocalClusterOptions, NodeSpec
from kruise.runtime.envtest.ports import free_port
from kruise.webhook.certs.generate import CA_CERT
from kruise.webhook.certs.options import DEFAULT_SECRET

SYSTEM = "kube-system"
MONITORING = "monitoring"
READER_ROLE = "kruise-py-metrics-reader"
pytestmark = pytest.mark.timeout(900)


@dataclass
class Env:
    cluster: LocalCluster
    manager: ManagerProcess
    metrics_url: str
    audit_log: Path
    tokens: dict[str, str]

    def ca(self) -> ssl.SSLContext:
        """Trust the CA of the webhook Secret, whose certificate the metrics server serves."""
        secret = self.cluster.rest.get(f"/api/v1/namespaces/{SYSTEM}/secrets/{DEFAULT_SECRET}")
        pem = base64.b64decode(secret["data"][CA_CERT]).decode()
        context = ssl.create_default_context(cadata=pem)
        context.check_hostname = False  # issued for the Service's names; dialled by IP here
        return context

    def scrape(self, token: str | None) -> tuple[int, str]:
        request = urllib.request.Request(self.metrics_url)
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10, context=self.ca()) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()


def kubectl(cluster: LocalCluster, *args: str) -> None:
    binaries = Binaries.default()
    done = subprocess.run(
        [str(binaries.kubectl), f"--kubeconfig={cluster.kubeconfig_path}", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def token_of(cluster: LocalCluster, namespace: str, name: str) -> str:
    cluster.rest.request(
        "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts", {"metadata": {"name": name}}
    )
    answer = cluster.rest.request(
        "POST",
        f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token",
        {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}},
    )
    return str(answer["status"]["token"])


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    work = tmp_path_factory.mktemp("metrics-auth-e2e")
    policy = work / "audit-policy.json"
    policy.write_text(json.dumps(AUDIT_POLICY))
    audit_log = work / "audit.log"
    options = LocalClusterOptions(
        nodes=[NodeSpec("metrics-node-0")],
        start_timeout=120,
        extra_apiserver_args=[
            f"--audit-policy-file={policy}",
            f"--audit-log-path={audit_log}",
            "--audit-log-format=json",
            "--audit-log-mode=blocking",
        ],
    )
    with LocalCluster(options) as cluster:
        kubectl(cluster, "apply", "-k", "config/rbac")
        kubectl(cluster, "create", "namespace", MONITORING)
        tokens = {
            "prometheus": token_of(cluster, MONITORING, "prometheus"),
            "nobody": token_of(cluster, MONITORING, "nobody"),
        }
        kubectl(
            cluster,
            "create",
            "clusterrolebinding",
            "prometheus-kruise-py-metrics",
            f"--clusterrole={READER_ROLE}",
            f"--serviceaccount={MONITORING}:prometheus",
        )
        as_manager = cluster.service_account_kubeconfig(SYSTEM, "kruise-manager", work / "sa")
        port = free_port()
        manager = start_manager(
            cluster,
            ManagerOptions(
                flavour="kruise-py",
                workdir=work,
                namespace=SYSTEM,
                # The last of a repeated flag wins: the manager's identity and metrics port.
                extra_args=[
                    f"--kubeconfig={as_manager}",
                    f"--metrics-addr=127.0.0.1:{port}",
                    "--metrics-secure",
                ],
            ),
        )
        try:
            yield Env(cluster, manager, f"https://127.0.0.1:{port}/metrics", audit_log, tokens)
        finally:
            manager.stop()
            print(manager.log.read_text(errors="replace")[-3000:])


def test_without_a_token_401(env: Env) -> None:
    status, body = env.scrape(None)
    assert status == 401
    assert "controller_runtime" not in body


def test_plain_http_gets_no_metrics(env: Env) -> None:
    url = env.metrics_url.replace("https://", "http://")
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        urllib.request.urlopen(url, timeout=10).read()


def test_a_service_account_without_the_role_403(env: Env) -> None:
    status, body = env.scrape(env.tokens["nobody"])
    assert status == 403
    assert f"system:serviceaccount:{MONITORING}:nobody" in body
    assert "controller_runtime" not in body


def test_the_bound_service_account_gets_the_controller_runtime_series(env: Env) -> None:
    namespace = "metrics-e2e"
    env.cluster.rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})
    created = default_cloneset(cloneset("scraped", 1, namespace=namespace))
    env.cluster.rest.request("POST", CLONESETS.path(namespace), created)

    def reconciled() -> bool:
        env.manager.check()
        status, body = env.scrape(env.tokens["prometheus"])
        assert status == 200, body
        samples = {
            (s.name, s.labels.get("controller"), s.labels.get("result")): s.value
            for family in text_string_to_metric_families(body)
            for s in family.samples
        }
        return (
            samples.get(("controller_runtime_reconcile_total", "cloneset-controller", "success"), 0)
            > 0
        )

    eventually_blocking(reconciled, timeout=120, interval=1, what="a scraped CloneSet reconcile")
    _, body = env.scrape(env.tokens["prometheus"])
    for series in (
        "workqueue_adds_total",
        "rest_client_requests_total",
        "process_cpu_seconds_total",
    ):
        assert series in body, series


def test_the_audit_log_shows_the_reviews_granted_and_nothing_refused(env: Env) -> None:
    # The three scrapes above have each been reviewed at least once.
    seen, refused = used(env.audit_log)
    assert refused == []
    assert ("authentication.k8s.io", "tokenreviews", "create") in seen
    assert ("authorization.k8s.io", "subjectaccessreviews", "create") in seen
