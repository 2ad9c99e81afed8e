"""How to reach and authenticate to the API server, loaded through kubernetes_asyncio.

kubernetes_asyncio parses kubeconfigs (merged ``KUBECONFIG`` lists, contexts,
inline or file certificates, tokens, auth providers, exec plugins) and the
in-cluster environment; this module turns its ``Configuration`` into a
``RestConfig`` and an SSL context for our own aiohttp session.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kruise.runtime.client.credentials import (
    Credentials,
    ExecCredentials,
    StaticCredentials,
    TokenFileCredentials,
)
from kruise.runtime.clock import Clock

DEFAULT_KUBECONFIG = Path("~/.kube/config")
SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
SERVICE_HOST_ENV = "KUBERNETES_SERVICE_HOST"


class ConfigError(Exception):
    """No usable configuration: no kubeconfig, not in a cluster, or a broken file."""


@dataclass(frozen=True)
class RestConfig:
    """Everything a ``Client`` needs; defaults follow controller-runtime (20 qps, burst 30)."""

    host: str
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify_tls: bool = True
    tls_server_name: str | None = None
    proxy: str | None = None
    credentials: Credentials | None = None
    qps: float = 20.0
    burst: int = 30
    timeout: float = 30.0
    max_retries: int = 10
    user_agent: str = "kruise-py"

    def with_options(self, **changes: object) -> RestConfig:
        """A copy with some fields changed, e.g. ``config.with_options(qps=-1)``."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for an https host (CA, client certificate); None for http."""
        if not self.host.startswith("https://"):
            return None
        context = ssl.create_default_context(cafile=self.ca_file)
        if self.cert_file:
            context.load_cert_chain(self.cert_file, self.key_file)
        if not self.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


async def load_config(
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    *,
    environ: Mapping[str, str] = os.environ,
) -> RestConfig:
    """controller-runtime's order: ``kubeconfig``, then ``$KUBECONFIG``, then the
    in-cluster service account (unless a context is named), then ``~/.kube/config``."""
    path = _kubeconfig_path(kubeconfig, context, environ)
    if path is None:
        return in_cluster_config(environ=environ)
    return await kubeconfig_config(path, context)


def _kubeconfig_path(
    kubeconfig: str | os.PathLike[str] | None, context: str | None, environ: Mapping[str, str]
) -> str | None:
    """The kubeconfig to load, or None for the in-cluster configuration."""
    if kubeconfig:
        return os.fspath(kubeconfig)
    if environ.get("KUBECONFIG"):
        return environ["KUBECONFIG"]
    if environ.get(SERVICE_HOST_ENV) and not context:
        return None
    home_config = DEFAULT_KUBECONFIG.expanduser()
    if home_config.exists():
        return str(home_config)
    raise ConfigError(
        "no kubeconfig given, $KUBECONFIG unset, not running in a cluster "
        f"and {home_config} does not exist"
    )


async def kubeconfig_config(path: str | os.PathLike[str], context: str | None = None) -> RestConfig:
    """Load a kubeconfig (or an ``os.pathsep``-separated list of them) and a context."""
    from kubernetes_asyncio.client import Configuration  # noqa: PLC0415
    from kubernetes_asyncio.config import ConfigException, load_kube_config  # noqa: PLC0415

    if not await asyncio.to_thread(os.path.isfile, path):
        raise ConfigError(f"kubeconfig {os.fspath(path)} does not exist")
    configuration = Configuration()
    try:
        loader = await load_kube_config(
            config_file=os.fspath(path),
            context=context,
            client_configuration=configuration,
            persist_config=False,
        )
    except (ConfigException, OSError, KeyError, AssertionError) as err:
        raise ConfigError(f"kubeconfig {os.fspath(path)}: {err}") from err
    credentials: Credentials | None = None
    user = getattr(loader, "_user", None)
    if user is not None and "exec" in user:
        credentials = ExecCredentials(loader)
    elif configuration.api_key.get("BearerToken"):
        credentials = StaticCredentials(str(configuration.api_key["BearerToken"]))
    return _from_configuration(configuration, credentials)


def in_cluster_config(
    *,
    token_file: str | os.PathLike[str] = SERVICE_ACCOUNT_DIR / "token",
    ca_file: str | os.PathLike[str] = SERVICE_ACCOUNT_DIR / "ca.crt",
    environ: Mapping[str, str] = os.environ,
    clock: Clock | None = None,
) -> RestConfig:
    """The pod's service account: KUBERNETES_SERVICE_HOST/PORT, its CA and a token that
    is re-read every minute and after a 401."""
    from kubernetes_asyncio.client import Configuration  # noqa: PLC0415
    from kubernetes_asyncio.config import ConfigException  # noqa: PLC0415
    from kubernetes_asyncio.config.incluster_config import (  # noqa: PLC0415
        InClusterConfigLoader,
    )

    configuration = Configuration()
    loader = InClusterConfigLoader(
        token_filename=os.fspath(token_file),
        cert_filename=os.fspath(ca_file),
        try_refresh_token=False,
        environ=dict(environ),
    )
    try:
        loader.load_and_set(configuration)
    except (ConfigException, OSError) as err:
        raise ConfigError(f"in-cluster configuration: {err}") from err
    return _from_configuration(configuration, TokenFileCredentials(token_file, clock=clock))


def _from_configuration(configuration: Any, credentials: Credentials | None) -> RestConfig:
    return RestConfig(
        host=str(configuration.host).rstrip("/"),
        ca_file=configuration.ssl_ca_cert,
        cert_file=configuration.cert_file,
        key_file=configuration.key_file,
        verify_tls=bool(configuration.verify_ssl),
        tls_server_name=configuration.tls_server_name,
        proxy=configuration.proxy,
        credentials=credentials,
    )
