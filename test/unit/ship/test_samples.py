"""The samples in config/samples go through our webhooks as the API server would send
them: defaulted by the mutating webhook, then allowed by the validating one."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from kruise.runtime.webhook import jsonpatch
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse
from kruise.webhook import advancedcronjob, broadcastjob, statefulset

SAMPLES = Path(__file__).resolve().parents[3] / "config" / "samples"
WEBHOOKS = {
    "StatefulSet": (statefulset, "statefulsets"),
    "BroadcastJob": (broadcastjob, "broadcastjobs"),
    "AdvancedCronJob": (advancedcronjob, "advancedcronjobs"),
}
FILES = {
    "StatefulSet": "apps_v1alpha1_statefulset.yaml",
    "BroadcastJob": "apps_v1alpha1_broadcastjob.yaml",
    "AdvancedCronJob": "apps_v1alpha1_advancedcronjob.yaml",
}


def load(kind: str) -> dict[str, Any]:
    docs = list(yaml.safe_load_all((SAMPLES / FILES[kind]).read_text()))
    assert len(docs) == 1, "one object per sample"
    obj: dict[str, Any] = docs[0]
    return obj


def request(obj: dict[str, Any], namespace: str = "default") -> AdmissionRequest:
    group, version = obj["apiVersion"].split("/")
    return AdmissionRequest(
        uid="sample",
        kind={"group": group, "version": version, "kind": obj["kind"]},
        resource={"group": group, "version": version, "resource": WEBHOOKS[obj["kind"]][1]},
        sub_resource="",
        name=obj["metadata"]["name"],
        namespace=namespace,
        operation="CREATE",
        user_info={"username": "sample"},
        object=copy.deepcopy(obj),
        old_object=None,
        dry_run=False,
        api_version="admission.k8s.io/v1",
    )


async def admit(obj: dict[str, Any]) -> tuple[dict[str, Any], AdmissionResponse]:
    """The object after the mutating webhook, and the validating webhook's answer."""
    module = WEBHOOKS[obj["kind"]][0]
    handlers = module.handlers()
    mutate = await handlers[module.MUTATE_PATH].handle(request(obj))
    assert mutate.allowed, mutate.message
    defaulted: dict[str, Any] = jsonpatch.apply(copy.deepcopy(obj), mutate.patch or [])
    return defaulted, await handlers[module.VALIDATE_PATH].handle(request(defaulted))


def test_only_the_three_samples_of_this_change_are_named() -> None:
    for name in FILES.values():
        assert (SAMPLES / name).is_file(), name


@pytest.mark.parametrize("kind", sorted(FILES))
def test_sample_is_an_apps_kruise_io_v1alpha1_object_without_namespace(kind: str) -> None:
    obj = load(kind)
    assert obj["apiVersion"] == "apps.kruise.io/v1alpha1"
    assert obj["kind"] == kind
    # Applied into whatever namespace the user picks.
    assert "namespace" not in obj["metadata"]


@pytest.mark.parametrize("kind", sorted(FILES))
async def test_sample_passes_the_webhooks(kind: str) -> None:
    defaulted, response = await admit(load(kind))
    assert response.allowed, (response.message, response.causes)
    assert defaulted["spec"] != load(kind)["spec"], "the mutating webhook changed nothing"


async def test_broken_samples_are_refused_so_the_check_is_real() -> None:
    sts = load("StatefulSet")
    del sts["spec"]["template"]["spec"]["readinessGates"]
    _, response = await admit(sts)
    assert not response.allowed
    assert [c["field"] for c in response.causes] == ["spec.template.spec.readinessGates"]

    job = load("BroadcastJob")
    job["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    _, response = await admit(job)
    assert not response.allowed

    cron = load("AdvancedCronJob")
    cron["spec"]["schedule"] = "61 * * * *"
    _, response = await admit(cron)
    assert not response.allowed
    assert [c["field"] for c in response.causes] == ["spec.schedule"]


async def test_statefulset_sample_updates_in_place() -> None:
    defaulted, _ = await admit(load("StatefulSet"))
    rolling = defaulted["spec"]["updateStrategy"]["rollingUpdate"]
    assert rolling["podUpdatePolicy"] == "InPlaceIfPossible"
    assert defaulted["spec"]["podManagementPolicy"] == "Parallel"
    assert rolling["maxUnavailable"] == 2
