"""Valid, defaulted sample objects of each kind for the validation tests, and their
errors as text. Change one field of a sample with ``support.fields.with_field``."""

from __future__ import annotations

from typing import Any

from kruise.apis.apps.defaults import (
    default_advancedcronjob,
    default_broadcastjob,
    default_cloneset,
    default_statefulset,
)
from kruise.apis.apps.validation.field import FieldError
from support import workloads

NS = "default"
UID = "6c1f0a52-0000-4000-8000-000000000001"
IMAGE = "nginx:1.19"


def cloneset() -> dict[str, Any]:
    return default_cloneset(workloads.cloneset(replicas=5, image=IMAGE, namespace=NS, uid=UID))


def statefulset() -> dict[str, Any]:
    return default_statefulset(
        workloads.statefulset(replicas=3, image=IMAGE, namespace=NS, uid=UID)
    )


def broadcastjob() -> dict[str, Any]:
    return default_broadcastjob(workloads.broadcastjob(image=IMAGE, namespace=NS))


def advancedcronjob(template: str = "jobTemplate") -> dict[str, Any]:
    return default_advancedcronjob(
        workloads.advancedcronjob(
            template_kind=template, restart_policy="OnFailure", image=IMAGE, namespace=NS
        )
    )


def messages(errors: list[FieldError]) -> list[str]:
    return [str(e) for e in errors]
