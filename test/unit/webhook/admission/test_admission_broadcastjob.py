"""The BroadcastJob webhooks: validation failures are 422, never OpenKruise's 500."""

from __future__ import annotations

from support.admission import broadcastjob, patched, request, wire

from kruise.apis.apps.defaults import default_broadcastjob
from kruise.webhook import broadcastjob as webhook
from kruise.webhook.broadcastjob import BroadcastJobDefaulter, BroadcastJobValidator


def test_paths() -> None:
    assert webhook.MUTATE_PATH == "/mutate-apps-kruise-io-v1alpha1-broadcastjob"
    assert webhook.VALIDATE_PATH == "/validate-apps-kruise-io-v1alpha1-broadcastjob"
    assert set(webhook.handlers()) == {webhook.MUTATE_PATH, webhook.VALIDATE_PATH}


async def test_mutating_patch_applies_the_defaults() -> None:
    req = request(broadcastjob())
    assert patched(req, await BroadcastJobDefaulter().handle(req)) == default_broadcastjob(
        broadcastjob()
    )


async def test_valid_job_is_allowed() -> None:
    assert (
        await BroadcastJobValidator().handle(request(default_broadcastjob(broadcastjob())))
    ).allowed


async def test_defaulted_restart_policy_is_refused_with_422() -> None:
    job = broadcastjob()
    del job["spec"]["template"]["spec"]["restartPolicy"]
    answer = await wire(BroadcastJobValidator(), request(default_broadcastjob(job)))
    assert answer["allowed"] is False
    assert answer["status"] == {
        "code": 422,
        "status": "Failure",
        "reason": "Invalid",
        "message": 'spec.template.spec.restartPolicy: Unsupported value: "Always": '
        'supported values: "OnFailure", "Never"',
        "details": {
            "causes": [
                {
                    "field": "spec.template.spec.restartPolicy",
                    "reason": "FieldValueNotSupported",
                    "message": 'Unsupported value: "Always": supported values: '
                    '"OnFailure", "Never"',
                }
            ]
        },
    }


async def test_template_change_is_refused_on_update() -> None:
    old = default_broadcastjob(broadcastjob())
    new = default_broadcastjob(broadcastjob(restart_policy="OnFailure"))
    response = await BroadcastJobValidator().handle(request(new, operation="UPDATE", old=old))
    assert response.code == 422
    assert [c["field"] for c in response.causes] == ["spec.template"]
    paused = default_broadcastjob(broadcastjob(paused=True))
    assert (
        await BroadcastJobValidator().handle(request(paused, operation="UPDATE", old=old))
    ).allowed
