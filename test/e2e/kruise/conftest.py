"""The e2e environment: a local cluster with kruise-manager processes, or an existing
cluster named by E2E_KUBECONFIG (see kruise_env)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from kruise_env import KruiseEnv, build_env, wait_for

from kruise.runtime.client import Client, kubeconfig_config


@pytest.fixture(scope="session")
def kruise_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KruiseEnv]:
    yield from build_env(tmp_path_factory.mktemp("kruise-e2e"))


@pytest.fixture
async def kube(kruise_env: KruiseEnv) -> AsyncIterator[Client]:
    config = await kubeconfig_config(kruise_env.kubeconfig)
    async with Client(config.with_options(qps=-1)) as client:
        yield client


@pytest.fixture
def e2e_namespace(kruise_env: KruiseEnv) -> Iterator[str]:
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    kruise_env.rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": name}})

    def has_account() -> bool:
        try:
            kruise_env.rest.get(f"/api/v1/namespaces/{name}/serviceaccounts/default")
        except Exception:
            return False
        return True

    wait_for(has_account, "the namespace's default ServiceAccount", 60)
    yield name
    kruise_env.rest.request("DELETE", f"/api/v1/namespaces/{name}")
