"""Where the certificates live and how clients reach the webhook, with OpenKruise's
environment variables as the source of defaults."""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kruise.webhook.certs.generate import CA_RENEW_BEFORE, RENEW_BEFORE, VALIDITY

DEFAULT_NAMESPACE = "kube-system"
DEFAULT_SECRET = "kruise-webhook-certs"
DEFAULT_SERVICE = "kruise-webhook-service"
DEFAULT_PORT = 9876
DEFAULT_CERT_DIR = Path("/tmp/kruise-webhook-certs")
MUTATING_CONFIGURATION = "kruise-mutating-webhook-configuration"
VALIDATING_CONFIGURATION = "kruise-validating-webhook-configuration"
CRD_GROUP = "apps.kruise.io"
RESYNC_PERIOD = 60.0

_DURATION = re.compile(r"^\s*(\d+)\s*([hdmy])\s*$")
_UNITS = {
    "h": datetime.timedelta(hours=1),
    "d": datetime.timedelta(days=1),
    "m": datetime.timedelta(days=30),
    "y": datetime.timedelta(days=365),
}


@dataclass(frozen=True)
class CertOptions:
    """Everything the certificate controller needs to know.

    ``host`` set means the API server reaches the webhook at ``https://host:port``
    (a manager outside the cluster) rather than through ``service``. ``crd_names``
    narrows the CRDs of ``crd_group`` that get the CA (None: all of them).
    """

    namespace: str = DEFAULT_NAMESPACE
    secret_name: str = DEFAULT_SECRET
    service_name: str = DEFAULT_SERVICE
    host: str | None = None
    port: int = DEFAULT_PORT
    cert_dir: Path = DEFAULT_CERT_DIR
    mutating_configuration: str = MUTATING_CONFIGURATION
    validating_configuration: str = VALIDATING_CONFIGURATION
    crd_group: str = CRD_GROUP
    crd_names: frozenset[str] | None = None
    renew_before: datetime.timedelta = RENEW_BEFORE
    ca_renew_before: datetime.timedelta = CA_RENEW_BEFORE
    resync_period: float = RESYNC_PERIOD

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"webhook port {self.port} is out of range")
        if not datetime.timedelta(0) <= self.renew_before < VALIDITY:
            raise ValueError("the renew-before window must be shorter than a certificate's life")
        if self.resync_period <= 0:
            raise ValueError("the resync period must be positive")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> CertOptions:
        """Options from OpenKruise's variables: ``POD_NAMESPACE``, ``SECRET_NAME``,
        ``SERVICE_NAME``, ``WEBHOOK_HOST``, ``WEBHOOK_PORT``, ``WEBHOOK_CERT_DIR`` and
        ``CERTS_RENEW_BEFORE`` (a count and a unit: ``h``ours, ``d``ays, 30-day
        ``m``onths or 365-day ``y``ears, e.g. ``6m``). Keyword ``overrides`` win (the
        command line's flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for key, var in (
            ("namespace", "POD_NAMESPACE"),
            ("secret_name", "SECRET_NAME"),
            ("service_name", "SERVICE_NAME"),
            ("host", "WEBHOOK_HOST"),
        ):
            if env.get(var):
                values[key] = env[var]
        if env.get("WEBHOOK_PORT"):
            values["port"] = _port(env["WEBHOOK_PORT"])
        if env.get("WEBHOOK_CERT_DIR"):
            values["cert_dir"] = Path(env["WEBHOOK_CERT_DIR"])
        if env.get("CERTS_RENEW_BEFORE"):
            values["renew_before"] = parse_renew_before(env["CERTS_RENEW_BEFORE"])
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def base_url(self) -> str | None:
        """``https://host:port`` when clients use a URL, else None."""
        if not self.host:
            return None
        host = self.host
        try:
            if ipaddress.ip_address(host).version == 6:
                host = f"[{host}]"
        except ValueError:
            pass
        return f"https://{host}:{self.port}"

    def selects_crd(self, crd: Mapping[str, object]) -> bool:
        """Whether ``crd`` is one whose conversion webhook needs our CA."""
        spec = crd.get("spec")
        if not isinstance(spec, Mapping) or spec.get("group") != self.crd_group:
            return False
        if self.crd_names is not None:
            metadata = crd.get("metadata")
            name = metadata.get("name") if isinstance(metadata, Mapping) else None
            if name not in self.crd_names:
                return False
        conversion = spec.get("conversion")
        return isinstance(conversion, Mapping) and conversion.get("strategy") == "Webhook"


def parse_renew_before(text: str) -> datetime.timedelta:
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(
            f"invalid CERTS_RENEW_BEFORE {text!r}: expected a count and a unit h, d, m or y"
        )
    return int(match.group(1)) * _UNITS[match.group(2)]


def _port(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"invalid WEBHOOK_PORT {text!r}") from None
