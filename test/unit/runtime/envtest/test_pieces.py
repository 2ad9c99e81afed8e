"""Pure pieces of the local control plane: certificates, ports, manifests, stages."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from kruise.runtime.envtest import Binaries, BinaryNotFoundError, NodeSpec, WebhookEndpoint
from kruise.runtime.envtest.certs import TinyCA
from kruise.runtime.envtest.cluster import stage_files
from kruise.runtime.envtest.install import _with_conversion_endpoint, load_documents
from kruise.runtime.envtest.ports import PortInUseError, ensure_free, free_port


def test_issued_certificate_is_signed_by_the_ca_and_names_its_hosts() -> None:
    ca = TinyCA("test-ca")
    pair = ca.issue("server", hosts=["localhost", "127.0.0.1"], server=True)
    cert = x509.load_pem_x509_certificate(pair.cert_pem)
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    cert.verify_directly_issued_by(ca_cert)
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert sans.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)


def test_client_certificate_carries_user_and_groups() -> None:
    pair = TinyCA("clients").issue("alice", organizations=["system:masters"], client=True)
    cert = x509.load_pem_x509_certificate(pair.cert_pem)
    subject = {attr.oid._name: attr.value for attr in cert.subject}
    assert subject == {"commonName": "alice", "organizationName": "system:masters"}


def test_free_ports_are_not_handed_out_twice() -> None:
    ports = {free_port() for _ in range(50)}
    assert len(ports) == 50


def test_ensure_free_names_the_component_of_a_busy_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port} .* for etcd is already in use"):
            ensure_free(port, "etcd")


def test_missing_binary_message_says_how_to_build_it(tmp_path: Path) -> None:
    binaries = Binaries(*(tmp_path / name for name in ("a", "b", "c", "d", "e", "f")))
    with pytest.raises(BinaryNotFoundError, match=r"kwok not found at .*make binaries"):
        binaries.require("kwok")


def test_fake_node_manifest_is_annotated_for_kwok() -> None:
    node = NodeSpec("n1", labels={"zone": "a"}, taints=[{"key": "k", "effect": "NoSchedule"}])
    manifest = node.manifest()
    assert manifest["metadata"]["annotations"] == {"kwok.x-k8s.io/node": "fake"}
    assert manifest["metadata"]["labels"]["zone"] == "a"
    assert manifest["metadata"]["labels"]["kubernetes.io/hostname"] == "n1"
    assert manifest["spec"]["taints"] == [{"key": "k", "effect": "NoSchedule"}]
    assert manifest["status"]["allocatable"] == manifest["status"]["capacity"]


def test_stage_files_are_valid_stages_with_unique_names() -> None:
    names = []
    for path in stage_files():
        for doc in yaml.safe_load_all(path.read_text()):
            assert doc["kind"] == "Stage"
            assert doc["spec"]["resourceRef"]["kind"] in {"Pod", "Node"}
            names.append(doc["metadata"]["name"])
    assert len(names) == len(set(names))
    assert {"pod-ready", "pod-complete", "pod-inplace-image-update", "node-initialize"} <= set(
        names
    )


def test_conversion_webhook_is_rewritten_to_a_local_url() -> None:
    crd = {
        "spec": {
            "conversion": {
                "strategy": "Webhook",
                "webhook": {"clientConfig": {"service": {"name": "s", "path": "/convert"}}},
            }
        }
    }
    endpoint = WebhookEndpoint("127.0.0.1", 9876, b"PEM")
    rewritten = _with_conversion_endpoint(crd, endpoint)
    config = rewritten["spec"]["conversion"]["webhook"]["clientConfig"]
    assert config == {"url": "https://127.0.0.1:9876/convert", "caBundle": "UEVN"}
    assert crd["spec"]["conversion"]["webhook"]["clientConfig"]["service"]["name"] == "s"
    assert _with_conversion_endpoint(crd, None)["spec"]["conversion"] == {"strategy": "None"}


def test_documents_load_from_folders_files_and_dicts(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: A\n---\nkind: B\n")
    (tmp_path / "notes.txt").write_text("kind: ignored")
    docs = load_documents([tmp_path, {"kind": "C"}])
    assert [d["kind"] for d in docs] == ["A", "B", "C"]
