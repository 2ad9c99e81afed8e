"""A reconcile the API server refuses is an ordinary reconcile error: a condition on the
CloneSet, counted as an error and retried, never counted as a panic."""

from __future__ import annotations

from support.cloneset import Harness, defaulted_cloneset
from support.pods import condition
from support.polling import eventually

from kruise.controller.cloneset import CONTROLLER_NAME
from kruise.runtime.client import Resource

RESOURCE_QUOTAS = Resource("", "v1", "resourcequotas", "ResourceQuota")


def sample(harness: Harness, name: str, **labels: str) -> float:
    value = harness.manager.registry.get_sample_value(
        name, {"controller": CONTROLLER_NAME, **labels}
    )
    return value or 0.0


async def test_a_create_refused_with_403_is_a_reconcile_error_not_a_panic(
    harness: Harness,
) -> None:
    quota = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "no-pods"},
        "spec": {"hard": {"pods": "0"}},
    }
    created = await harness.client.create(RESOURCE_QUOTAS, quota, harness.namespace)
    # No quota controller runs here: give the quota the status it would have.
    created["status"] = {"hard": {"pods": "0"}, "used": {"pods": "0"}}
    await harness.client.update_status(RESOURCE_QUOTAS, created)

    await harness.create(defaulted_cloneset("web", 2))

    async def failed() -> dict | None:
        cs = await harness.get("web")
        return cs if condition(cs, "FailedScale") else None

    cs = await eventually(failed, what="a FailedScale condition")
    message = condition(cs, "FailedScale")["message"]
    # Issue 14 item 6: the API server's text itself, as OpenKruise's condition carries it.
    assert message.startswith('pods "web-'), message
    assert "is forbidden: exceeded quota: no-pods" in message

    async def retried() -> bool:
        return sample(harness, "controller_runtime_reconcile_total", result="error") >= 2

    await eventually(retried, what="the refused reconcile retried")
    assert sample(harness, "controller_runtime_reconcile_errors_total") >= 2
    assert sample(harness, "controller_runtime_reconcile_panics_total") == 0
    assert await harness.pods("web") == []
