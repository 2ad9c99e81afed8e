"""The samples in config/samples go through our webhooks as the API server would send
them: defaulted by the mutating webhook, then allowed by the validating one."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from kruise.apis.apps.v1beta1.ordinals import ordinal_range
from kruise.controller.broadcastjob.pods import mock_pod
from kruise.runtime.envtest import NodeSpec
from kruise.runtime.webhook import jsonpatch
from kruise.runtime.webhook.admission import AdmissionRequest, AdmissionResponse
from kruise.util.nodefit import NodeUsage, unfit_reason
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


# ---- the Advanced StatefulSet that `make run` applies (v1beta1, reserveOrdinals) ----------

RUN_SAMPLE = SAMPLES / "apps_v1beta1_statefulset.yaml"
RUN_LOCAL = Path(__file__).resolve().parents[3] / "hack" / "run_local.py"


def run_sample() -> tuple[dict[str, Any], dict[str, Any]]:
    """The headless Service and the StatefulSet of the v1beta1 sample."""
    service, sts = yaml.safe_load_all(RUN_SAMPLE.read_text())
    return service, sts


def run_local() -> Any:
    spec = importlib.util.spec_from_file_location("run_local", RUN_LOCAL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reserve_ordinals_sample_is_a_headless_service_and_a_v1beta1_statefulset() -> None:
    service, sts = run_sample()
    assert (service["apiVersion"], service["kind"]) == ("v1", "Service")
    assert (sts["apiVersion"], sts["kind"]) == ("apps.kruise.io/v1beta1", "StatefulSet")
    assert "namespace" not in service["metadata"]
    assert "namespace" not in sts["metadata"]
    # The Service the pods' DNS names hang off: headless, named by serviceName, selecting them.
    assert service["spec"]["clusterIP"] == "None"
    assert service["metadata"]["name"] == sts["spec"]["serviceName"]
    pod_labels = sts["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert sts["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_reserve_ordinals_sample_runs_the_release_example() -> None:
    _, sts = run_sample()
    spec = sts["spec"]
    assert (spec["replicas"], spec["reserveOrdinals"]) == (4, [1])
    assert ordinal_range(spec).ordinals() == [0, 2, 3, 4]


async def test_reserve_ordinals_sample_passes_the_webhooks() -> None:
    _, sts = run_sample()
    defaulted, response = await admit(sts)
    assert response.allowed, (response.message, response.causes)
    assert defaulted["spec"]["reserveOrdinals"] == [1]
    assert defaulted["spec"]["podManagementPolicy"] == "OrderedReady"
    rolling = defaulted["spec"]["updateStrategy"]["rollingUpdate"]
    assert rolling["podUpdatePolicy"] == "InPlaceIfPossible"


def test_make_run_applies_both_samples_in_order() -> None:
    module = run_local()
    kinds = [(obj["kind"], obj["metadata"]["name"]) for obj in module.load_samples()]
    assert kinds == [("CloneSet", "sample"), ("Service", "web"), ("StatefulSet", "web")]
    assert [module.collection_of(obj) for obj in module.load_samples()] == [
        "/apis/apps.kruise.io/v1alpha1/namespaces/default/clonesets",
        "/api/v1/namespaces/default/services",
        "/apis/apps.kruise.io/v1beta1/namespaces/default/statefulsets",
    ]


def test_make_run_prints_the_reserve_ordinals_steps_and_their_pods() -> None:
    module = run_local()
    _, sts = run_sample()
    hints = module.statefulset_hints(sts)
    assert "web-0, web-2, web-3, web-4" in hints[0]
    patch = hints.index(
        '  kubectl patch asts web --type merge -p \'{"spec":{"reserveOrdinals":[1,3]}}\''
    )
    assert (
        hints[patch + 1]
        == "    -> web-5 is created, then web-3 is deleted: web-0, web-2, web-4, web-5"
    )
    scale = hints.index("  kubectl scale asts web --replicas=3")
    assert hints[scale + 1] == "    -> web-5 is deleted: web-0, web-2, web-4"


def test_the_sample_comments_name_the_pods_each_step_leaves() -> None:
    """The sample's own comments say what the two commands do; they must stay true."""
    text = RUN_SAMPLE.read_text()
    assert "web-0, web-2, web-3 and web-4" in text
    assert "web-0, web-2, web-4, web-5" in text
    assert (
        "kubectl scale asts web --replicas=3\n#     -> web-5 is deleted: web-0, web-2, web-4"
        in text
    )


# ---- the BroadcastJob and AdvancedCronJob samples `make run` prints ------------------------


def test_make_run_prints_the_job_samples_to_apply_by_hand() -> None:
    module = run_local()
    hints = module.job_hints(3)
    assert f"  kubectl apply -f {SAMPLES / FILES['BroadcastJob']}" in hints
    assert f"  kubectl apply -f {SAMPLES / FILES['AdvancedCronJob']}" in hints
    watch = hints.index("  kubectl get bcj broadcastjob-sample -w")
    assert hints[watch + 1].startswith("    -> DESIRED 3, then SUCCEEDED 3 and PHASE completed")
    assert "  kubectl get pods -l app=broadcastjob-sample -o wide" in hints
    assert "  kubectl get acj advancedcronjob-sample -w" in hints
    assert any(h.startswith("  kubectl get bcj -l app=advancedcronjob-sample") for h in hints)
    pause = (
        '  kubectl patch acj advancedcronjob-sample --type merge -p \'{"spec":{"paused":true}}\''
    )
    assert pause in hints
    # Not applied: only the CloneSet and the StatefulSet are.
    assert {o["kind"] for o in module.load_samples()} == {"CloneSet", "Service", "StatefulSet"}


def test_broadcastjob_sample_fits_every_node_make_run_starts() -> None:
    """The printed "DESIRED 3" holds: the sample's pod fits each kwok node of make run."""
    job = load("BroadcastJob")
    job["metadata"]["namespace"] = "default"
    for i in range(3):
        node = NodeSpec(f"kwok-node-{i}").manifest()
        assert unfit_reason(mock_pod(job, f"kwok-node-{i}"), node, NodeUsage.of([])) is None


async def test_advancedcronjob_sample_runs_every_minute_in_its_zone_with_a_broadcastjob() -> None:
    defaulted, response = await admit(load("AdvancedCronJob"))
    assert response.allowed, (response.message, response.causes)
    spec = defaulted["spec"]
    assert (spec["schedule"], spec["timeZone"]) == ("* * * * *", "Europe/Paris")
    assert spec["concurrencyPolicy"] == "Forbid"
    assert list(spec["template"]) == ["broadcastJobTemplate"]
    child = spec["template"]["broadcastJobTemplate"]
    assert child["metadata"]["labels"] == {"app": "advancedcronjob-sample"}
    assert child["spec"]["completionPolicy"]["ttlSecondsAfterFinished"] == 300
