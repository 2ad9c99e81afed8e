"""Options from OpenKruise's environment variables."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from kruise.webhook.certs import CertOptions, parse_renew_before


def test_defaults_follow_openkruise_and_the_install() -> None:
    o = CertOptions.from_env({})
    assert o.namespace == "kube-system"
    assert o.secret_name == "kruise-webhook-certs"
    assert o.service_name == "kruise-webhook-service"
    assert o.port == 9876
    assert o.cert_dir == Path("/tmp/kruise-webhook-certs")
    assert o.host is None
    assert o.base_url is None
    assert o.renew_before == datetime.timedelta(days=180)
    assert o.resync_period == 60.0


def test_environment_and_overrides() -> None:
    env = {
        "POD_NAMESPACE": "kruise-system",
        "SECRET_NAME": "certs",
        "SERVICE_NAME": "hooks",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": "9443",
        "WEBHOOK_CERT_DIR": "/var/run/certs",
        "CERTS_RENEW_BEFORE": "30d",
    }
    o = CertOptions.from_env(env, port=10250)
    assert (o.namespace, o.secret_name, o.service_name) == ("kruise-system", "certs", "hooks")
    assert o.host == "127.0.0.1"
    assert o.port == 10250
    assert o.cert_dir == Path("/var/run/certs")
    assert o.renew_before == datetime.timedelta(days=30)
    assert o.base_url == "https://127.0.0.1:10250"


def test_an_empty_variable_means_unset() -> None:
    assert CertOptions.from_env({"WEBHOOK_HOST": "", "POD_NAMESPACE": ""}).host is None


def test_ipv6_hosts_are_bracketed_in_urls() -> None:
    assert CertOptions(host="::1", port=9876).base_url == "https://[::1]:9876"
    assert CertOptions(host="hooks.example.com").base_url == "https://hooks.example.com:9876"


@pytest.mark.parametrize(
    ("text", "days"), [("6m", 180), ("1y", 365), ("90d", 90), ("48h", 2), (" 2d ", 2)]
)
def test_renew_before_units(text: str, days: int) -> None:
    assert parse_renew_before(text) == datetime.timedelta(days=days)


@pytest.mark.parametrize("text", ["", "6", "m", "6w", "-1d", "1.5y"])
def test_bad_renew_before_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="CERTS_RENEW_BEFORE"):
        parse_renew_before(text)


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError, match="WEBHOOK_PORT"):
        CertOptions.from_env({"WEBHOOK_PORT": "http"})
    with pytest.raises(ValueError, match="out of range"):
        CertOptions(port=70000)
    with pytest.raises(ValueError, match="shorter than a certificate"):
        CertOptions(renew_before=datetime.timedelta(days=3650))
    with pytest.raises(ValueError, match="resync"):
        CertOptions(resync_period=0)


def crd(
    name: str, group: str = "apps.kruise.io", strategy: str | None = "Webhook"
) -> dict[str, Any]:
    spec: dict[str, Any] = {"group": group}
    if strategy is not None:
        spec["conversion"] = {"strategy": strategy}
    return {"metadata": {"name": name}, "spec": spec}


def test_crds_of_the_group_with_webhook_conversion_are_selected() -> None:
    o = CertOptions()
    assert o.selects_crd(crd("statefulsets.apps.kruise.io"))
    assert not o.selects_crd(crd("clonesets.apps.kruise.io", strategy="None"))
    assert not o.selects_crd(crd("clonesets.apps.kruise.io", strategy=None))
    assert not o.selects_crd(crd("foos.example.com", group="example.com"))
    assert not o.selects_crd({"metadata": {"name": "x"}})


def test_crd_names_narrow_the_selection() -> None:
    o = CertOptions(crd_names=frozenset({"certtests.apps.kruise.io"}))
    assert o.selects_crd(crd("certtests.apps.kruise.io"))
    assert not o.selects_crd(crd("statefulsets.apps.kruise.io"))
