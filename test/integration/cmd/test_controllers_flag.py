"""kruise-manager --controllers as users run it: a turned-off controller leaves its kind
alone while the others work, and its webhooks are still served."""

from __future__ import annotations

import json
import ssl
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.commands import manager_command
from support.paths import REPO_ROOT
from support.polling import eventually_blocking

from kruise.runtime.envtest import ControlPlane
from kruise.runtime.envtest.ports import free_port

APPS = "/apis/apps.kruise.io"


def template(app: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {"containers": [{"name": "main", "image": "nginx:1.25"}]},
    }


def cloneset(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "CloneSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": template(name),
        },
    }


def statefulset(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps.kruise.io/v1beta1",
        "kind": "StatefulSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": 2,
            "serviceName": name,
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": {"app": name}},
            "template": template(name),
        },
    }


class Manager:
    def __init__(self, plane: ControlPlane, namespace: str, workdir: Path, *flags: str) -> None:
        self.webhook_port = free_port()
        self.log_path = workdir / "manager.log"
        self.log = self.log_path.open("w")
        self.popen = subprocess.Popen(
            [
                *manager_command(),
                f"--kubeconfig={plane.kubeconfig_path}",
                "--metrics-addr=0",
                "--health-probe-addr=0",
                f"--namespace={namespace}",
                "--log-format=json",
                "--webhook-bind-address=127.0.0.1",
                f"--webhook-port={self.webhook_port}",
                f"--webhook-cert-dir={workdir / 'certs'}",
                *flags,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def events(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_path.read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
        return lines

    def review(self, path: str, obj: dict[str, Any]) -> dict[str, Any] | None:
        """An AdmissionReview straight to the webhook server (no API server involved)."""
        if self.popen.poll() is not None:
            raise AssertionError(f"kruise-manager exited: {self.log_path.read_text()[-2000:]}")
        body = {
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "1",
                "kind": {"group": "apps.kruise.io", "version": "v1alpha1", "kind": "CloneSet"},
                "resource": {
                    "group": "apps.kruise.io",
                    "version": "v1alpha1",
                    "resource": "clonesets",
                },
                "operation": "CREATE",
                "namespace": obj["metadata"].get("namespace", "default"),
                "name": obj["metadata"]["name"],
                "object": obj,
                "userInfo": {"username": "test"},
            },
        }
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        request = urllib.request.Request(
            f"https://127.0.0.1:{self.webhook_port}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, context=insecure, timeout=10) as answer:
                response: dict[str, Any] = json.load(answer)["response"]
                return response
        except OSError:
            return None

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.log.close()


@pytest.fixture
def manager(control_plane: ControlPlane, namespace: str, tmp_path: Path) -> Iterator[Manager]:
    control_plane.install_crds([REPO_ROOT / "config/crd/bases"])
    started = Manager(control_plane, namespace, tmp_path, "--controllers=*,-cloneset")
    yield started
    started.stop()


def pods_of(plane: ControlPlane, namespace: str, app: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = plane.rest.get(
        f"/api/v1/namespaces/{namespace}/pods?labelSelector=app%3D{app}"
    )["items"]
    return found


def test_a_turned_off_controller_leaves_its_kind_alone(
    control_plane: ControlPlane, namespace: str, manager: Manager
) -> None:
    # The CloneSet first: by the time the StatefulSet is handled, a running CloneSet
    # controller would have seen it too.
    plane = control_plane
    plane.rest.request("POST", f"{APPS}/v1alpha1/namespaces/{namespace}/clonesets", cloneset("cs"))
    plane.rest.request(
        "POST", f"{APPS}/v1beta1/namespaces/{namespace}/statefulsets", statefulset("sts")
    )

    def statefulset_done() -> bool:
        sts = plane.rest.get(f"{APPS}/v1beta1/namespaces/{namespace}/statefulsets/sts")
        observed = (sts.get("status") or {}).get("observedGeneration")
        return len(pods_of(plane, namespace, "sts")) == 2 and observed == 1

    eventually_blocking(statefulset_done, timeout=60, what="the StatefulSet's two pods")
    assert pods_of(plane, namespace, "cs") == []
    cs = plane.rest.get(f"{APPS}/v1alpha1/namespaces/{namespace}/clonesets/cs")
    assert "observedGeneration" not in (cs.get("status") or {})
    turned_off = [
        e for e in manager.events() if e.get("event", "").startswith("controllers turned off")
    ]
    assert [e["controllers"] for e in turned_off] == [["cloneset"]]

    # The CloneSet webhooks still answer: a CloneSet whose selector misses its template
    # is refused by the validating webhook.
    bad = cloneset("bad")
    bad["metadata"]["namespace"] = namespace
    bad["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    answer = eventually_blocking(
        lambda: manager.review("/validate-apps-kruise-io-v1alpha1-cloneset", bad),
        timeout=60,
        what="the CloneSet validating webhook to answer",
    )
    assert answer["allowed"] is False
    assert "selector" in json.dumps(answer["status"])
