"""The webhook-admission benchmark's shared files and both of its servers, in-process."""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import json
import ssl
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import ModuleType

import aiohttp
import pytest
from cryptography import x509

from kruise.runtime.webhook import admission
from kruise.runtime.webhook.certwatcher import server_context
from kruise.webhook.cloneset import VALIDATE_PATH, handlers

WEBHOOK = Path(__file__).resolve().parents[3] / "bench" / "scenarios" / "webhook.py"


def load_webhook() -> ModuleType:
    # bench/scenarios/ is a folder of scripts, not a package: load the module from its file.
    spec = importlib.util.spec_from_file_location("kruise_bench_webhook", WEBHOOK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


webhook = load_webhook()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("webhook-bench")
    webhook.prepare(directory)
    return directory


def test_the_review_is_a_3kb_create_of_a_cloneset(prepared: Path) -> None:
    body = (prepared / webhook.REVIEW).read_bytes()
    assert 2500 <= len(body) <= 4000
    review = json.loads(body)
    assert review["apiVersion"] == "admission.k8s.io/v1"
    request = review["request"]
    assert request["operation"] == "CREATE"
    assert request["kind"]["kind"] == "CloneSet"
    assert request["object"]["metadata"]["managedFields"]
    assert not request["object"]["spec"].get("scaleStrategy", {}).get("podsToDelete")


async def test_the_real_validator_allows_it_as_the_floor_answers(prepared: Path) -> None:
    request = admission.decode_request(json.loads((prepared / webhook.REVIEW).read_bytes()))

    async def get_pod(namespace: str, name: str) -> None:
        raise AssertionError("a CREATE without podsToDelete looks up no pod")

    response = await handlers(get_pod)[VALIDATE_PATH].handle(request)
    assert response.allowed, response.message
    # The floor answers the very bytes ours does, so the wire carries the same on both.
    assert webhook.dump(admission.encode_response(request, response)) == webhook.allowed_review()


def test_the_certificate_is_for_the_loopback_and_loads(prepared: Path) -> None:
    cert = x509.load_pem_x509_certificate((prepared / webhook.CERT).read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    server_context().load_cert_chain(prepared / webhook.CERT, prepared / webhook.KEY)


@pytest.mark.parametrize("serve", ["serve_ours", "serve_floor"])
async def test_both_servers_answer_the_review_alike(prepared: Path, serve: str) -> None:
    stopping = asyncio.Event()
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    run: Callable[..., Coroutine[None, None, None]] = getattr(webhook, serve)
    task = asyncio.create_task(run(prepared, stopping, port.set_result))
    try:
        bound = await asyncio.wait_for(asyncio.shield(port), 10)
        client = ssl.create_default_context(cafile=prepared / webhook.CERT)
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"https://127.0.0.1:{bound}{VALIDATE_PATH}",
                data=(prepared / webhook.REVIEW).read_bytes(),
                headers={"Content-Type": "application/json"},
                ssl=client,
            ) as response,
        ):
            assert response.status == 200
            assert await response.read() == webhook.allowed_review()
    finally:
        stopping.set()
        await asyncio.wait_for(task, 10)


def test_gc_timer_adds_up_collections_by_generation() -> None:
    timer = webhook.GCTimer()
    timer("start", {"generation": 2})
    timer("stop", {"generation": 2})
    timer("start", {"generation": 0})
    timer("stop", {"generation": 0})
    snapshot = timer.snapshot()
    assert snapshot["gc_collections"] == [1, 0, 1]
    assert snapshot["gc_seconds"][1] == 0.0
    assert snapshot["cpu_seconds"] > 0
