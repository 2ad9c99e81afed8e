"""The CloneSet webhooks, called with AdmissionRequests."""

from __future__ import annotations

from typing import Any

import pytest
from support.admission import UID, cloneset, patched, request, wire

from kruise.apis.apps.defaults import default_cloneset
from kruise.webhook import cloneset as webhook
from kruise.webhook.cloneset import CloneSetDefaulter, CloneSetValidator


class Pods:
    """A fake pod reader: records what it was asked and answers from a dict."""

    def __init__(self, pods: dict[str, Any] | None = None, fail: Exception | None = None) -> None:
        self.pods = pods or {}
        self.fail = fail
        self.asked: list[tuple[str, str]] = []

    async def __call__(self, namespace: str, name: str) -> dict[str, Any] | None:
        self.asked.append((namespace, name))
        if self.fail is not None:
            raise self.fail
        return self.pods.get(name)


def owned_pod(uid: str | None = UID) -> dict[str, Any]:
    refs = [{"kind": "CloneSet", "name": "demo", "uid": uid, "controller": True}] if uid else []
    return {"metadata": {"name": "p", "ownerReferences": refs}}


def test_paths() -> None:
    assert webhook.MUTATE_PATH == "/mutate-apps-kruise-io-v1alpha1-cloneset"
    assert webhook.VALIDATE_PATH == "/validate-apps-kruise-io-v1alpha1-cloneset"
    handlers = webhook.handlers(Pods())
    assert isinstance(handlers[webhook.MUTATE_PATH], CloneSetDefaulter)
    assert isinstance(handlers[webhook.VALIDATE_PATH], CloneSetValidator)


async def test_mutating_patch_applies_the_defaults() -> None:
    req = request(cloneset())
    response = await CloneSetDefaulter().handle(req)
    assert patched(req, response) == default_cloneset(cloneset())


CLAIM = {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1.5"}}}}


def undefaulted_template_cloneset(**spec: Any) -> dict[str, Any]:
    """A CloneSet whose templates were stored without template defaults (OpenKruise with
    ``TemplateNoDefaults``, or an older release): the rest of its spec is defaulted."""
    stored = default_cloneset(
        cloneset(volumeClaimTemplates=[CLAIM]), inject_template_defaults=False
    )
    stored["spec"].update(spec)
    return stored


@pytest.mark.parametrize("version", ["v1alpha1", "v1beta1"])
async def test_an_update_that_keeps_the_template_does_not_default_it(version: str) -> None:
    """Issue 14 item 4 (v1.9.0's TemplateNoDefaults rule): a scale through kruise-py's
    webhook must not rewrite a template OpenKruise stored, which would make a new revision
    and recreate every pod."""
    old = undefaulted_template_cloneset()
    new = undefaulted_template_cloneset(replicas=5)
    if version == "v1beta1":
        old["apiVersion"] = new["apiVersion"] = "apps.kruise.io/v1beta1"
    req = request(new, operation="UPDATE", old=old, version=version)
    response = await CloneSetDefaulter().handle(req)
    assert response.allowed
    assert not response.patch


async def test_a_template_equal_as_go_decodes_it_counts_as_unchanged() -> None:
    old = undefaulted_template_cloneset()
    new = undefaulted_template_cloneset()
    new["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1000m"}}
    old["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1"}}
    old["spec"]["template"]["metadata"]["annotations"] = {}
    req = request(new, operation="UPDATE", old=old)
    assert not (await CloneSetDefaulter().handle(req)).patch


async def test_an_update_that_changes_the_template_defaults_it_and_the_claims() -> None:
    old = undefaulted_template_cloneset()
    new = undefaulted_template_cloneset()
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    req = request(new, operation="UPDATE", old=old)
    result = patched(req, await CloneSetDefaulter().handle(req))
    assert result == default_cloneset(new)
    assert result != new
    assert result["spec"]["volumeClaimTemplates"][0]["status"] == {"phase": "Pending"}


async def test_mutating_a_defaulted_object_patches_nothing() -> None:
    response = await CloneSetDefaulter().handle(request(default_cloneset(cloneset())))
    assert response.allowed
    assert not response.patch


async def test_mutating_passes_other_operations_and_subresources() -> None:
    assert (
        await CloneSetDefaulter().handle(request(None, operation="DELETE", old=cloneset()))
    ).allowed
    status = await CloneSetDefaulter().handle(request(cloneset(), sub_resource="status"))
    assert status.allowed
    assert status.patch is None


async def test_mutating_without_an_object_is_a_bad_request() -> None:
    response = await CloneSetDefaulter().handle(request(None, kind="CloneSet"))
    assert (response.allowed, response.code, response.reason) == (False, 400, "BadRequest")


async def test_valid_cloneset_is_allowed() -> None:
    response = await CloneSetValidator(Pods()).handle(request(default_cloneset(cloneset())))
    assert response.allowed


async def test_namespace_comes_from_the_request_when_the_object_has_none() -> None:
    obj = default_cloneset(cloneset())
    del obj["metadata"]["namespace"]
    assert (await CloneSetValidator(Pods()).handle(request(obj, namespace="team"))).allowed


async def test_invalid_cloneset_is_422_with_causes() -> None:
    obj = default_cloneset(cloneset(updateStrategy={"partition": "120%", "maxSurge": "5"}))
    response = await CloneSetValidator(Pods()).handle(request(obj))
    assert (response.allowed, response.code, response.reason) == (False, 422, "Invalid")
    assert response.message == (
        '[spec.updateStrategy.partition: Invalid value: "120%": must be between 0% and 100%, '
        'spec.updateStrategy.maxSurge: Invalid value: "5": a string must be a percentage such as '
        '"5%"; write a count as the number 5, without quotes]'
    )
    assert response.causes == (
        {
            "field": "spec.updateStrategy.partition",
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: "120%": must be between 0% and 100%',
        },
        {
            "field": "spec.updateStrategy.maxSurge",
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: "5": a string must be a percentage such as "5%"; '
            "write a count as the number 5, without quotes",
        },
    )


async def test_on_the_wire_a_denial_is_http_200_with_code_422() -> None:
    obj = default_cloneset(cloneset(replicas=-1))
    answer = await wire(CloneSetValidator(Pods()), request(obj))
    assert answer["allowed"] is False
    assert answer["status"]["code"] == 422
    assert answer["status"]["reason"] == "Invalid"
    assert answer["status"]["details"]["causes"][0]["field"] == "spec.replicas"


def _update(old_names: list[str], new_names: list[str]) -> Any:
    old = default_cloneset(cloneset(scaleStrategy={"podsToDelete": old_names}))
    new = default_cloneset(cloneset(scaleStrategy={"podsToDelete": new_names}))
    return request(new, operation="UPDATE", old=old)


async def test_only_newly_listed_pods_are_read() -> None:
    pods = Pods({"p2": owned_pod(), "p3": owned_pod()})
    response = await CloneSetValidator(pods).handle(_update(["p1"], ["p1", "p3", "p2"]))
    assert response.allowed, response.message
    assert sorted(pods.asked) == [("default", "p2"), ("default", "p3")]


@pytest.mark.parametrize(
    ("pods", "detail"),
    [
        (Pods({}), "pod p2 does not exist"),
        (Pods({"p2": owned_pod(uid=None)}), "pod p2 is not controlled by this CloneSet"),
        (Pods({"p2": owned_pod(uid="someone-else")}), "pod p2 is not controlled by this CloneSet"),
        (
            Pods(fail=RuntimeError("apiserver unavailable")),
            "pod p2 could not be read: apiserver unavailable",
        ),
    ],
)
async def test_pods_to_delete_that_are_not_ours_are_refused(pods: Pods, detail: str) -> None:
    response = await CloneSetValidator(pods).handle(_update([], ["p2"]))
    assert (response.allowed, response.code) == (False, 422)
    assert response.message == f'spec.scaleStrategy.podsToDelete: Invalid value: "p2": {detail}'


async def test_pods_to_delete_on_create_is_refused_without_reading() -> None:
    pods = Pods({"p2": owned_pod()})
    obj = default_cloneset(cloneset(scaleStrategy={"podsToDelete": ["p2"]}))
    response = await CloneSetValidator(pods).handle(request(obj))
    assert response.code == 422
    assert pods.asked == []


async def test_update_without_old_object_is_a_bad_request() -> None:
    req = request(default_cloneset(cloneset()), operation="UPDATE")
    response = await CloneSetValidator(Pods()).handle(req)
    assert (response.allowed, response.code) == (False, 400)


async def test_immutable_selector_on_update() -> None:
    old = default_cloneset(cloneset())
    new = default_cloneset(
        cloneset(selector={"matchExpressions": [{"key": "app", "operator": "Exists"}]})
    )
    response = await CloneSetValidator(Pods()).handle(request(new, operation="UPDATE", old=old))
    assert response.code == 422
    assert response.causes[0]["field"] == "spec.selector"


async def test_a_validator_fault_is_a_400_not_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setattr("kruise.webhook.cloneset.validating.validate_cloneset", broken)
    answer = await wire(CloneSetValidator(Pods()), request(default_cloneset(cloneset())))
    assert answer["allowed"] is False
    assert answer["status"]["code"] == 400
    assert answer["status"]["message"] == "cannot validate CloneSet: 'boom'"
