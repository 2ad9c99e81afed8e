"""The e2e environment: a local cluster with kruise-manager processes, or an existing
cluster named by E2E_KUBECONFIG (see support/kruise_env.py).

In local mode the environment also checks least privilege when the session is done with
it (support/least_privilege.py): after the last test that used it, once kruise-manager has
stopped, a request the API server refused or a granted verb nothing used fails the run,
reported as an error in the teardown of the session's last test.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from support import least_privilege
from support.kruise_env import KruiseEnv, build_env
from support.polling import eventually_blocking

from kruise.runtime.client import Client, kubeconfig_config


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "minutes: waits for real minutes of the wall clock (AdvancedCronJob schedules); "
        "-m 'not minutes' leaves them out",
    )


@pytest.fixture(scope="session")
def kruise_env(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[KruiseEnv]:
    environment = build_env(tmp_path_factory.mktemp("kruise-e2e"))
    env = next(environment)
    yield env
    for _ in environment:  # runs the rest of build_env: stops the replicas and the cluster
        pass
    _check_least_privilege(env, request.session)


def _check_least_privilege(env: KruiseEnv, session: pytest.Session) -> None:
    if env.audit_log is None or not env.audit_log.exists():
        return  # an existing cluster (E2E_KUBECONFIG): no audit log of ours to read
    ran = {Path(str(item.path)).name for item in session.items}
    problems = least_privilege.findings(env.audit_log, ran)
    if problems:
        pytest.fail(
            "least privilege: kruise-manager's requests in the audit log "
            f"{env.audit_log} break config/rbac's contract:\n  " + "\n  ".join(problems),
            pytrace=False,
        )


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

    eventually_blocking(
        has_account, timeout=60, interval=0.2, what="the namespace's default ServiceAccount"
    )
    yield name
    kruise_env.rest.request("DELETE", f"/api/v1/namespaces/{name}")
