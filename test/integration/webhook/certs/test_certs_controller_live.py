"""The certificate controller against a real API server: it creates the Secret, writes
the files, injects the CA everywhere, repairs what is wiped or deleted, and writes
nothing when nothing differs."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from prometheus_client import CollectorRegistry
from support.certs import (
    CRD_NAME,
    MUTATING_PATH,
    REPAIR_WITHIN,
    SECRET,
    VALIDATING,
    VALIDATING_PATH,
    HealthzServer,
    b64,
    client_configs,
    dir_files,
    injected_everywhere,
    options_for,
    ready,
    resource_versions,
    running,
    secret_files,
)
from support.polling import eventually

from kruise.runtime.client import (
    CUSTOM_RESOURCE_DEFINITIONS,
    SECRETS,
    VALIDATING_WEBHOOK_CONFIGURATIONS,
    Client,
    NotFound,
)
from kruise.runtime.envtest.ports import free_port
from kruise.webhook.certs import (
    CertController,
    CertOptions,
    CertsNotReady,
    WebhookNotServing,
    new_bundle,
    serving_names,
)

pytestmark = pytest.mark.usefixtures("webhook_objects")


def service(namespace: str, path: str) -> dict[str, object]:
    return {"namespace": namespace, "name": "kruise-webhook-service", "path": path, "port": 443}


async def test_creates_the_secret_and_injects_the_ca_everywhere(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    registry = CollectorRegistry()
    controller = CertController(client, options_for(namespace, tmp_path), registry=registry)
    async with running(controller):
        await ready(controller)
        stored = await secret_files(client, namespace)
        assert set(stored) == {"ca-cert.pem", "ca-key.pem", "cert.pem", "key.pem"} | {
            "tls.crt",
            "tls.key",
        }
        assert dir_files(tmp_path) == stored
        assert controller.bundle is not None
        assert controller.bundle.files() == stored

        ca = b64(stored["ca-cert.pem"])
        configs = await client_configs(client)
        assert configs["mutating"] == {"service": service(namespace, MUTATING_PATH), "caBundle": ca}
        assert configs["validating"] == {
            "service": service(namespace, VALIDATING_PATH),
            "caBundle": ca,
        }
        assert configs["crd"] == {"service": service(namespace, "/convert"), "caBundle": ca}

        cert = x509.load_pem_x509_certificate(stored["tls.crt"])
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert sans.get_values_for_type(x509.DNSName) == serving_names(
            "kruise-webhook-service", namespace
        )
        assert (
            registry.get_sample_value("kruise_webhook_cert_writes_total", {"target": "secret"})
            == 1.0
        )
        assert (
            registry.get_sample_value(
                "kruise_webhook_cert_writes_total", {"target": "customresourcedefinition"}
            )
            == 1.0
        )


async def test_a_sync_with_nothing_to_change_writes_nothing(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    controller = CertController(client, options_for(namespace, tmp_path))
    async with running(controller):
        await ready(controller)
        before = await resource_versions(client, namespace)
        inode = (tmp_path / "tls.crt").stat().st_ino
        await controller.sync()
        await controller.sync()
        assert await resource_versions(client, namespace) == before
        assert (tmp_path / "tls.crt").stat().st_ino == inode


async def test_a_wiped_ca_bundle_is_restored(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    controller = CertController(client, options_for(namespace, tmp_path))
    async with running(controller):
        await ready(controller)
        ca = (await secret_files(client, namespace))["ca-cert.pem"]

        configuration = await client.get(VALIDATING_WEBHOOK_CONFIGURATIONS, VALIDATING)
        del configuration["webhooks"][0]["clientConfig"]["caBundle"]
        wiped = await client.update(VALIDATING_WEBHOOK_CONFIGURATIONS, configuration)
        crd = await client.get(CUSTOM_RESOURCE_DEFINITIONS, CRD_NAME)
        del crd["spec"]["conversion"]["webhook"]["clientConfig"]["caBundle"]
        wiped_crd = await client.update(CUSTOM_RESOURCE_DEFINITIONS, crd)
        # The wipes took effect (checked on what the API server stored, since the running
        # controller may already have restored them by the time we could read again).
        assert "caBundle" not in wiped["webhooks"][0]["clientConfig"]
        assert "caBundle" not in wiped_crd["spec"]["conversion"]["webhook"]["clientConfig"]

        await eventually(
            lambda: injected_everywhere(client, ca),
            timeout=REPAIR_WITHIN,
            what="the CA injected everywhere again",
        )


async def test_a_deleted_secret_is_regenerated_and_reinjected(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    controller = CertController(client, options_for(namespace, tmp_path))
    async with running(controller):
        await ready(controller)
        old = await secret_files(client, namespace)
        await client.delete(SECRETS, SECRET, namespace)

        async def regenerated() -> dict[str, bytes] | None:
            try:
                files = await secret_files(client, namespace)
            except NotFound:
                return None
            return files if files["ca-cert.pem"] != old["ca-cert.pem"] else None

        new = await eventually(
            regenerated, timeout=REPAIR_WITHIN, what="a new Secret with a new CA"
        )
        await eventually(
            lambda: injected_everywhere(client, new["ca-cert.pem"]),
            timeout=REPAIR_WITHIN,
            what="the new CA injected everywhere",
        )

        async def files_rewritten() -> bool:
            return dir_files(tmp_path) == new

        await eventually(files_rewritten, timeout=REPAIR_WITHIN, what="the cert dir rewritten")


async def test_webhook_host_switches_to_urls_with_an_ip_san(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    environ = {"WEBHOOK_HOST": "127.0.0.1", "POD_NAMESPACE": namespace}
    options = CertOptions.from_env(
        environ, cert_dir=tmp_path, crd_names=frozenset({CRD_NAME}), port=9443
    )
    controller = CertController(client, options)
    async with running(controller):
        await ready(controller)
        stored = await secret_files(client, namespace)
        ca = b64(stored["ca-cert.pem"])
        assert await client_configs(client) == {
            "mutating": {"url": f"https://127.0.0.1:9443{MUTATING_PATH}", "caBundle": ca},
            "validating": {"url": f"https://127.0.0.1:9443{VALIDATING_PATH}", "caBundle": ca},
            "crd": {"url": "https://127.0.0.1:9443/convert", "caBundle": ca},
        }
        cert = x509.load_pem_x509_certificate((tmp_path / "tls.crt").read_bytes())
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert sans.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
        assert "127.0.0.1" not in sans.get_values_for_type(x509.DNSName)

    # Back in the cluster: services again, same paths; the certificate (which also holds
    # the service names) is still good, so it is kept.
    in_cluster = CertController(client, options_for(namespace, tmp_path))
    async with running(in_cluster):
        await ready(in_cluster)
        configs = await client_configs(client)
        assert configs["mutating"] == {"service": service(namespace, MUTATING_PATH), "caBundle": ca}
        assert configs["crd"] == {"service": service(namespace, "/convert"), "caBundle": ca}
        assert await secret_files(client, namespace) == stored


async def test_readiness_needs_a_sync_and_a_webhook_reachable_with_the_ca(
    client: Client, namespace: str, tmp_path: Path
) -> None:
    port = free_port()
    controller = CertController(client, options_for(namespace, tmp_path, port=port))
    with pytest.raises(CertsNotReady):
        await controller.check_ready()
    async with running(controller):
        await ready(controller)
        with pytest.raises(WebhookNotServing):
            await controller.check_ready()  # nothing listens yet

        # A server with a certificate from another CA is not reachable *with our CA*.
        stranger = new_bundle(["localhost"], datetime.datetime.now(datetime.UTC))
        foreign = tmp_path / "foreign"
        foreign.mkdir()
        (foreign / "tls.crt").write_bytes(stranger.cert)
        (foreign / "tls.key").write_bytes(stranger.key)
        async with HealthzServer(foreign, port):
            with pytest.raises(WebhookNotServing):
                await controller.check_ready()

        async with HealthzServer(tmp_path, port):
            await controller.check_ready()
