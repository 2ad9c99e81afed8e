"""A control plane of its own with the apps.kruise.io CRDs and webhook configurations,
served by a kruise-manager process reached by URL, as a manager outside the cluster runs.

It is separate from the shared control plane because its webhooks fail closed: no other
test should depend on this manager being alive.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest
from support.commands import manager_command
from support.paths import REPO_ROOT
from support.polling import eventually_blocking
from support.workloads import webhooks_called

from kruise.runtime.envtest import ControlPlane
from kruise.runtime.envtest.install import (
    CRD_COLLECTION,
    WEBHOOK_COLLECTIONS,
    load_documents,
    wait_for_crds,
)
from kruise.runtime.envtest.ports import free_port
from kruise.runtime.envtest.rest import url_ok


def _injected(plane: ControlPlane, kind: str, name: str) -> bool:
    config = plane.rest.get(f"{WEBHOOK_COLLECTIONS[kind]}/{name}")
    return all(
        w["clientConfig"].get("caBundle") and w["clientConfig"].get("url")
        for w in config["webhooks"]
    )


@pytest.fixture(scope="module")
def kruise_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    workdir = tmp_path_factory.mktemp("webhooks")
    with ControlPlane() as plane:
        crds = list(load_documents([REPO_ROOT / "config/crd/bases"]))
        for crd in crds:
            plane.rest.apply(CRD_COLLECTION, crd)
        port = free_port()
        health = free_port()
        log = (workdir / "manager.log").open("w")
        manager = subprocess.Popen(
            [
                *manager_command(),
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
            for doc in load_documents([REPO_ROOT / "config/webhook/manifests.yaml"]):
                plane.rest.apply(WEBHOOK_COLLECTIONS[doc["kind"]], doc)
            for doc in load_documents([REPO_ROOT / "config/webhook/manifests.yaml"]):
                name = doc["metadata"]["name"]
                eventually_blocking(
                    lambda d=doc, n=name: _injected(plane, d["kind"], n),
                    timeout=60,
                    interval=0.2,
                    what=f"CA in {name}",
                )
            eventually_blocking(
                lambda: url_ok(f"http://127.0.0.1:{health}/readyz"),
                timeout=60,
                interval=0.2,
                what="manager /readyz",
            )
            plane.rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": "probe"}})
            eventually_blocking(
                lambda: webhooks_called(plane.rest, "probe"),
                timeout=60,
                interval=0.2,
                what="the API server to call webhooks",
            )
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
