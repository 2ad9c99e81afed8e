"""The fault proxy against the real kube-apiserver: every fault kind as a client sees it,
identities passed through, replays, and faults switched off at run time."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from support.cache import View
from support.polling import eventually

from kruise.runtime.cache import Informer
from kruise.runtime.client import CONFIGMAPS, Client, RestConfig, kubeconfig_config
from kruise.runtime.client.errors import (
    ApiError,
    Conflict,
    Forbidden,
    Gone,
    NotFound,
    ServerError,
    Timeout,
    TooManyRequests,
    TransportError,
)
from kruise.runtime.envtest import ControlPlane, Fault, FaultPlan, FaultProxy, Rule
from kruise.runtime.envtest.faultproxy.faults import PF_FLOW_SCHEMA_HEADER
from kruise.runtime.envtest.rest import RestConfig as SyncRestConfig
from kruise.runtime.envtest.rest import RestError, SyncRest

ProxyFactory = Callable[..., Awaitable[FaultProxy]]
ClientFactory = Callable[..., Awaitable[Client]]


@pytest.fixture
async def make_proxy(control_plane: ControlPlane) -> AsyncIterator[ProxyFactory]:
    """Start proxies in front of the shared control plane; all stopped afterwards."""
    started: list[FaultProxy] = []

    async def make(rules: Iterable[Rule] = (), seed: int = 1) -> FaultProxy:
        proxy = FaultProxy.for_control_plane(control_plane, list(rules), seed=seed)
        await proxy.start()
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        await proxy.stop()


@pytest.fixture
async def make_client(tmp_path: Path) -> AsyncIterator[ClientFactory]:
    """Clients through a proxy (admin, or a bearer token); closed afterwards."""
    clients: list[Client] = []

    async def make(proxy: FaultProxy, *, token: str | None = None, **options: Any) -> Client:
        path = proxy.kubeconfig(tmp_path / f"kubeconfig-{len(clients)}", token=token)
        config = await kubeconfig_config(path)
        client = Client(config.with_options(qps=-1, **options))
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def informers() -> AsyncIterator[list[Informer]]:
    started: list[Informer] = []
    yield started
    await asyncio.gather(*(i.stop() for i in started))


def configmap(name: str, size: int = 1) -> dict[str, Any]:
    return {"metadata": {"name": name}, "data": {"v": "x" * size}}


async def start_informer(
    informers: list[Informer], client: Client, namespace: str, **options: Any
) -> tuple[Informer, View]:
    informer = Informer(client, CONFIGMAPS, namespace=namespace, **options)
    view = View(informer)
    informers.append(informer)
    informer.start()
    assert await informer.wait_for_sync(timeout=30)
    return informer, view


async def wait_for_names(view: View, namespace: str, names: set[str]) -> None:
    want = {f"{namespace}/{name}" for name in names}
    await eventually(lambda: set(view.objects) == want, what=f"the informer to hold {sorted(want)}")


# ---- passthrough -------------------------------------------------------------------


async def test_requests_pass_through_untouched_including_large_lists(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    proxy = await make_proxy()
    client = await make_client(proxy)
    # About 6 MiB in one unpaged list: streamed through, not cut.
    await asyncio.gather(
        *(client.create(CONFIGMAPS, configmap(f"big-{i}", 60_000), namespace) for i in range(100))
    )
    listed = await client.list(CONFIGMAPS, namespace, page_size=None)
    assert len(listed.items) == 100
    assert all(len(item["data"]["v"]) == 60_000 for item in listed.items)
    patched = await client.patch(CONFIGMAPS, "big-0", {"data": {"v": "y"}}, namespace)
    assert patched["data"] == {"v": "y"}
    assert proxy.injected == []
    assert proxy.requests >= 102


async def test_the_admin_certificate_identity_is_presented_upstream(
    make_proxy: ProxyFactory, make_client: ClientFactory
) -> None:
    proxy = await make_proxy()
    client = await make_client(proxy)
    review = await client.transport.request(
        "POST",
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
    )
    user = review["status"]["userInfo"]
    assert user["username"] == "kruise-envtest-admin"
    assert "system:masters" in user["groups"]


async def test_a_service_account_token_passes_through_and_rbac_judges_that_account(
    control_plane: ControlPlane,
    make_proxy: ProxyFactory,
    make_client: ClientFactory,
    namespace: str,
    tmp_path: Path,
) -> None:
    control_plane.rest.request(
        "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts", {"metadata": {"name": "sa"}}
    )
    token = _token_of(control_plane.service_account_kubeconfig(namespace, "sa", tmp_path / "sa"))
    proxy = await make_proxy()
    client = await make_client(proxy, token=token)

    with pytest.raises(Forbidden) as forbidden:
        await client.list(CONFIGMAPS, namespace)
    assert f"system:serviceaccount:{namespace}:sa" in forbidden.value.message

    _grant_configmap_reads(control_plane, namespace, "sa")
    listed = await eventually(
        lambda: _allowed(client.list(CONFIGMAPS, namespace)), what="the Role to take effect"
    )
    assert listed.items == []
    # Still only reads: the token's identity, not the proxy's admin certificate, is judged.
    with pytest.raises(Forbidden):
        await client.create(CONFIGMAPS, configmap("nope"), namespace)


async def test_a_client_without_credentials_stays_anonymous(
    make_proxy: ProxyFactory, namespace: str
) -> None:
    proxy = await make_proxy()
    config = RestConfig(host=proxy.url, ca_file=str(proxy.tls.ca_file), qps=-1)
    async with Client(config) as client:
        with pytest.raises(Forbidden) as forbidden:
            await client.list(CONFIGMAPS, namespace)
    assert "system:anonymous" in forbidden.value.message


# ---- error answers -----------------------------------------------------------------


async def test_500_is_a_server_error(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    proxy = await make_proxy([Rule.of(Fault.internal_error(), verbs=["list"], max_count=1)])
    client = await make_client(proxy)
    with pytest.raises(ServerError) as error:
        await client.list(CONFIGMAPS, namespace)
    assert error.value.status == 500
    assert error.value.reason == "InternalError"
    assert (await client.list(CONFIGMAPS, namespace)).items == []
    assert proxy.counts() == {"internal-error": 1}


async def test_503_carries_retry_after_and_the_client_waits_and_retries(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    rule = Rule.of(Fault.unavailable(retry_after=1), verbs=["create"], max_count=1)
    proxy = await make_proxy([rule])
    no_retries = await make_client(proxy, max_retries=0)
    with pytest.raises(ServerError) as error:
        await no_retries.create(CONFIGMAPS, configmap("a"), namespace)
    assert (error.value.status, error.value.reason) == (503, "ServiceUnavailable")
    assert error.value.retry_after == 1.0

    proxy.plan.set_rules([Rule.of(Fault.unavailable(retry_after=1), verbs=["create"], max_count=2)])
    retrying = await make_client(proxy)
    created = await retrying.create(CONFIGMAPS, configmap("a"), namespace)
    assert created["metadata"]["name"] == "a"
    assert proxy.counts() == {"unavailable": 3}


async def test_429_looks_like_priority_and_fairness_and_is_retried_after_its_wait(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    proxy = await make_proxy([Rule.of(Fault.throttled(retry_after=2), verbs=["list"], max_count=1)])
    no_retries = await make_client(proxy, max_retries=0)
    with pytest.raises(TooManyRequests) as error:
        await no_retries.list(CONFIGMAPS, namespace)
    assert error.value.retry_after == 2.0
    assert error.value.details.get("retryAfterSeconds") == 2

    proxy.plan.set_rules([Rule.of(Fault.throttled(retry_after=1), verbs=["list"], max_count=1)])
    headers = await _raw_get_headers(proxy, f"/api/v1/namespaces/{namespace}/configmaps")
    assert headers["Retry-After"] == "1"
    assert PF_FLOW_SCHEMA_HEADER in headers

    proxy.plan.set_rules([Rule.of(Fault.throttled(retry_after=1), verbs=["list"], max_count=1)])
    assert (await (await make_client(proxy)).list(CONFIGMAPS, namespace)).items == []


async def test_409_conflicts_hit_writes_only(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    proxy = await make_proxy([Rule.of(Fault.conflict(), resources=["configmaps"], max_count=1)])
    client = await make_client(proxy)
    # A read is never given a conflict, so the rule's one conflict is still to come.
    assert (await client.list(CONFIGMAPS, namespace)).items == []
    with pytest.raises(Conflict) as error:
        await client.create(CONFIGMAPS, configmap("a"), namespace)
    assert "the object has been modified" in error.value.message
    assert error.value.reason == "Conflict"
    await client.create(CONFIGMAPS, configmap("a"), namespace)
    assert proxy.counts() == {"conflict": 1}


async def test_latency_delays_and_then_forwards(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    proxy = await make_proxy([Rule.of(Fault.latency(0.2, up_to=0.4), verbs=["create"])])
    client = await make_client(proxy)
    await client.create(CONFIGMAPS, configmap("slow"), namespace)
    assert (await client.get(CONFIGMAPS, "slow", namespace))["data"] == {"v": "x"}
    [fault] = proxy.injected
    assert fault.kind == "latency"
    assert 0.2 <= fault.delay <= 0.4


async def test_a_timeout_is_a_504_a_dropped_connection_or_a_write_nobody_heard_of(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    proxy = await make_proxy([Rule.of(Fault.timeout(0.2), verbs=["get"], max_count=1)])
    client = await make_client(proxy)
    with pytest.raises(Timeout) as error:
        await client.get(CONFIGMAPS, "any", namespace)
    assert error.value.status == 504
    assert not error.value.client_side

    # A create, because aiohttp itself resends an idempotent request once when a kept-alive
    # connection drops.
    dropped = Fault.timeout(0.2, drop_connection=True)
    proxy.plan.set_rules([Rule.of(dropped, verbs=["create"], max_count=1)])
    with pytest.raises(TransportError):
        await client.create(CONFIGMAPS, configmap("dropped"), namespace)
    with pytest.raises(NotFound):
        await client.get(CONFIGMAPS, "dropped", namespace)

    applied = Fault.timeout(0.2, applied=True)
    proxy.plan.set_rules([Rule.of(applied, verbs=["create"], max_count=1)])
    with pytest.raises(Timeout):
        await client.create(CONFIGMAPS, configmap("unheard"), namespace)
    got = await eventually(lambda: _found(client, "unheard", namespace), what="the write to land")
    assert got["metadata"]["name"] == "unheard"
    assert proxy.counts() == {"timeout": 3}


# ---- watches -----------------------------------------------------------------------


async def test_a_watch_cut_mid_event_breaks_the_stream_and_the_informer_reconnects(
    make_proxy: ProxyFactory,
    make_client: ClientFactory,
    namespace: str,
    informers: list[Informer],
) -> None:
    admin = await make_client(await make_proxy())
    for name in ("a", "b", "c"):
        await admin.create(CONFIGMAPS, configmap(name), namespace)
    cut = Rule.of(Fault.watch_cut(after_events=1), namespaces=[namespace], max_count=1)
    proxy = await make_proxy([cut])
    client = await make_client(proxy)

    seen: list[str] = []
    with pytest.raises(TransportError):
        await drain(client, namespace, "0", seen)
    assert len(seen) == 1  # the second event arrived only in part

    proxy.plan.set_rules([cut])
    informer, view = await start_informer(informers, client, namespace)
    await admin.create(CONFIGMAPS, configmap("d"), namespace)
    await admin.create(CONFIGMAPS, configmap("e"), namespace)
    await wait_for_names(view, namespace, {"a", "b", "c", "d", "e"})
    assert informer.stats.watches >= 2
    assert proxy.counts() == {"watch-cut": 2}
    assert view.phantoms == []


async def test_a_410_error_event_ends_the_watch_and_the_informer_relists(
    make_proxy: ProxyFactory,
    make_client: ClientFactory,
    namespace: str,
    informers: list[Informer],
) -> None:
    admin = await make_client(await make_proxy())
    created = await admin.create(CONFIGMAPS, configmap("a"), namespace)
    expired = Rule.of(Fault.watch_expired(after_events=0), namespaces=[namespace], max_count=1)
    proxy = await make_proxy([expired])
    client = await make_client(proxy)

    version = created["metadata"]["resourceVersion"]
    with pytest.raises(Gone) as error:
        await drain(client, namespace, version, [])
    assert error.value.status == 410
    assert error.value.message.startswith(f"too old resource version: {version} (")

    proxy.plan.set_rules([expired])
    informer, view = await start_informer(informers, client, namespace)
    await admin.create(CONFIGMAPS, configmap("b"), namespace)
    await wait_for_names(view, namespace, {"a", "b"})
    assert informer.stats.relists_after_gone == 1
    assert informer.stats.lists == 2


async def test_a_410_answer_to_the_watch_request_makes_the_informer_relist(
    make_proxy: ProxyFactory,
    make_client: ClientFactory,
    namespace: str,
    informers: list[Informer],
) -> None:
    gone = Rule.of(Fault.watch_gone(), namespaces=[namespace], max_count=1)
    proxy = await make_proxy([gone])
    client = await make_client(proxy)
    with pytest.raises(Gone):
        async with client.watch(CONFIGMAPS, namespace, resource_version="1"):
            pass

    proxy.plan.set_rules([gone])
    informer, view = await start_informer(informers, client, namespace)
    await client.create(CONFIGMAPS, configmap("a"), namespace)
    await wait_for_names(view, namespace, {"a"})
    assert informer.stats.relists_after_gone == 1


async def test_a_stalled_watch_is_restarted_by_the_informers_inactivity_timeout(
    make_proxy: ProxyFactory,
    make_client: ClientFactory,
    namespace: str,
    informers: list[Informer],
) -> None:
    stall = Rule.of(Fault.watch_stall(), namespaces=[namespace], max_count=1)
    proxy = await make_proxy([stall])
    client = await make_client(proxy)
    informer, view = await start_informer(informers, client, namespace, inactivity_timeout=2.0)
    await client.create(CONFIGMAPS, configmap("a"), namespace)
    await wait_for_names(view, namespace, {"a"})
    assert informer.stats.inactivity_restarts >= 1
    assert proxy.counts() == {"watch-stall": 1}


async def test_stopping_faults_lets_a_stalled_watch_end_and_new_requests_through(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    proxy = await make_proxy([Rule.of(Fault.watch_stall(), namespaces=[namespace])])
    client = await make_client(proxy)
    admin = await make_client(await make_proxy())
    events = client.watch(CONFIGMAPS, namespace, resource_version="0")
    received: list[Any] = []

    async def read() -> None:
        async with events:
            received.extend([event async for event in events])

    reader = asyncio.create_task(read())
    await admin.create(CONFIGMAPS, configmap("a"), namespace)
    await eventually(lambda: proxy.counts() == {"watch-stall": 1}, what="the stall to start")
    assert not reader.done()

    proxy.stop_faults()
    await asyncio.wait_for(reader, 30)  # ended cleanly: no exception
    assert received == []
    async with client.watch(CONFIGMAPS, namespace, resource_version="0") as stream:
        first = await anext(aiter(stream))
    assert first.object["metadata"]["name"] == "a"
    assert proxy.counts() == {"watch-stall": 1}

    proxy.start_faults()
    reader = asyncio.create_task(read_one(client, namespace))
    await eventually(lambda: proxy.counts() == {"watch-stall": 2}, what="faults to resume")
    proxy.stop_faults()
    await asyncio.wait_for(reader, 30)


async def test_a_watch_fault_chosen_before_faults_stop_never_strikes_after(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    cut = Rule.of(Fault.watch_cut(after_events=2), namespaces=[namespace], max_count=1)
    proxy = await make_proxy([cut])
    client = await make_client(proxy)
    admin = await make_client(await make_proxy())
    await admin.create(CONFIGMAPS, configmap("a"), namespace)
    seen: list[str] = []
    async with client.watch(CONFIGMAPS, namespace, resource_version="0") as events:
        stream = aiter(events)
        seen.append((await anext(stream)).object["metadata"].get("name", ""))
        assert proxy.counts() == {"watch-cut": 1}  # chosen, not yet struck

        proxy.stop_faults()
        for name in ("b", "c"):
            await admin.create(CONFIGMAPS, configmap(name), namespace)
        while seen[-1] != "c":  # the cut would have fallen on the third line
            event = await asyncio.wait_for(anext(stream), 30)
            if event.type != "BOOKMARK":
                seen.append(event.object["metadata"]["name"])
    assert seen == ["a", "b", "c"]


async def drain(client: Client, namespace: str, version: str, seen: list[str]) -> None:
    """Read a watch to its end, noting the names of the objects in its events."""
    async with client.watch(CONFIGMAPS, namespace, resource_version=version) as events:
        async for event in events:
            seen.append(event.object["metadata"]["name"])


async def read_one(client: Client, namespace: str) -> None:
    async with client.watch(CONFIGMAPS, namespace, resource_version="0") as events:
        async for _ in events:
            return


async def test_watches_through_the_proxy_survive_an_apiserver_restart(
    control_plane: ControlPlane,
    make_proxy: ProxyFactory,
    make_client: ClientFactory,
    namespace: str,
    informers: list[Informer],
) -> None:
    proxy = await make_proxy()
    client = await make_client(proxy)
    await client.create(CONFIGMAPS, configmap("before"), namespace)
    informer, view = await start_informer(informers, client, namespace)
    await wait_for_names(view, namespace, {"before"})

    await asyncio.to_thread(control_plane.restart_apiserver)
    await client.create(CONFIGMAPS, configmap("after"), namespace)
    await wait_for_names(view, namespace, {"before", "after"})
    assert informer.stats.watches >= 2
    assert proxy.injected == []


# ---- replay --------------------------------------------------------------------------


async def test_the_same_seed_and_requests_give_the_same_faults(
    make_proxy: ProxyFactory, make_client: ClientFactory, namespace: str
) -> None:
    rules = [
        Rule.of(Fault.internal_error(), verbs=["get"], probability=0.3),
        Rule.of(Fault.conflict(), verbs=["patch"], probability=0.5, max_count=4),
        Rule.of(Fault.throttled(), probability=0.2),
    ]
    admin = await make_client(await make_proxy())
    await admin.create(CONFIGMAPS, configmap("r"), namespace)

    async def run(seed: int) -> list[tuple[int, int, int, str]]:
        proxy = await make_proxy(rules, seed=seed)
        client = await make_client(proxy, max_retries=0)
        for i in range(30):
            with contextlib.suppress(ApiError):
                await client.get(CONFIGMAPS, "r", namespace)
            with contextlib.suppress(ApiError):
                await client.patch(CONFIGMAPS, "r", {"data": {"v": str(i)}}, namespace)
        assert {f.seed for f in proxy.injected} <= {seed}
        return [(f.request, f.rule, f.match, f.kind) for f in proxy.injected]

    first = await run(seed=11)
    assert len(first) >= 10
    assert await run(seed=11) == first
    assert await run(seed=12) != first


# ---- running on its own thread ---------------------------------------------------------


def test_the_proxy_runs_on_a_thread_for_blocking_code(
    control_plane: ControlPlane, namespace: str
) -> None:
    plan = FaultPlan([Rule.of(Fault.internal_error(), verbs=["get"], max_count=1)], seed=5)
    pki = control_plane.certs_dir
    with FaultProxy.for_control_plane(control_plane, plan) as proxy:
        rest = SyncRest(
            SyncRestConfig(
                "127.0.0.1", proxy.port, proxy.tls.ca_file, pki / "admin.crt", pki / "admin.key"
            )
        )
        with pytest.raises(RestError) as error:
            rest.get(f"/api/v1/namespaces/{namespace}")
        assert error.value.status == 500
        assert rest.get(f"/api/v1/namespaces/{namespace}")["metadata"]["name"] == namespace
        assert [(f.request, f.seed, f.kind) for f in proxy.injected] == [(1, 5, "internal-error")]
    assert not proxy.workdir.exists()


# ---- helpers ---------------------------------------------------------------------------


def _token_of(kubeconfig: Path) -> str:
    import json  # noqa: PLC0415

    token: str = json.loads(kubeconfig.read_text())["users"][0]["user"]["token"]
    return token


def _grant_configmap_reads(plane: ControlPlane, namespace: str, account: str) -> None:
    rbac = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}"
    plane.rest.request(
        "POST",
        f"{rbac}/roles",
        {
            "metadata": {"name": "read-configmaps"},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}],
        },
    )
    plane.rest.request(
        "POST",
        f"{rbac}/rolebindings",
        {
            "metadata": {"name": "read-configmaps"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": "read-configmaps",
            },
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}],
        },
    )


async def _allowed(request: Awaitable[Any]) -> Any:
    try:
        return await request
    except Forbidden:
        return None


async def _found(client: Client, name: str, namespace: str) -> Any:
    try:
        return await client.get(CONFIGMAPS, name, namespace)
    except ApiError:
        return None


async def _raw_get_headers(proxy: FaultProxy, path: str) -> dict[str, str]:
    """A GET through the proxy as the admin, returning the answer's headers."""
    assert proxy.tls.client is not None
    context = ssl.create_default_context(cafile=proxy.tls.ca_file)
    context.load_cert_chain(proxy.tls.client.cert_file, proxy.tls.client.key_file)
    async with (
        aiohttp.ClientSession() as session,
        session.get(proxy.url + path, ssl=context) as response,
    ):
        return dict(response.headers)
