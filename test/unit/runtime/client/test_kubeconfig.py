"""Kubeconfigs read without kubernetes_asyncio: merging, contexts, files, credentials and
the one-line errors."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kruise.runtime.client.config import ConfigError, in_cluster_config, kubeconfig_config
from kruise.runtime.client.credentials import StaticCredentials, TokenFileCredentials


def write(path: Path, **document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "Config", **document}))
    return path


def cluster(name: str, **body: Any) -> dict[str, Any]:
    return {"name": name, "cluster": body}


def user(name: str, **body: Any) -> dict[str, Any]:
    return {"name": name, "user": body}


def context(name: str, cluster_name: str, user_name: str | None = None) -> dict[str, Any]:
    body = {"cluster": cluster_name, **({"user": user_name} if user_name else {})}
    return {"name": name, "context": body}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def test_merged_files_take_the_first_entry_of_a_name_and_the_first_current_context(
    tmp_path: Path,
) -> None:
    first = write(
        tmp_path / "a" / "config",
        clusters=[cluster("c", server="http://first:1/")],
        contexts=[context("ctx", "c")],
        **{"current-context": "ctx"},
    )
    second = write(
        tmp_path / "b" / "config",
        clusters=[cluster("c", server="http://second:2"), cluster("d", server="http://d:3")],
        contexts=[context("other", "d")],
        **{"current-context": "other"},
    )
    absent = tmp_path / "absent"
    paths = os.pathsep.join([str(absent), str(first), str(second)])

    assert (await kubeconfig_config(paths)).host == "http://first:1"
    assert (await kubeconfig_config(paths, context="other")).host == "http://d:3"


async def test_relative_files_are_read_beside_the_file_that_names_them(tmp_path: Path) -> None:
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "ca.crt").write_text("ca")
    (tmp_path / "pki" / "token").write_text("from-file\n")
    path = write(
        tmp_path / "config",
        clusters=[
            cluster("c", server="https://api:6443", **{"certificate-authority": "pki/ca.crt"})
        ],
        users=[user("u", tokenFile="pki/token")],
        contexts=[context("ctx", "c", "u")],
        **{"current-context": "ctx"},
    )
    config = kubeconfig_config_unchecked(path)
    assert config["ca_file"] == str(tmp_path / "pki" / "ca.crt")
    assert isinstance(config["credentials"], TokenFileCredentials)
    assert await config["credentials"].authorization() == "Bearer from-file"


def test_dot_dot_in_a_symlinked_folder_is_taken_off_the_path_as_given(tmp_path: Path) -> None:
    # ~/.kube links to /data/kube; "../certs/ca.crt" means ~/certs/ca.crt to kubectl.
    real = tmp_path / "data" / "kube"
    write(
        real / "config",
        clusters=[
            cluster("c", server="https://api", **{"certificate-authority": "../certs/ca.crt"})
        ],
        contexts=[context("ctx", "c")],
        **{"current-context": "ctx"},
    )
    home = tmp_path / "home"
    home.mkdir()
    (home / ".kube").symlink_to(real, target_is_directory=True)
    (home / "certs").mkdir()
    (home / "certs" / "ca.crt").write_text("ca")
    (tmp_path / "data" / "certs").mkdir()
    (tmp_path / "data" / "certs" / "ca.crt").write_text("not this one")

    ca_file = kubeconfig_config_unchecked(home / ".kube" / "config")["ca_file"]
    assert ca_file == str(home / "certs" / "ca.crt")


def kubeconfig_config_unchecked(path: Path) -> dict[str, Any]:
    """The fields ``_direct_config`` builds, without the TLS check (the files are not PEM)."""
    from kruise.runtime.client import kubeconfig  # noqa: PLC0415
    from kruise.runtime.client.config import _direct_config  # noqa: PLC0415

    _, found_cluster, found_user = kubeconfig.read(path).context()
    return vars(_direct_config(found_cluster, found_user))


def test_inline_certificates_land_in_private_files_with_their_content(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config",
        clusters=[cluster("c", server="https://api", **{"certificate-authority-data": b64("CA")})],
        users=[
            user(
                "u",
                **{"client-certificate-data": b64("CERT"), "client-key-data": b64("KEY")},
            )
        ],
        contexts=[context("ctx", "c", "u")],
        **{"current-context": "ctx"},
    )
    config = kubeconfig_config_unchecked(path)
    files = [Path(config[k]) for k in ("ca_file", "cert_file", "key_file")]
    assert [f.read_text() for f in files] == ["CA", "CERT", "KEY"]
    assert all(f.stat().st_mode & 0o077 == 0 for f in files)


async def test_cluster_options_and_basic_auth(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config",
        clusters=[
            cluster(
                "c",
                server="https://api",
                **{
                    "insecure-skip-tls-verify": True,
                    "tls-server-name": "kube",
                    "proxy-url": "http://proxy:3128",
                },
            )
        ],
        users=[user("u", username="admin", password="secret")],
        contexts=[context("ctx", "c", "u")],
        **{"current-context": "ctx"},
    )
    config = await kubeconfig_config(path)
    assert (config.verify_tls, config.tls_server_name, config.proxy) == (
        False,
        "kube",
        "http://proxy:3128",
    )
    assert isinstance(config.credentials, StaticCredentials)
    assert await config.credentials.authorization() == f"Basic {b64('admin:secret')}"


async def test_an_inline_token_wins_over_a_token_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config",
        clusters=[cluster("c", server="http://api")],
        users=[user("u", token="inline", tokenFile="absent")],
        contexts=[context("ctx", "c", "u")],
        **{"current-context": "ctx"},
    )
    config = await kubeconfig_config(path)
    assert config.credentials is not None
    assert await config.credentials.authorization() == "Bearer inline"


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"clusters": [cluster("c", server="http://a")]}, "no current-context"),
        ({"contexts": [context("ctx", "c")], "current-context": "ctx"}, "no defined cluster"),
        (
            {
                "clusters": [cluster("c", server="http://a")],
                "contexts": [context("ctx", "c", "nobody")],
                "current-context": "ctx",
            },
            "user 'nobody', not defined",
        ),
        (
            {
                "clusters": [
                    cluster("c", server="https://a", **{"certificate-authority-data": "%"})
                ],
                "contexts": [context("ctx", "c")],
                "current-context": "ctx",
            },
            "certificate-authority-data is not base64",
        ),
        (
            {
                "clusters": [cluster("c")],
                "contexts": [context("ctx", "c")],
                "current-context": "ctx",
            },
            "has no server",
        ),
        ({"clusters": "nope"}, "clusters is not a list of named entries"),
    ],
)
async def test_broken_kubeconfigs_are_one_line_config_errors(
    tmp_path: Path, document: dict[str, Any], words: str
) -> None:
    path = write(tmp_path / "config", **document)
    with pytest.raises(ConfigError) as raised:
        await kubeconfig_config(path)
    message = str(raised.value)
    assert message.startswith(f"kubeconfig {path}: ")
    assert words in message
    assert "\n" not in message


async def test_a_file_that_is_not_a_mapping_or_not_yaml(tmp_path: Path) -> None:
    listed = tmp_path / "listed"
    listed.write_text("- a\n- b\n")
    broken = tmp_path / "broken"
    broken.write_text("clusters: [\n")
    with pytest.raises(ConfigError, match="not a kubeconfig document"):
        await kubeconfig_config(listed)
    with pytest.raises(ConfigError) as raised:
        await kubeconfig_config(broken)
    assert "\n" not in str(raised.value)


def test_in_cluster_config_refuses_an_empty_token_or_a_missing_ca(tmp_path: Path) -> None:
    environ = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    (tmp_path / "token").write_text("")
    (tmp_path / "ca.crt").write_text("ca")
    with pytest.raises(ConfigError, match="in-cluster configuration: the service account token"):
        in_cluster_config(
            token_file=tmp_path / "token", ca_file=tmp_path / "ca.crt", environ=environ
        )
    (tmp_path / "token").write_text("t")
    with pytest.raises(ConfigError, match="the service account CA"):
        in_cluster_config(token_file=tmp_path / "token", ca_file=tmp_path / "none", environ=environ)
    with pytest.raises(ConfigError, match="is empty"):
        in_cluster_config(
            token_file=tmp_path / "token",
            ca_file=tmp_path / "ca.crt",
            environ={**environ, "KUBERNETES_SERVICE_HOST": ""},
        )
    config = in_cluster_config(
        token_file=tmp_path / "token", ca_file=tmp_path / "ca.crt", environ=environ
    )
    assert config.host == "https://10.0.0.1:443"


def test_a_plain_kubeconfig_or_the_service_account_never_imports_kubernetes_asyncio(
    tmp_path: Path,
) -> None:
    # Its client package imports every API model: tens of MB the manager never uses.
    path = write(
        tmp_path / "config",
        clusters=[cluster("c", server="http://api")],
        users=[user("u", token="t")],
        contexts=[context("ctx", "c", "u")],
        **{"current-context": "ctx"},
    )
    (tmp_path / "token").write_text("t")
    (tmp_path / "ca.crt").write_text("ca")
    script = f"""
import asyncio, sys
from kruise.runtime.client import load_config, in_cluster_config
asyncio.run(load_config({str(path)!r}))
in_cluster_config(token_file={str(tmp_path / "token")!r}, ca_file={str(tmp_path / "ca.crt")!r},
                  environ={{"KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"}})
print(sorted(m for m in sys.modules if m.startswith("kubernetes_asyncio")))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
