"""Service-account tokens (in-cluster), re-reading a token after a 401, exec plugins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kruise.runtime.client import (
    CONFIGMAPS,
    NAMESPACES,
    SERVICE_ACCOUNTS,
    Client,
    Forbidden,
    Resource,
    RestConfig,
    StaticCredentials,
    Unauthorized,
    in_cluster_config,
    kubeconfig_config,
)
from kruise.runtime.envtest import ControlPlane

SELF_SUBJECT_REVIEWS = Resource(
    "authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", namespaced=False
)


async def service_account_token(client: Client, namespace: str, name: str = "robot") -> str:
    await client.create(SERVICE_ACCOUNTS, {"metadata": {"name": name}}, namespace)
    request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": 3600},
    }
    answer = await client.create_subresource(SERVICE_ACCOUNTS, name, "token", request, namespace)
    return str(answer["status"]["token"])


async def whoami(client: Client) -> str:
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    answer = await client.create(SELF_SUBJECT_REVIEWS, review)
    return str(answer["status"]["userInfo"]["username"])


def in_cluster(plane: ControlPlane, token_file: Path) -> RestConfig:
    return in_cluster_config(
        token_file=token_file,
        ca_file=plane.certs_dir / "serving-ca.crt",
        environ={
            "KUBERNETES_SERVICE_HOST": plane.host,
            "KUBERNETES_SERVICE_PORT": str(plane.apiserver_port),
        },
    )


async def test_in_cluster_service_account(
    client: Client, control_plane: ControlPlane, namespace: str, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(await service_account_token(client, namespace))
    async with Client(in_cluster(control_plane, token_file)) as robot:
        assert await whoami(robot) == f"system:serviceaccount:{namespace}:robot"
        with pytest.raises(Forbidden) as caught:
            await robot.list(CONFIGMAPS, namespace)
        assert caught.value.status == 403


async def test_a_401_rereads_the_token_once(
    client: Client, control_plane: ControlPlane, namespace: str, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("expired-token")
    config = in_cluster(control_plane, token_file)  # reads the bad token now
    token_file.write_text(await service_account_token(client, namespace))
    async with Client(config) as robot:
        assert await whoami(robot) == f"system:serviceaccount:{namespace}:robot"

        token_file.write_text("revoked-token")
        assert config.credentials is not None
        await config.credentials.refresh()
        with pytest.raises(Unauthorized):
            await whoami(robot)  # re-read gives the same bad token: no retry loop


async def test_a_rejected_static_token_is_unauthorized(
    control_plane: ControlPlane, namespace: str
) -> None:
    config = RestConfig(
        host=control_plane.url,
        ca_file=str(control_plane.certs_dir / "serving-ca.crt"),
        credentials=StaticCredentials("Bearer not-a-token"),
    )
    async with Client(config) as stranger:
        with pytest.raises(Unauthorized) as caught:
            await stranger.get(CONFIGMAPS, "x", namespace)
    assert caught.value.status == 401


async def test_exec_plugin_credentials(
    client: Client, control_plane: ControlPlane, namespace: str, tmp_path: Path
) -> None:
    credential = tmp_path / "credential.json"
    credential.write_text(
        json.dumps(
            {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "kind": "ExecCredential",
                "status": {"token": await service_account_token(client, namespace)},
            }
        )
    )
    kubeconfig = control_plane.kubeconfig()
    kubeconfig["users"] = [
        {
            "name": "plugin",
            "user": {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                    "command": "cat",
                    "args": [str(credential)],
                }
            },
        }
    ]
    kubeconfig["contexts"][0]["context"]["user"] = "plugin"
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(kubeconfig))
    async with Client(await kubeconfig_config(path)) as robot:
        assert await whoami(robot) == f"system:serviceaccount:{namespace}:robot"


async def test_connect_finds_the_kubeconfig_in_the_environment(
    control_plane: ControlPlane, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(control_plane.kubeconfig_path))
    async with await Client.connect() as admin:
        assert await whoami(admin) == "kruise-envtest-admin"
        assert (await admin.get(NAMESPACES, namespace))["metadata"]["name"] == namespace
