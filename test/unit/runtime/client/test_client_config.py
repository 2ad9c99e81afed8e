"""Loading configurations through kubernetes_asyncio, and where the token comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kruise.runtime.client import Client, RestConfig
from kruise.runtime.client.config import (
    ConfigError,
    _kubeconfig_path,
    in_cluster_config,
    kubeconfig_config,
)
from kruise.runtime.client.credentials import (
    ExecCredentials,
    StaticCredentials,
    TokenFileCredentials,
)
from kruise.runtime.clock import FakeClock


def write_kubeconfig(path: Path, exec_command: list[str]) -> None:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "c",
                "cluster": {"server": "https://127.0.0.1:6443/", "tls-server-name": "api"},
            },
        ],
        "users": [
            {"name": "token-user", "user": {"token": "abc"}},
            {
                "name": "exec-user",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": exec_command[0],
                        "args": exec_command[1:],
                    }
                },
            },
        ],
        "contexts": [
            {"name": "with-token", "context": {"cluster": "c", "user": "token-user"}},
            {"name": "with-exec", "context": {"cluster": "c", "user": "exec-user"}},
        ],
        "current-context": "with-token",
    }
    path.write_text(json.dumps(config))


def exec_plugin(tmp_path: Path, token: str) -> list[str]:
    """A plugin printing an ExecCredential and counting its runs in ``runs``."""
    credential = tmp_path / "credential.json"
    credential.write_text(
        json.dumps(
            {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "kind": "ExecCredential",
                "status": {"token": token},
            }
        )
    )
    runs = tmp_path / "runs"
    return ["/bin/sh", "-c", f"echo run >> {runs}; cat {credential}"]


def plugin_runs(tmp_path: Path) -> int:
    runs = tmp_path / "runs"
    return len(runs.read_text().splitlines()) if runs.exists() else 0


async def test_kubeconfig_current_context_with_a_token(tmp_path: Path) -> None:
    path = tmp_path / "kubeconfig"
    write_kubeconfig(path, exec_plugin(tmp_path, "t1"))
    config = await kubeconfig_config(path)
    assert config.host == "https://127.0.0.1:6443"
    assert config.tls_server_name == "api"
    assert isinstance(config.credentials, StaticCredentials)
    assert await config.credentials.authorization() == "Bearer abc"
    assert plugin_runs(tmp_path) == 0


async def test_kubeconfig_exec_plugin_runs_again_after_a_401(tmp_path: Path) -> None:
    path = tmp_path / "kubeconfig"
    write_kubeconfig(path, exec_plugin(tmp_path, "t1"))
    config = await kubeconfig_config(path, context="with-exec")
    assert isinstance(config.credentials, ExecCredentials)
    assert await config.credentials.authorization() == "Bearer t1"
    assert await config.credentials.authorization() == "Bearer t1"
    assert plugin_runs(tmp_path) == 1  # no expiry: cached

    exec_plugin(tmp_path, "t2")
    assert await config.credentials.refresh()
    assert await config.credentials.authorization() == "Bearer t2"
    assert plugin_runs(tmp_path) == 2


async def test_missing_kubeconfig_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        await kubeconfig_config(tmp_path / "absent")


def test_kubeconfig_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    in_cluster = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    assert _kubeconfig_path("/explicit", None, {"KUBECONFIG": "/env"}) == "/explicit"
    assert _kubeconfig_path(None, None, {"KUBECONFIG": "/env", **in_cluster}) == "/env"
    assert _kubeconfig_path(None, None, in_cluster) is None
    with pytest.raises(ConfigError):
        _kubeconfig_path(None, "some-context", in_cluster)
    home = tmp_path / ".kube" / "config"
    home.parent.mkdir()
    home.write_text("{}")
    assert _kubeconfig_path(None, "some-context", in_cluster) == str(home)
    assert _kubeconfig_path(None, None, {}) == str(home)


def test_in_cluster_config_reads_the_service_account(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("sa-token\n")
    (tmp_path / "ca.crt").write_text("not checked until TLS is set up")
    config = in_cluster_config(
        token_file=tmp_path / "token",
        ca_file=tmp_path / "ca.crt",
        environ={"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"},
    )
    assert config.host == "https://[fd00::1]:443"
    assert config.ca_file == str(tmp_path / "ca.crt")
    assert isinstance(config.credentials, TokenFileCredentials)


def test_in_cluster_config_outside_a_cluster(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        in_cluster_config(token_file=tmp_path / "token", environ={})


async def test_token_file_is_reread_every_period_and_after_a_401(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("one")
    clock = FakeClock()
    credentials = TokenFileCredentials(token, period=60, clock=clock)
    token.write_text("two")
    assert await credentials.authorization() == "Bearer one"
    await clock.advance(60)
    assert await credentials.authorization() == "Bearer two"

    token.write_text("three")
    assert await credentials.refresh()
    assert await credentials.authorization() == "Bearer three"
    assert not await credentials.refresh()  # unchanged: not worth retrying


def test_client_needs_a_running_loop() -> None:
    with pytest.raises(RuntimeError):
        Client(RestConfig(host="http://127.0.0.1:1"))


def test_plain_http_needs_no_ssl_context() -> None:
    assert RestConfig(host="http://127.0.0.1:1").ssl_context() is None
    assert RestConfig(host="http://x", qps=5).with_options(qps=-1).qps == -1
