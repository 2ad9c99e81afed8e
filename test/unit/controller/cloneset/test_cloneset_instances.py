"""Instance ids, and the pods and claims a CloneSet creates."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from support.cloneset_fakes import (
    INSTANCE_ID,
    NEW,
    NOW,
    REVISION,
    STATE,
    TIMESTAMP,
    make_cloneset,
    make_pod,
)

from kruise.controller.cloneset.instances import (
    ID_ALPHABET,
    ID_LENGTH,
    allocate_ids,
    claim_name,
    instance_id,
    new_claims,
    new_pod,
    pod_name,
    random_id,
)
from kruise.util.pods import format_time

Obj = dict[str, Any]
OWNER_REF = {
    "apiVersion": "apps.kruise.io/v1alpha1",
    "kind": "CloneSet",
    "name": "sample",
    "uid": "7a1c9f2e-0000-4000-8000-000000000001",
    "controller": True,
    "blockOwnerDeletion": True,
}


def ids_from(values: Iterable[str]) -> Callable[[], str]:
    """A deterministic ``new_id`` that fails the test when asked for more than given."""
    it = iter(values)

    def new_id() -> str:
        try:
            return next(it)
        except StopIteration:
            raise AssertionError("asked for more random ids than expected") from None

    return new_id


def no_random() -> str:
    raise AssertionError("no random id should be needed")


def pod_with_id(id_: str, **kwargs: Any) -> Obj:
    return make_pod(f"sample-{id_}", instance_id=id_, **kwargs)


def claim_with_id(id_: str, template: str = "data") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": f"{template}-sample-{id_}",
            "namespace": "default",
            "labels": {"app": "sample", INSTANCE_ID: id_},
        },
    }


# --- ids and names ---------------------------------------------------------------------------


def test_instance_id_label() -> None:
    assert instance_id(pod_with_id("x2b4c")) == "x2b4c"
    assert instance_id(make_pod()) == ""
    assert instance_id({}) == ""


def test_names() -> None:
    assert pod_name("sample", "x2b4c") == "sample-x2b4c"
    assert claim_name("data", "sample", "x2b4c") == "data-sample-x2b4c"


def test_random_id_uses_the_safe_alphabet() -> None:
    assert ID_ALPHABET == "bcdfghjklmnpqrstvwxz2456789"
    rng = random.Random(7)
    seen = {random_id(rng) for _ in range(500)}
    assert len(seen) > 490
    for id_ in seen:
        assert len(id_) == ID_LENGTH == 5
        assert set(id_) <= set(ID_ALPHABET)
        assert not set(id_) & set("aeiou013")


def test_random_id_is_deterministic_with_a_seeded_rng() -> None:
    assert random_id(random.Random(42)) == random_id(random.Random(42))


# --- allocate_ids ----------------------------------------------------------------------------


def test_allocate_fresh_ids() -> None:
    assert allocate_ids(2, [], [], new_id=ids_from(["bbbbb", "ccccc"])) == ["bbbbb", "ccccc"]


def test_allocate_nothing() -> None:
    assert allocate_ids(0, [pod_with_id("bbbbb")], [claim_with_id("ccccc")], new_id=no_random) == []


def test_allocate_reuses_free_claim_ids_first() -> None:
    claims = [claim_with_id("zzzzz"), claim_with_id("ddddd"), claim_with_id("ddddd", "logs")]
    ids = allocate_ids(3, [], claims, new_id=ids_from(["fffff"]))
    assert ids == ["ddddd", "zzzzz", "fffff"]


def test_allocate_fewer_than_free_claims_needs_no_random_id() -> None:
    claims = [claim_with_id("zzzzz"), claim_with_id("ddddd")]
    assert allocate_ids(1, [], claims, new_id=no_random) == ["ddddd"]


def test_allocate_skips_claims_of_active_pods() -> None:
    pods = [pod_with_id("ddddd")]
    claims = [claim_with_id("ddddd"), claim_with_id("ggggg")]
    assert allocate_ids(1, pods, claims, new_id=no_random) == ["ggggg"]


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"phase": "Failed", "ready": False}, id="failed"),
        pytest.param({"phase": "Succeeded", "ready": False}, id="succeeded"),
    ],
)
def test_allocate_never_reuses_the_id_of_an_existing_dead_pod(kwargs: Obj) -> None:
    # OpenKruise #1099: the claim is free, but pod sample-ddddd still exists.
    pods = [pod_with_id("ddddd", **kwargs)]
    ids = allocate_ids(1, pods, [claim_with_id("ddddd")], new_id=ids_from(["ddddd", "hhhhh"]))
    assert ids == ["hhhhh"]


def test_allocate_claim_of_a_terminating_pod_holds_its_place() -> None:
    # The claim is kept for the pod that replaces the terminating one, once it is gone.
    pods = [pod_with_id("ddddd", deleting=True)]
    claims = [claim_with_id("ddddd"), claim_with_id("ddddd", "logs")]
    assert allocate_ids(1, pods, claims, new_id=no_random) == []
    assert allocate_ids(2, pods, claims, new_id=ids_from(["ddddd", "hhhhh"])) == ["hhhhh"]


def test_allocate_once_the_terminating_pod_is_gone_its_claim_is_reused() -> None:
    assert allocate_ids(1, [], [claim_with_id("ddddd")], new_id=no_random) == ["ddddd"]


def test_allocate_terminating_pod_without_claims_holds_nothing() -> None:
    pods = [pod_with_id("ddddd", deleting=True)]
    assert allocate_ids(1, pods, [], new_id=ids_from(["ddddd", "hhhhh"])) == ["hhhhh"]


def test_allocate_terminating_pods_hold_only_their_own_claims() -> None:
    pods = [pod_with_id("ddddd", deleting=True), pod_with_id("fffff")]
    claims = [claim_with_id("ddddd"), claim_with_id("ggggg")]
    assert allocate_ids(3, pods, claims, new_id=ids_from(["fffff", "hhhhh"])) == [
        "ggggg",
        "hhhhh",
    ]


def test_allocate_random_ids_avoid_pod_claim_and_chosen_ids() -> None:
    pods = [pod_with_id("ppppp")]
    claims = [claim_with_id("ppppp"), claim_with_id("ccccc")]
    candidates = ["ppppp", "ccccc", "xxxxx", "xxxxx", "yyyyy"]
    ids = allocate_ids(3, pods, claims, new_id=ids_from(candidates))
    assert ids == ["ccccc", "xxxxx", "yyyyy"]


def test_allocate_random_ids_avoid_claims_in_use() -> None:
    # A claim id that belongs to a running pod is neither reused nor drawn again.
    pods = [pod_with_id("kkkkk")]
    claims = [claim_with_id("kkkkk")]
    ids = allocate_ids(1, pods, claims, new_id=ids_from(["kkkkk", "mmmmm"]))
    assert ids == ["mmmmm"]


def test_allocate_ignores_objects_without_id() -> None:
    unlabelled_claim = {"metadata": {"name": "data-sample-old", "labels": {"app": "sample"}}}
    ids = allocate_ids(1, [make_pod()], [unlabelled_claim], new_id=ids_from(["nnnnn"]))
    assert ids == ["nnnnn"]


def test_allocate_accepts_iterators() -> None:
    pods = iter([pod_with_id("bbbbb")])
    claims = iter([claim_with_id("bbbbb"), claim_with_id("ccccc")])
    assert allocate_ids(2, pods, claims, new_id=ids_from(["bbbbb", "ddddd"])) == [
        "ccccc",
        "ddddd",
    ]


def test_allocate_with_the_default_random_ids() -> None:
    pods = [pod_with_id("bbbbb")]
    ids = allocate_ids(20, pods, [claim_with_id("ccccc")])
    assert ids[0] == "ccccc"
    assert len(set(ids)) == 20
    assert "bbbbb" not in ids
    for id_ in ids:
        assert len(id_) == 5
        assert set(id_) <= set(ID_ALPHABET)


# --- new_pod ---------------------------------------------------------------------------------


def cloneset_with_template(**template_extra: Any) -> Obj:
    cs = make_cloneset()
    template = cs["spec"]["template"]
    template["metadata"] = {
        "labels": {"app": "sample", "tier": "web"},
        "annotations": {"note": "hello"},
        "finalizers": ["example.com/keep"],
    }
    template["spec"].update(template_extra)
    return cs


def test_new_pod_identity() -> None:
    pod = new_pod(cloneset_with_template(), NEW, "x2b4c", NOW)
    assert pod["apiVersion"] == "v1"
    assert pod["kind"] == "Pod"
    meta = pod["metadata"]
    assert meta["name"] == "sample-x2b4c"
    assert meta["generateName"] == "sample-"
    assert meta["namespace"] == "default"


def test_new_pod_labels() -> None:
    pod = new_pod(cloneset_with_template(), NEW, "x2b4c", NOW)
    assert pod["metadata"]["labels"] == {
        "app": "sample",
        "tier": "web",
        REVISION: NEW,
        INSTANCE_ID: "x2b4c",
        STATE: "PreparingNormal",
    }


def test_new_pod_controller_labels_win_over_template_labels() -> None:
    cs = cloneset_with_template()
    cs["spec"]["template"]["metadata"]["labels"].update(
        {REVISION: "stale", INSTANCE_ID: "stale", STATE: "Updated"}
    )
    labels = new_pod(cs, NEW, "x2b4c", NOW)["metadata"]["labels"]
    assert labels[REVISION] == NEW
    assert labels[INSTANCE_ID] == "x2b4c"
    assert labels[STATE] == "PreparingNormal"


def test_new_pod_annotations_and_finalizers() -> None:
    pod = new_pod(cloneset_with_template(), NEW, "x2b4c", NOW)
    assert pod["metadata"]["annotations"] == {"note": "hello", TIMESTAMP: format_time(NOW)}
    assert format_time(NOW) == "2023-11-14T22:13:20Z"
    assert pod["metadata"]["finalizers"] == ["example.com/keep"]


def test_new_pod_without_template_metadata() -> None:
    cs = make_cloneset()
    cs["spec"]["template"].pop("metadata")
    pod = new_pod(cs, NEW, "x2b4c", NOW)
    assert pod["metadata"]["labels"] == {
        REVISION: NEW,
        INSTANCE_ID: "x2b4c",
        STATE: "PreparingNormal",
    }
    assert pod["metadata"]["annotations"] == {TIMESTAMP: format_time(NOW)}
    assert "finalizers" not in pod["metadata"]


def test_new_pod_owner_reference() -> None:
    pod = new_pod(cloneset_with_template(), NEW, "x2b4c", NOW)
    assert pod["metadata"]["ownerReferences"] == [OWNER_REF]


def test_new_pod_owner_reference_names_the_kind_even_without_type_meta() -> None:
    cs = cloneset_with_template()
    del cs["apiVersion"], cs["kind"]
    pod = new_pod(cs, NEW, "x2b4c", NOW)
    assert pod["metadata"]["ownerReferences"] == [OWNER_REF]


def test_new_pod_spec_from_template() -> None:
    pod = new_pod(cloneset_with_template(nodeSelector={"disk": "ssd"}), NEW, "x2b4c", NOW)
    assert pod["spec"]["containers"] == [{"name": "app", "image": "nginx:1.25"}]
    assert pod["spec"]["nodeSelector"] == {"disk": "ssd"}


def test_new_pod_gets_the_in_place_update_readiness_gate() -> None:
    pod = new_pod(cloneset_with_template(), NEW, "x2b4c", NOW)
    assert pod["spec"]["readinessGates"] == [{"conditionType": "InPlaceUpdateReady"}]


def test_new_pod_keeps_template_gates_and_adds_ours_once() -> None:
    gates = [{"conditionType": "example.com/warm"}]
    pod = new_pod(cloneset_with_template(readinessGates=gates), NEW, "x2b4c", NOW)
    assert pod["spec"]["readinessGates"] == [
        {"conditionType": "example.com/warm"},
        {"conditionType": "InPlaceUpdateReady"},
    ]
    gates = [{"conditionType": "InPlaceUpdateReady"}, {"conditionType": "example.com/warm"}]
    pod = new_pod(cloneset_with_template(readinessGates=gates), NEW, "x2b4c", NOW)
    assert pod["spec"]["readinessGates"] == gates


def test_new_pod_mounts_a_claim_per_template_replacing_same_named_volumes() -> None:
    volumes = [
        {"name": "data", "emptyDir": {}},
        {"name": "config", "configMap": {"name": "sample-config"}},
    ]
    cs = cloneset_with_template(volumes=volumes)
    cs["spec"]["volumeClaimTemplates"] = [
        {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}},
        {"metadata": {"name": "logs"}, "spec": {"accessModes": ["ReadWriteOnce"]}},
    ]
    pod = new_pod(cs, NEW, "x2b4c", NOW)
    by_name = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert len(pod["spec"]["volumes"]) == 3
    assert by_name["config"] == {"name": "config", "configMap": {"name": "sample-config"}}
    assert by_name["data"] == {
        "name": "data",
        "persistentVolumeClaim": {"claimName": "data-sample-x2b4c"},
    }
    assert by_name["logs"] == {
        "name": "logs",
        "persistentVolumeClaim": {"claimName": "logs-sample-x2b4c"},
    }


def test_new_pod_without_claim_templates_keeps_volumes() -> None:
    pod = new_pod(cloneset_with_template(), NEW, "x2b4c", NOW)
    assert "volumes" not in pod["spec"]
    volumes = [{"name": "data", "emptyDir": {}}]
    pod = new_pod(cloneset_with_template(volumes=volumes), NEW, "x2b4c", NOW)
    assert pod["spec"]["volumes"] == volumes


def test_new_pod_leaves_the_cloneset_alone_and_shares_nothing() -> None:
    cs = cloneset_with_template(volumes=[{"name": "data", "emptyDir": {}}])
    cs["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {}}]
    before = copy.deepcopy(cs)
    first = new_pod(cs, NEW, "x2b4c", NOW)
    second = new_pod(cs, NEW, "x2b4d", NOW)
    assert cs == before
    first["spec"]["containers"][0]["image"] = "changed"
    first["metadata"]["labels"]["tier"] = "changed"
    first["metadata"]["finalizers"].append("changed")
    assert second["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert second["metadata"]["labels"]["tier"] == "web"
    assert second["metadata"]["finalizers"] == ["example.com/keep"]
    assert cs == before


# --- new_claims ------------------------------------------------------------------------------


def cloneset_with_claims() -> Obj:
    cs = make_cloneset()
    cs["spec"]["selector"] = {"matchLabels": {"app": "sample", "team": "a"}}
    cs["spec"]["volumeClaimTemplates"] = [
        {
            "metadata": {
                "name": "data",
                "labels": {"disk": "ssd", "team": "template"},
                "annotations": {"backup": "daily"},
            },
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
            "status": {"phase": "Pending"},
        },
        {"metadata": {"name": "logs"}, "spec": {"accessModes": ["ReadWriteOnce"]}},
    ]
    return cs


def test_new_claims_one_per_template() -> None:
    claims = new_claims(cloneset_with_claims(), "x2b4c")
    assert [c["metadata"]["name"] for c in claims] == ["data-sample-x2b4c", "logs-sample-x2b4c"]
    for claim in claims:
        assert claim["apiVersion"] == "v1"
        assert claim["kind"] == "PersistentVolumeClaim"
        assert claim["metadata"]["namespace"] == "default"
        assert claim["metadata"]["ownerReferences"] == [OWNER_REF]
        assert "status" not in claim


def test_new_claims_labels() -> None:
    data, logs = new_claims(cloneset_with_claims(), "x2b4c")
    # Selector labels win over the template's; the instance id over both.
    assert data["metadata"]["labels"] == {
        "disk": "ssd",
        "team": "a",
        "app": "sample",
        INSTANCE_ID: "x2b4c",
    }
    assert logs["metadata"]["labels"] == {"app": "sample", "team": "a", INSTANCE_ID: "x2b4c"}


def test_new_claims_copy_spec_and_annotations() -> None:
    data, _ = new_claims(cloneset_with_claims(), "x2b4c")
    assert data["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}},
    }
    assert data["metadata"]["annotations"] == {"backup": "daily"}


def test_new_claims_none_without_templates() -> None:
    assert new_claims(make_cloneset(), "x2b4c") == []


def test_new_claims_leave_the_cloneset_alone() -> None:
    cs = cloneset_with_claims()
    before = copy.deepcopy(cs)
    claims = new_claims(cs, "x2b4c")
    claims[0]["spec"]["accessModes"].append("ReadOnlyMany")
    claims[0]["metadata"]["labels"]["disk"] = "hdd"
    assert cs == before


def test_new_claims_match_the_pods_volumes() -> None:
    cs = cloneset_with_claims()
    pod = new_pod(cs, NEW, "x2b4c", NOW)
    mounted = {v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"]}
    assert mounted == {c["metadata"]["name"] for c in new_claims(cs, "x2b4c")}
    # ... and each claim carries the pod's instance id, so it is found again for reuse.
    for claim in new_claims(cs, "x2b4c"):
        assert instance_id(claim) == instance_id(pod) == "x2b4c"
