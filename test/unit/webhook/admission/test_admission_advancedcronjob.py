"""The AdvancedCronJob webhooks."""

from __future__ import annotations

from support.admission import advancedcronjob, patched, request

from kruise.apis.apps.defaults import default_advancedcronjob
from kruise.webhook import advancedcronjob as webhook
from kruise.webhook.advancedcronjob import AdvancedCronJobDefaulter, AdvancedCronJobValidator


def test_paths() -> None:
    assert webhook.MUTATE_PATH == "/mutate-apps-kruise-io-v1alpha1-advancedcronjob"
    assert webhook.VALIDATE_PATH == "/validate-apps-kruise-io-v1alpha1-advancedcronjob"
    assert set(webhook.handlers()) == {webhook.MUTATE_PATH, webhook.VALIDATE_PATH}


async def test_mutating_patch_applies_the_defaults() -> None:
    req = request(advancedcronjob())
    result = patched(req, await AdvancedCronJobDefaulter().handle(req))
    assert result == default_advancedcronjob(advancedcronjob())
    assert result["spec"]["concurrencyPolicy"] == "Allow"


async def test_valid_job_is_allowed() -> None:
    obj = default_advancedcronjob(advancedcronjob(timeZone="Europe/Paris"))
    assert (await AdvancedCronJobValidator().handle(request(obj))).allowed


async def test_bad_schedule_and_time_zone() -> None:
    obj = default_advancedcronjob(advancedcronjob("0 0 * * * *", timeZone="Nowhere/Town"))
    response = await AdvancedCronJobValidator().handle(request(obj))
    assert (response.allowed, response.code) == (False, 422)
    assert [c["field"] for c in response.causes] == ["spec.schedule", "spec.timeZone"]


async def test_schedule_may_change_but_not_the_template() -> None:
    old = default_advancedcronjob(advancedcronjob())
    new = default_advancedcronjob(advancedcronjob("0 3 * * *", paused=True))
    assert (
        await AdvancedCronJobValidator().handle(request(new, operation="UPDATE", old=old))
    ).allowed
    changed = default_advancedcronjob(advancedcronjob())
    changed["spec"]["template"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0][
        "image"
    ] = "x:2"
    response = await AdvancedCronJobValidator().handle(
        request(changed, operation="UPDATE", old=old)
    )
    assert response.code == 422
    assert [c["field"] for c in response.causes] == ["spec.template"]
