"""How to reach and authenticate to the API server: a kubeconfig or the in-cluster
service account, turned into a ``RestConfig`` and an SSL context for our own aiohttp
session.

Kubeconfigs are read by ``kruise.runtime.client.kubeconfig``; only a user whose
credentials come from an exec plugin or an auth provider goes through kubernetes_asyncio's
loader, which runs and renews them.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kruise.runtime.client import kubeconfig
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
SERVICE_PORT_ENV = "KUBERNETES_SERVICE_PORT"


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
        """The TLS context for an https host (CA, client certificate); None for http.
        A CA or client certificate that cannot be used raises ``ConfigError``."""
        if not self.host.startswith("https://"):
            return None
        try:
            context = ssl.create_default_context(cafile=self.ca_file)
        except (ssl.SSLError, OSError) as err:
            raise ConfigError(f"the certificate authority is unusable: {_reason(err)}") from None
        if self.cert_file:
            try:
                context.load_cert_chain(self.cert_file, self.key_file)
            except (ssl.SSLError, OSError) as err:
                raise ConfigError(
                    "the client certificate or key is unusable (not PEM, or they do not "
                    f"match): {_reason(err)}"
                ) from None
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
    shown = os.fspath(path)
    try:
        merged = await asyncio.to_thread(kubeconfig.read, path)
        name, cluster, user = merged.context(context)
        if kubeconfig.needs_plugin(user):
            config = await _plugin_config(shown, name)
        else:
            config = await asyncio.to_thread(_direct_config, cluster, user)
        check_usable(config)
    except kubeconfig.KubeconfigMissing:
        raise ConfigError(f"kubeconfig {shown} does not exist") from None
    except (kubeconfig.KubeconfigError, ConfigError) as err:
        raise ConfigError(f"kubeconfig {shown}: {err}") from None
    return config


def _direct_config(cluster: kubeconfig.Named, user: kubeconfig.Named | None) -> RestConfig:
    """The configuration of a context whose user has no plugin: a token, a token file,
    a client certificate, a username and password, or nothing."""
    server = cluster.body.get("server")
    if server is None:
        raise ConfigError("the context's cluster has no server")
    host = str(server).rstrip("/")
    ca_file = cert_file = key_file = None
    if host.startswith("https"):
        ca_file = kubeconfig.file_of(cluster, "certificate-authority")
        if user is not None:
            cert_file = kubeconfig.file_of(user, "client-certificate")
            key_file = kubeconfig.file_of(user, "client-key")
    return RestConfig(
        host=host,
        ca_file=ca_file,
        cert_file=cert_file,
        key_file=key_file,
        verify_tls=not cluster.body.get("insecure-skip-tls-verify", False),
        tls_server_name=cluster.body.get("tls-server-name"),
        proxy=cluster.body.get("proxy-url"),
        credentials=_user_credentials(user) if user is not None else None,
    )


def _user_credentials(user: kubeconfig.Named) -> Credentials | None:
    token, token_file = kubeconfig.token_of(user)
    if token:
        return StaticCredentials(f"Bearer {token}")
    if token_file:
        try:
            return TokenFileCredentials(token_file)
        except (OSError, ValueError) as err:
            raise ConfigError(f"tokenFile: {_reason(err)}") from None
    basic = kubeconfig.basic_auth(user)
    return StaticCredentials(basic) if basic else None


async def _plugin_config(path: str, context: str) -> RestConfig:
    """Through kubernetes_asyncio, which runs exec plugins and auth providers and renews
    what they return."""
    from kubernetes_asyncio.client import Configuration  # noqa: PLC0415
    from kubernetes_asyncio.config import load_kube_config  # noqa: PLC0415

    configuration = Configuration()
    try:
        loader = await load_kube_config(
            config_file=path,
            context=context,
            client_configuration=configuration,
            persist_config=False,
        )
    except Exception as err:  # YAML, base64, shape, plugin and I/O errors alike
        raise ConfigError(_reason(err)) from None
    credentials: Credentials | None = None
    user = getattr(loader, "_user", None)
    if user is not None and "exec" in user:
        credentials = ExecCredentials(loader)
    elif configuration.api_key.get("BearerToken"):
        credentials = StaticCredentials(str(configuration.api_key["BearerToken"]))
    return _from_configuration(configuration, credentials)


def check_usable(config: RestConfig, now: datetime.datetime | None = None) -> None:
    """Raise ``ConfigError`` for what can never work: a server that is not an http(s)
    URL, a CA or client certificate that does not load, a client certificate outside
    its validity period (the API server would answer every request with 401)."""
    url = urlsplit(config.host)
    if url.scheme not in {"http", "https"} or not url.hostname:
        raise ConfigError(f"the server {config.host!r} is not an http(s) URL")
    config.ssl_context()
    if config.cert_file:
        _check_validity(Path(config.cert_file), now or datetime.datetime.now(datetime.UTC))


def _check_validity(cert_file: Path, now: datetime.datetime) -> None:
    from cryptography import x509  # noqa: PLC0415

    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except (ValueError, OSError):
        return  # the TLS library accepted it; let the server judge
    if cert.not_valid_after_utc < now:
        expired = cert.not_valid_after_utc.isoformat()
        raise ConfigError(f"the client certificate expired at {expired}")
    if cert.not_valid_before_utc > now:
        begins = cert.not_valid_before_utc.isoformat()
        raise ConfigError(f"the client certificate is not valid before {begins}")


def _reason(err: BaseException) -> str:
    """An error's words on one line (YAML errors span several)."""
    text = " ".join(str(err).split()) or type(err).__name__
    if isinstance(err, AssertionError):
        # kubernetes_asyncio asserts that the entries it reads are there and not empty.
        return "the current context, or its cluster or user, is empty or missing"
    if isinstance(err, TypeError | AttributeError | KeyError):
        # The loader met a document of the wrong shape (a list, a string, ...).
        return f"not a kubeconfig document ({type(err).__name__}: {text})"
    return text


def in_cluster_config(
    *,
    token_file: str | os.PathLike[str] = SERVICE_ACCOUNT_DIR / "token",
    ca_file: str | os.PathLike[str] = SERVICE_ACCOUNT_DIR / "ca.crt",
    environ: Mapping[str, str] = os.environ,
    clock: Clock | None = None,
) -> RestConfig:
    """The pod's service account: KUBERNETES_SERVICE_HOST/PORT, its CA and a token that
    is re-read every minute and after a 401."""
    host, port = environ.get(SERVICE_HOST_ENV), environ.get(SERVICE_PORT_ENV)
    try:
        if host is None or port is None:
            raise ConfigError(f"{SERVICE_HOST_ENV} and {SERVICE_PORT_ENV} are not set")
        if not host or not port:
            raise ConfigError(f"{SERVICE_HOST_ENV} or {SERVICE_PORT_ENV} is empty")
        if not Path(ca_file).is_file() or not Path(ca_file).stat().st_size:
            raise ConfigError(f"the service account CA {os.fspath(ca_file)} is missing or empty")
        try:
            credentials = TokenFileCredentials(token_file, clock=clock)
        except (OSError, ValueError) as err:
            raise ConfigError(f"the service account token: {_reason(err)}") from None
    except ConfigError as err:
        raise ConfigError(f"in-cluster configuration: {err}") from None
    # net.JoinHostPort: an IPv6 address goes in brackets.
    address = f"[{host}]:{port}" if ":" in host or "%" in host else f"{host}:{port}"
    return RestConfig(
        host=f"https://{address}", ca_file=os.fspath(ca_file), credentials=credentials
    )


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
