"""How to reach and authenticate to the API server, loaded through kubernetes_asyncio.

kubernetes_asyncio parses kubeconfigs (merged ``KUBECONFIG`` lists, contexts,
inline or file certificates, tokens, auth providers, exec plugins) and the
in-cluster environment; this module turns its ``Configuration`` into a
``RestConfig`` and an SSL context for our own aiohttp session.
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
    from kubernetes_asyncio.client import Configuration  # noqa: PLC0415
    from kubernetes_asyncio.config import load_kube_config  # noqa: PLC0415

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
    except Exception as err:  # YAML, base64, shape and I/O errors alike
        raise ConfigError(f"kubeconfig {os.fspath(path)}: {_reason(err)}") from None
    credentials: Credentials | None = None
    user = getattr(loader, "_user", None)
    if user is not None and "exec" in user:
        credentials = ExecCredentials(loader)
    elif configuration.api_key.get("BearerToken"):
        credentials = StaticCredentials(str(configuration.api_key["BearerToken"]))
    config = _from_configuration(configuration, credentials)
    try:
        check_usable(config)
    except ConfigError as err:
        raise ConfigError(f"kubeconfig {os.fspath(path)}: {err}") from None
    return config


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
