"""A review nested deeper than the server reads is a 400, not a handler's RecursionError
(found by the webhook fuzz suite: an AdvancedCronJob whose metadata was nested ~900 levels
deep parsed, then ran the defaulter's patch diff out of stack: a denial with code 500)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import CollectorRegistry
from support.admission import advancedcronjob
from support.webhook_tls import CA, running

from kruise.runtime.webhook import WebhookServer
from kruise.runtime.webhook._review import MAX_DEPTH
from kruise.webhook import advancedcronjob as acj_webhook
from kruise.webhook import setup


async def _no_pods(namespace: str, name: str) -> None:
    return None


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[WebhookServer, CA, CollectorRegistry]]:
    ca, registry = CA(), CollectorRegistry()
    ca.issue().write(tmp_path)
    server = WebhookServer(host="127.0.0.1", port=0, cert_dir=tmp_path, registry=registry)
    for path, handler in setup.admission_handlers(_no_pods).items():
        server.register_admission(path, handler)
    server.register_conversion(setup.CONVERT_PATH, setup.converter())
    async with running(server):
        yield server, ca, registry


def _review(pairs: int) -> bytes:
    """A CREATE of an AdvancedCronJob whose labels are ``pairs`` object-array pairs deep."""
    review = {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "deep",
            "kind": {"group": "apps.kruise.io", "version": "v1alpha1", "kind": "AdvancedCronJob"},
            "resource": {"group": "apps.kruise.io", "version": "v1alpha1", "resource": "x"},
            "operation": "CREATE",
            "object": advancedcronjob(),
        },
    }
    review["request"]["object"]["metadata"]["labels"] = "@deep@"  # type: ignore[index]
    # Encoded by hand: json.dumps would run out of stack first.
    deep = '{"n": [' * pairs + '"bottom"' + "]}" * pairs
    return json.dumps(review).replace('"@deep@"', deep).encode()


async def _post(server: WebhookServer, ca: CA, body: bytes) -> tuple[int, str]:
    url = f"https://127.0.0.1:{server.bound_port}{acj_webhook.MUTATE_PATH}"
    connector = aiohttp.TCPConnector(ssl=ca.client_context())
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.post(url, data=body, headers={"Content-Type": "application/json"}) as response,
    ):
        return response.status, await response.text()


@pytest.mark.parametrize("pairs", [450, 5000])
async def test_deep_nesting_is_a_400_not_a_handler_recursion_error(
    server: tuple[WebhookServer, CA, CollectorRegistry], pairs: int
) -> None:
    started, ca, registry = server
    status, text = await _post(started, ca, _review(pairs))
    assert (status, text.strip()) == (400, f"invalid JSON: nested deeper than {MAX_DEPTH} levels")
    assert not registry.get_sample_value("controller_runtime_webhook_panics_total")


async def test_nesting_within_the_limit_is_answered(
    server: tuple[WebhookServer, CA, CollectorRegistry],
) -> None:
    started, ca, registry = server
    # review, request, object, metadata: 4 levels above the labels' value
    status, text = await _post(started, ca, _review((MAX_DEPTH - 4) // 2))
    assert status == 200, text
    response = json.loads(text)["response"]
    assert response["uid"] == "deep"
    assert response["status"]["code"] != 500, response
    assert not registry.get_sample_value("controller_runtime_webhook_panics_total")
