"""CloneSet, BroadcastJob and AdvancedCronJob through the real API server in both served
versions: stored as v1alpha1, read and written as v1beta1 through the manager's conversion
webhook, nothing lost either way, and v1beta1 admission errors at v1beta1 field paths."""

from __future__ import annotations

import base64
import copy
import json
import urllib.request
from typing import Any

import pytest
from support.polling import eventually_blocking
from support.workloads import (
    advancedcronjob,
    broadcastjob,
    cloneset,
    collection,
    create,
    read_modify_write,
)

from kruise.runtime.envtest import ControlPlane
from kruise.runtime.envtest.install import CRD_COLLECTION
from kruise.runtime.envtest.rest import RestError

Obj = dict[str, Any]
V1ALPHA1 = "apps.kruise.io/v1alpha1"
V1BETA1 = "apps.kruise.io/v1beta1"
CARRIER = "apps.kruise.io/v1beta1-fields"
EXCLUDE = "apps.kruise.io/cloneset-scaling-exclude-preparing-delete"
CRDS = ("clonesets", "statefulsets", "broadcastjobs", "advancedcronjobs")


def _conversion_ready(plane: ControlPlane) -> bool:
    for plural in CRDS:
        crd = plane.rest.get(f"{CRD_COLLECTION}/{plural}.apps.kruise.io")
        config = crd["spec"]["conversion"]["webhook"]["clientConfig"]
        if not (config.get("caBundle") and config.get("url", "").endswith("/convert")):
            return False
    return True


@pytest.fixture(scope="module")
def plane(kruise_plane: ControlPlane) -> ControlPlane:
    """The manager's control plane once its CA is in every CRD's conversion webhook."""
    eventually_blocking(
        lambda: _conversion_ready(kruise_plane),
        timeout=60,
        interval=0.2,
        what="the CA in the conversion webhook of every apps.kruise.io CRD",
    )
    return kruise_plane


def _stored(plane: ControlPlane, plural: str, namespace: str, name: str) -> Obj:
    """The object as etcd holds it."""
    key = f"/registry/apps.kruise.io/{plural}/{namespace}/{name}"
    body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{plane.etcd_port}/v3/kv/range", data=body, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        kvs = json.load(response)["kvs"]
    stored: Obj = json.loads(base64.b64decode(kvs[0]["value"]))
    return stored


def _path(obj: Obj, namespace: str, version: str) -> str:
    return f"{collection(obj, namespace, version)}/{obj['metadata']['name']}"


def _as_v1beta1(obj: Obj) -> Obj:
    return {**copy.deepcopy(obj), "apiVersion": V1BETA1}


def test_every_crd_converts_through_the_manager(plane: ControlPlane) -> None:
    for plural in CRDS:
        crd = plane.rest.get(f"{CRD_COLLECTION}/{plural}.apps.kruise.io")
        assert crd["spec"]["conversion"]["strategy"] == "Webhook"
        stored = [v["name"] for v in crd["spec"]["versions"] if v["storage"]]
        assert stored == (["v1beta1"] if plural == "statefulsets" else ["v1alpha1"])


def test_a_v1alpha1_cloneset_reads_as_v1beta1_and_back_unchanged(
    plane: ControlPlane, kruise_namespace: str
) -> None:
    sent = cloneset(
        "alpha",
        2,
        updateStrategy={"type": "InPlaceIfPossible", "partition": 1, "maxSurge": "50%"},
        scaleStrategy={"podsToDelete": []},
    )
    created = create(plane.rest, kruise_namespace, sent)
    as_beta = plane.rest.get(_path(sent, kruise_namespace, "v1beta1"))
    assert as_beta["apiVersion"] == V1BETA1
    assert as_beta["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {
            "podUpdatePolicy": "InPlaceIfPossible",
            "partition": 1,
            "maxSurge": "50%",
            "maxUnavailable": "20%",
            "inPlaceUpdateStrategy": {},
        },
    }
    assert as_beta["spec"]["scaleStrategy"]["enablePVCReuse"] is True
    assert CARRIER not in (as_beta["metadata"].get("annotations") or {})

    stored = _stored(plane, "clonesets", kruise_namespace, "alpha")
    assert stored["apiVersion"] == V1ALPHA1
    assert stored["spec"]["updateStrategy"] == created["spec"]["updateStrategy"]

    # A v1beta1 client writing back what it read changes nothing v1alpha1 sees.
    written = read_modify_write(
        plane.rest, _path(sent, kruise_namespace, "v1beta1"), lambda obj: None, as_beta
    )
    assert written["metadata"]["generation"] == created["metadata"]["generation"]
    as_alpha = plane.rest.get(_path(sent, kruise_namespace, "v1alpha1"))
    assert as_alpha["spec"] == created["spec"]


def test_v1beta1_only_values_survive_a_write_through_v1alpha1(
    plane: ControlPlane, kruise_namespace: str
) -> None:
    sent = _as_v1beta1(
        cloneset(
            "beta",
            3,
            updateStrategy={
                "type": "OnDelete",
                "rollingUpdate": {
                    "podUpdatePolicy": "InPlaceOnly",
                    "partition": 1,
                    "inPlaceUpdateStrategy": {"imagePreDownloadParallelism": 2},
                },
            },
            scaleStrategy={"excludePreparingDelete": True, "maxUnavailable": 1},
            progressDeadlineSeconds=600,
        )
    )
    created = create(plane.rest, kruise_namespace, sent)
    assert created["apiVersion"] == V1BETA1
    assert created["spec"]["updateStrategy"] == sent["spec"]["updateStrategy"]
    assert created["spec"]["scaleStrategy"] == sent["spec"]["scaleStrategy"]

    alpha_path = _path(sent, kruise_namespace, "v1alpha1")
    as_alpha = plane.rest.get(alpha_path)
    assert as_alpha["spec"]["updateStrategy"] == {
        "type": "OnDelete",
        "partition": 1,
        "inPlaceUpdateStrategy": {},  # its image pre-download field is carried
    }
    assert as_alpha["spec"]["scaleStrategy"] == {"maxUnavailable": 1, "disablePVCReuse": True}
    assert as_alpha["metadata"]["labels"][EXCLUDE] == "true"
    assert CARRIER in as_alpha["metadata"]["annotations"]
    stored = _stored(plane, "clonesets", kruise_namespace, "beta")
    assert stored["apiVersion"] == V1ALPHA1
    assert stored["spec"]["updateStrategy"] == as_alpha["spec"]["updateStrategy"]

    # A v1alpha1 client scales and repartitions, then writes the whole object back.
    def scale_and_repartition(obj: Obj) -> None:
        obj["spec"]["replicas"] = 5
        obj["spec"]["updateStrategy"]["partition"] = 2

    read_modify_write(plane.rest, alpha_path, scale_and_repartition, as_alpha)

    as_beta = plane.rest.get(_path(sent, kruise_namespace, "v1beta1"))
    expected = copy.deepcopy(created["spec"])
    expected["replicas"] = 5
    expected["updateStrategy"]["rollingUpdate"]["partition"] = 2
    # The v1alpha1 write was defaulted as v1alpha1 is: every type gets these.
    expected["updateStrategy"]["rollingUpdate"].update(maxUnavailable="20%", maxSurge=0)
    assert as_beta["spec"] == expected
    assert as_beta["metadata"].get("labels") == created["metadata"].get("labels")
    assert CARRIER not in (as_beta["metadata"].get("annotations") or {})


def test_a_bad_v1beta1_cloneset_is_refused_at_its_v1beta1_path(
    plane: ControlPlane, kruise_namespace: str
) -> None:
    sent = _as_v1beta1(cloneset("bad", updateStrategy={"rollingUpdate": {"partition": "120%"}}))
    with pytest.raises(RestError) as err:
        create(plane.rest, kruise_namespace, sent)
    assert err.value.status == 422, str(err.value)
    assert (
        'spec.updateStrategy.rollingUpdate.partition: Invalid value: "120%": '
        "must be between 0% and 100%"
    ) in str(err.value)


def test_a_v1alpha1_write_with_an_unreadable_carrier_is_refused(
    plane: ControlPlane, kruise_namespace: str
) -> None:
    sent = cloneset("carrier")
    sent["metadata"]["annotations"] = {CARRIER: "{not json"}
    with pytest.raises(RestError) as err:
        create(plane.rest, kruise_namespace, sent)
    assert err.value.status == 422, str(err.value)
    assert f"metadata.annotations[{CARRIER}]: Invalid value" in str(err.value)


@pytest.mark.parametrize(
    ("build", "plural"),
    [(broadcastjob, "broadcastjobs"), (advancedcronjob, "advancedcronjobs")],
    ids=["broadcastjob", "advancedcronjob"],
)
def test_jobs_read_alike_in_both_versions_and_are_stored_as_v1alpha1(
    plane: ControlPlane, kruise_namespace: str, build: Any, plural: str
) -> None:
    alpha = create(plane.rest, kruise_namespace, build("from-alpha"))
    as_beta = plane.rest.get(_path(alpha, kruise_namespace, "v1beta1"))
    assert as_beta["apiVersion"] == V1BETA1
    assert as_beta["spec"] == alpha["spec"]

    beta = create(plane.rest, kruise_namespace, _as_v1beta1(build("from-beta")))
    assert beta["apiVersion"] == V1BETA1
    as_alpha = plane.rest.get(_path(beta, kruise_namespace, "v1alpha1"))
    assert as_alpha["spec"] == beta["spec"]
    assert _stored(plane, plural, kruise_namespace, "from-beta")["apiVersion"] == V1ALPHA1

    listed = plane.rest.get(collection(alpha, kruise_namespace, "v1beta1"))
    assert sorted(item["metadata"]["name"] for item in listed["items"]) == [
        "from-alpha",
        "from-beta",
    ]
    assert {item["apiVersion"] for item in listed["items"]} == {V1BETA1}
