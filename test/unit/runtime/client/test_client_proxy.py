"""The API server's proxy comes from the environment once per transport, not per request."""

from __future__ import annotations

import pytest
from yarl import URL

from kruise.runtime.client import RestConfig
from kruise.runtime.client.transport import Transport, env_proxy

API = "https://10.0.0.1:6443"
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy")


@pytest.fixture(autouse=True)
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


def test_https_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://user:pw@proxy.example:3128")
    proxy, auth = env_proxy(API)
    assert proxy == URL("http://proxy.example:3128")
    assert auth is not None
    assert (auth.login, auth.password) == ("user", "pw")


def test_no_proxy_bypasses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "10.0.0.1")
    assert env_proxy(API) == (None, None)


def test_no_proxy_configured_means_direct() -> None:
    assert env_proxy(API) == (None, None)


async def test_the_session_does_not_look_the_environment_up_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    transport = Transport(RestConfig(host=API))
    try:
        session = transport._session
        assert session.trust_env is False
        assert session._default_proxy == URL("http://proxy.example:3128")
    finally:
        await transport.close()
