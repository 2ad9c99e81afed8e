"""``ControlPlane.restart_etcd``: etcd comes back on its port with its data, and
kube-apiserver serves again without a restart of its own."""

from __future__ import annotations

from kruise.runtime.envtest import ControlPlane

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def configmap(name: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "b"}}


def test_restart_etcd_keeps_the_data_and_the_port() -> None:
    with ControlPlane() as plane:
        assert plane.etcd is not None
        assert plane.apiserver is not None
        plane.rest.request("POST", CONFIGMAPS, configmap("before"))
        etcd_pid, apiserver_pid, port = plane.etcd.pid, plane.apiserver.pid, plane.etcd_port

        plane.restart_etcd()

        assert plane.etcd.pid != etcd_pid
        assert plane.etcd_port == port
        assert plane.apiserver.pid == apiserver_pid
        assert plane.rest.get(f"{CONFIGMAPS}/before")["data"] == {"a": "b"}
        plane.rest.request("POST", CONFIGMAPS, configmap("after"))
        assert plane.rest.get(f"{CONFIGMAPS}/after")["metadata"]["name"] == "after"
