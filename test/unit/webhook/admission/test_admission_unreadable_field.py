"""An object the webhook cannot read in its other version is a 422 whose cause names the
field (found by the webhook fuzz suite: a StatefulSet with ``kind: true`` was refused with
a cause whose field was empty, the path only in the message)."""

from __future__ import annotations

from typing import Any

import pytest
from support.admission import request, statefulset, wire

from kruise.apis.apps.conversion import CARRIED_FIELDS_ANNOTATION
from kruise.webhook import statefulset as sts_webhook

Obj = dict[str, Any]
CARRIER = f"metadata.annotations[{CARRIED_FIELDS_ANNOTATION}]"


def _bad_kind(obj: Obj) -> Obj:
    obj["kind"] = True
    return obj


def _bad_carrier(obj: Obj) -> Obj:
    obj["metadata"]["annotations"] = {CARRIED_FIELDS_ANNOTATION: "{"}
    return obj


CASES = [
    (sts_webhook.MUTATE_PATH, "v1beta1", _bad_kind(statefulset()), "kind"),
    (sts_webhook.VALIDATE_PATH, "v1beta1", _bad_kind(statefulset()), "kind"),
    (sts_webhook.VALIDATE_PATH, "v1alpha1", _bad_carrier(statefulset("v1alpha1")), CARRIER),
]


@pytest.mark.parametrize(("path", "version", "obj", "field"), CASES)
async def test_the_cause_names_the_field(path: str, version: str, obj: Obj, field: str) -> None:
    handlers = sts_webhook.handlers()
    req = request(obj, kind="StatefulSet", version=version)
    response = await wire(handlers[path], req)
    status = response["status"]
    assert (response["allowed"], status["code"]) == (False, 422), status
    [cause] = status["details"]["causes"]
    assert cause["field"] == field
    assert status["message"] == f"{field}: {cause['message']}"
