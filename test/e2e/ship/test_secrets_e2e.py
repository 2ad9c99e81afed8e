"""No private key leaves the webhook certificate Secret and the cert dir: kruise-manager
(debug logging on) goes through a whole life on a local cluster (the Secret created,
overwritten with garbage and repaired, deleted and created anew, the manager stopped),
then its log and every Event in the cluster are searched for PEM headers and for any
piece of the private keys it held. The cert dir it writes is private: 0700, files 0600.

Self-contained: its own cluster and manager.
"""

from __future__ import annotations

import base64
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.managers import ManagerOptions, ManagerProcess, start_manager
from support.polling import eventually_blocking

from kruise.runtime.envtest import LocalCluster, LocalClusterOptions, NodeSpec
from kruise.webhook.certs.generate import CA_KEY, KEY, TLS_CERT, TLS_KEY
from kruise.webhook.certs.options import DEFAULT_SECRET

SYSTEM = "kube-system"
SECRET_PATH = f"/api/v1/namespaces/{SYSTEM}/secrets/{DEFAULT_SECRET}"
PEM_MARKERS = ("-----BEGIN", "PRIVATE KEY")
GARBAGE_KEY = (
    b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==!!\n-----END PRIVATE KEY-----\n"
)
pytestmark = pytest.mark.timeout(900)


@dataclass
class Life:
    cluster: LocalCluster
    manager: ManagerProcess
    cert_dir: Path
    keys: list[bytes]  # every private key the Secret held during the run


def secret_data(cluster: LocalCluster) -> dict[str, bytes] | None:
    try:
        secret = cluster.rest.get(SECRET_PATH)
    except Exception:  # not there (yet)
        return None
    return {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}


def served_key(cluster: LocalCluster) -> bytes | None:
    data = secret_data(cluster)
    if not data or not data.get(TLS_KEY, b"").startswith(b"-----BEGIN"):
        return None
    return data[TLS_KEY] if data[TLS_KEY] != GARBAGE_KEY else None


def remember_keys(cluster: LocalCluster, keys: list[bytes]) -> None:
    data = secret_data(cluster) or {}
    for name in (CA_KEY, KEY, TLS_KEY):
        if name in data and data[name] not in keys and data[name] != GARBAGE_KEY:
            keys.append(data[name])


def wait_served(life: Life, key: bytes) -> None:
    """Until the cert dir holds ``key`` (the manager wrote the Secret's pair to disk)."""

    def written() -> bool:
        life.manager.check()
        path = life.cert_dir / TLS_KEY
        return path.exists() and path.read_bytes() == key

    eventually_blocking(written, timeout=120, interval=0.5, what="the pair written to disk")


@pytest.fixture(scope="module")
def life(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Life]:
    work = tmp_path_factory.mktemp("secrets-e2e")
    options = LocalClusterOptions(nodes=[NodeSpec("secrets-node-0")], start_timeout=120)
    with LocalCluster(options) as cluster:
        manager = start_manager(
            cluster,
            ManagerOptions(
                flavour="kruise-py", workdir=work, namespace=SYSTEM, extra_args=["-v", "1"]
            ),
        )
        life = Life(cluster, manager, work / "certs", [])
        try:
            first = served_key(cluster)
            assert first is not None
            remember_keys(cluster, life.keys)
            wait_served(life, first)
            yield life
        finally:
            manager.stop()
            print(manager.log.read_text(errors="replace")[-3000:])


def test_the_cert_dir_is_private(life: Life) -> None:
    assert stat.S_IMODE(life.cert_dir.stat().st_mode) == 0o700
    files = sorted(p for p in life.cert_dir.iterdir() if p.is_file())
    assert TLS_CERT in {p.name for p in files}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_garbage_secret_is_repaired(life: Life) -> None:
    cluster = life.cluster
    secret = cluster.rest.get(SECRET_PATH)
    secret["data"][TLS_KEY] = base64.b64encode(GARBAGE_KEY).decode()
    secret["data"][KEY] = base64.b64encode(GARBAGE_KEY).decode()
    cluster.rest.request("PUT", SECRET_PATH, secret)

    def repaired() -> bool:
        life.manager.check()
        return served_key(cluster) is not None

    eventually_blocking(repaired, timeout=120, interval=0.5, what="the Secret repaired")
    remember_keys(cluster, life.keys)
    key = served_key(cluster)
    assert key is not None
    wait_served(life, key)


def test_a_deleted_secret_is_created_anew_and_served(life: Life) -> None:
    cluster = life.cluster
    before = served_key(cluster)
    cluster.rest.request("DELETE", SECRET_PATH)

    def recreated() -> bool:
        life.manager.check()
        key = served_key(cluster)
        return key is not None and key != before

    eventually_blocking(recreated, timeout=120, interval=0.5, what="a new Secret")
    remember_keys(cluster, life.keys)
    key = served_key(cluster)
    assert key is not None
    wait_served(life, key)


def pieces(key: bytes) -> list[str]:
    """Every line of the key's base64 body long enough not to match by chance."""
    return [line for line in key.decode().splitlines() if len(line) >= 32 and "-----" not in line]


def events(cluster: LocalCluster) -> list[dict[str, Any]]:
    core = cluster.rest.get("/api/v1/events")["items"]
    modern = cluster.rest.get("/apis/events.k8s.io/v1/events")["items"]
    return [*core, *modern]


def test_no_private_key_in_the_log_or_the_events(life: Life) -> None:
    assert len(life.keys) >= 3  # the first Secret, the repaired one and the new one
    life.manager.stop()  # the whole life, shutdown included
    log = life.manager.log.read_text(errors="replace")
    assert "loaded the webhook certificate" in log  # the log is the manager's, and verbose
    recorded = [str(event) for event in events(life.cluster)]
    for where, text in [("log", log)] + [("event", e) for e in recorded]:
        for marker in PEM_MARKERS:
            assert marker not in text, f"{marker!r} in the {where}"
        for key in life.keys:
            leaked = [p for p in pieces(key) if p in text]
            assert not leaked, f"a private key's body in the {where}"
    # Base64 of a PEM key in the log would hide the header: look for that too.
    for key in life.keys:
        encoded = base64.b64encode(key).decode()
        assert not re.search(re.escape(encoded[:40]), log)
