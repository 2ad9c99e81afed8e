"""Secure metrics against a real kube-apiserver (RBAC on): config/rbac lets kruise-manager
send TokenReviews and SubjectAccessReviews and nothing more for it, the ClusterRole
kruise-py-metrics-reader grants get on /metrics, and the secure metrics server, sending its
reviews as kruise-manager's ServiceAccount, answers 401, 403 and 200 as it should.

The RBAC objects live on the shared control plane and are removed afterwards; the two
scraping ServiceAccounts live in the test's namespace.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client import CollectorRegistry, Counter
from support.paths import REPO_ROOT
from support.webhook_tls import CA, running

from kruise.runtime.client import Client, kubeconfig_config
from kruise.runtime.envtest import Binaries, ControlPlane
from kruise.runtime.envtest.rest import RestError
from kruise.runtime.metrics import DelegatingAuth, SecureMetricsServer
from kruise.runtime.webhook import WebhookServer

SYSTEM = "kube-system"
MANAGER = f"system:serviceaccount:{SYSTEM}:kruise-manager"
READER_ROLE = "kruise-py-metrics-reader"


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


@pytest.fixture(scope="module")
def rbac(control_plane: ControlPlane) -> Iterator[None]:
    applied = kubectl(control_plane, "apply", "-k", "config/rbac")
    assert applied.returncode == 0, applied.stderr
    try:
        yield
    finally:
        kubectl(control_plane, "delete", "-k", "config/rbac", "--ignore-not-found")


def review(plane: ControlPlane, user: str, attributes: dict[str, Any]) -> bool:
    key = "nonResourceAttributes" if "path" in attributes else "resourceAttributes"
    answer = plane.rest.request(
        "POST",
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": user,
                "groups": ["system:serviceaccounts", "system:authenticated"],
                key: attributes,
            },
        },
    )
    return bool(answer["status"].get("allowed"))


@pytest.mark.parametrize(
    ("group", "resource"),
    [
        ("authentication.k8s.io", "tokenreviews"),
        ("authorization.k8s.io", "subjectaccessreviews"),
    ],
)
def test_the_manager_may_create_reviews_and_nothing_else_on_them(
    control_plane: ControlPlane, rbac: None, group: str, resource: str
) -> None:
    attributes = {"group": group, "resource": resource}
    assert review(control_plane, MANAGER, {**attributes, "verb": "create"})
    for verb in ("get", "list", "delete"):
        assert not review(control_plane, MANAGER, {**attributes, "verb": verb}), verb


def test_the_manager_itself_may_not_read_metrics(control_plane: ControlPlane, rbac: None) -> None:
    assert not review(control_plane, MANAGER, {"path": "/metrics", "verb": "get"})


# ---- the server, its reviews sent as kruise-manager --------------------------------------


def service_account(plane: ControlPlane, namespace: str, name: str) -> str:
    """Create ServiceAccount ``namespace/name`` and return a fresh token of it."""
    plane.rest.request(
        "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts", {"metadata": {"name": name}}
    )
    answer = plane.rest.request(
        "POST",
        f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token",
        {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}},
    )
    return str(answer["status"]["token"])


@pytest.fixture
def tokens(control_plane: ControlPlane, rbac: None, namespace: str) -> Iterator[dict[str, str]]:
    """A token bound to the reader role ("reader") and one that is not ("nobody")."""
    plane = control_plane
    found = {name: service_account(plane, namespace, name) for name in ("reader", "nobody")}
    binding = f"metrics-reader-{uuid.uuid4().hex[:8]}"
    plane.rest.request(
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        {
            "metadata": {"name": binding},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": READER_ROLE,
            },
            "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": namespace}],
        },
    )
    try:
        yield found
    finally:
        try:
            plane.rest.request(
                "DELETE", f"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/{binding}"
            )
        except RestError as err:
            if err.status != 404:
                raise


@pytest.fixture
async def manager_client(
    control_plane: ControlPlane, rbac: None, tmp_path: Path
) -> AsyncIterator[Client]:
    kubeconfig = control_plane.service_account_kubeconfig(
        SYSTEM, "kruise-manager", tmp_path / "kubeconfig"
    )
    config = await kubeconfig_config(kubeconfig)
    async with Client(config, registry=None) as client:
        yield client


@pytest.fixture
async def served(tmp_path: Path, manager_client: Client) -> AsyncIterator[tuple[str, CA]]:
    ca = CA()
    ca.issue().write(tmp_path)
    webhook = WebhookServer(host="127.0.0.1", port=0, cert_dir=tmp_path, registry=None)
    registry = CollectorRegistry()
    Counter("controller_runtime_reconcile_total", "x", ["controller"], registry=registry).labels(
        "cloneset-controller"
    ).inc()

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = await manager_client.transport.request("POST", path, body=body)
        return answer

    metrics = SecureMetricsServer(
        registry, host="127.0.0.1", port=0, tls=webhook.certs, auth=DelegatingAuth(post)
    )
    async with running(webhook), running(metrics):  # type: ignore[arg-type]
        yield f"https://127.0.0.1:{metrics.bound_port}/metrics", ca


async def scrape(served: tuple[str, CA], token: str | None) -> tuple[int, str]:
    url, ca = served
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers=headers, ssl=ca.client_context()) as response,
    ):
        return response.status, await response.text()


async def test_no_token_is_401(served: tuple[str, CA], tokens: dict[str, str]) -> None:
    assert (await scrape(served, None))[0] == 401


async def test_a_token_the_api_server_does_not_know_is_401(
    served: tuple[str, CA], tokens: dict[str, str]
) -> None:
    forged = tokens["reader"][:-4] + ("AAAA" if not tokens["reader"].endswith("AAAA") else "BBBB")
    assert (await scrape(served, forged))[0] == 401


async def test_a_service_account_without_the_role_is_403(
    served: tuple[str, CA], tokens: dict[str, str], namespace: str
) -> None:
    status, body = await scrape(served, tokens["nobody"])
    assert status == 403
    assert f"system:serviceaccount:{namespace}:nobody" in body


async def test_the_bound_service_account_gets_the_series(
    served: tuple[str, CA], tokens: dict[str, str]
) -> None:
    status, body = await scrape(served, tokens["reader"])
    assert status == 200, body
    assert 'controller_runtime_reconcile_total{controller="cloneset-controller"} 1.0' in body
