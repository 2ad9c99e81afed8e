"""A control plane of its own with the apps.kruise.io CRDs and webhook configurations,
served by a kruise-manager process reached by URL, as a manager outside the cluster runs.

It is separate from the shared control plane because its webhooks fail closed: no other
test should depend on this manager being alive.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kruise.runtime.envtest import ControlPlane
from kruise.runtime.envtest.install import (
    CRD_COLLECTION,
    WEBHOOK_COLLECTIONS,
    load_documents,
    wait_for_crds,
)
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.envtest.rest import RestError, url_ok

ROOT = Path(__file__).resolve().parents[3]
MANAGER = ROOT / ".venv" / "bin" / "kruise-manager"


def _wait(check: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _injected(plane: ControlPlane, kind: str, name: str) -> bool:
    config = plane.rest.get(f"{WEBHOOK_COLLECTIONS[kind]}/{name}")
    return all(
        w["clientConfig"].get("caBundle") and w["clientConfig"].get("url")
        for w in config["webhooks"]
    )


def _admission_live(plane: ControlPlane, namespace: str) -> bool:
    """True once the API server really calls the validating webhook."""
    bad = {
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "CloneSet",
        "metadata": {"name": "probe"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {}}},
    }
    try:
        plane.rest.request(
            "POST",
            f"/apis/apps.kruise.io/v1alpha1/namespaces/{namespace}/clonesets?dryRun=All",
            bad,
        )
    except RestError as err:
        return "admission webhook" in str(err)
    return False


@pytest.fixture(scope="module")
def kruise_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    workdir = tmp_path_factory.mktemp("webhooks")
    with ControlPlane() as plane:
        crds = list(load_documents([ROOT / "config/crd/bases"]))
        for crd in crds:
            plane.rest.apply(CRD_COLLECTION, crd)
        port = free_port()
        health = free_port()
        log = (workdir / "manager.log").open("w")
        manager = subprocess.Popen(
            [
                str(MANAGER),
                f"--kubeconfig={plane.kubeconfig_path}",
                "--metrics-addr=0",
                f"--health-probe-addr=127.0.0.1:{health}",
                "--webhook-host=127.0.0.1",
                f"--webhook-port={port}",
                f"--webhook-cert-dir={workdir / 'certs'}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_crds(plane.rest, crds, timeout=60)
            for doc in load_documents([ROOT / "config/webhook/manifests.yaml"]):
                plane.rest.apply(WEBHOOK_COLLECTIONS[doc["kind"]], doc)
            for doc in load_documents([ROOT / "config/webhook/manifests.yaml"]):
                name = doc["metadata"]["name"]
                _wait(lambda d=doc, n=name: _injected(plane, d["kind"], n), f"CA in {name}")
            _wait(lambda: url_ok(f"http://127.0.0.1:{health}/readyz"), "manager /readyz")
            plane.rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": "probe"}})
            _wait(lambda: _admission_live(plane, "probe"), "the API server to call webhooks")
            yield plane
        finally:
            manager.terminate()
            manager.wait(30)
            log.close()
            print((workdir / "manager.log").read_text()[-3000:])


@pytest.fixture
def kruise_namespace(kruise_plane: ControlPlane) -> str:
    name = f"wh-{time.monotonic_ns() % 10**10}"
    kruise_plane.rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": name}})
    return name
