"""Pure pieces of the StatefulSet controller: ordinals, names, identity and storage, which
revision a new pod gets, and the split into replicas and condemned pods."""

from __future__ import annotations

from typing import Any

import pytest

from kruise.apis.apps.v1beta1.ordinals import ordinal_range
from kruise.controller.statefulset import identity
from kruise.controller.statefulset.control import first_unhealthy, split

Obj = dict[str, Any]


def _set(**spec: Any) -> Obj:
    body: Obj = {
        "replicas": 3,
        "serviceName": "svc",
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "main", "image": "nginx"}]},
        },
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
    }
    body.update(spec)
    return {
        "apiVersion": "apps.kruise.io/v1beta1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": "ns", "uid": "u1"},
        "spec": body,
    }


def _pod(name: str, revision: str = "rev-new", **status: Any) -> Obj:
    return {
        "metadata": {
            "name": name,
            "namespace": "ns",
            "labels": {"controller-revision-hash": revision},
        },
        "spec": {},
        "status": status,
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("web-0", ("web", 0)),
        ("web-12", ("web", 12)),
        ("my-web-3", ("my-web", 3)),
        ("web", ("", -1)),
        ("web-x", ("", -1)),
        ("web-99999999999", ("web", -1)),
    ],
)
def test_parent_and_ordinal(name: str, expected: tuple[str, int]) -> None:
    assert identity.parent_and_ordinal(name) == expected


def test_new_pod_has_identity_storage_and_owner() -> None:
    sts = _set(volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {}}])
    pod = identity.new_pod(sts, 4)
    meta = pod["metadata"]
    assert meta["name"] == "web-4"
    assert meta["labels"] == {
        "app": "web",
        "statefulset.kubernetes.io/pod-name": "web-4",
        "apps.kubernetes.io/pod-index": "4",
    }
    assert pod["spec"]["hostname"] == "web-4"
    assert pod["spec"]["subdomain"] == "svc"
    assert pod["spec"]["volumes"] == [
        {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-4"}}
    ]
    [ref] = meta["ownerReferences"]
    assert (ref["kind"], ref["uid"], ref["controller"]) == ("StatefulSet", "u1", True)
    assert identity.identity_matches(sts, pod)
    assert identity.storage_matches(sts, pod)


def test_claims_carry_the_selector_labels_and_no_owner() -> None:
    template = {"metadata": {"name": "data", "labels": {"tier": "db"}}, "spec": {"x": 1}}
    claims = identity.claims_for(_set(volumeClaimTemplates=[template]), 2)
    claim = claims["data"]
    assert claim["metadata"]["name"] == "data-web-2"
    assert claim["metadata"]["labels"] == {"tier": "db", "app": "web"}
    assert "ownerReferences" not in claim["metadata"]


def test_drift_is_detected_and_repaired() -> None:
    sts = _set(volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {}}])
    pod = identity.new_pod(sts, 1)
    pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] = "other"
    pod["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}]
    assert not identity.identity_matches(sts, pod)
    assert not identity.storage_matches(sts, pod)
    identity.update_identity(sts, pod)
    identity.update_storage(sts, pod)
    assert identity.identity_matches(sts, pod)
    assert identity.storage_matches(sts, pod)
    assert [v["name"] for v in pod["spec"]["volumes"]] == ["data", "tmp"]


def _slots(*ordinals: int | None) -> list[Obj | None]:
    return [None if o is None else _pod(f"web-{o}", "rev-old") for o in ordinals]


@pytest.mark.parametrize(
    ("partition", "ordinal", "slots", "current"),
    [
        (0, 0, [], False),
        (2, 0, [], True),
        (2, 1, _slots(0), True),
        (2, 2, _slots(0, 1), False),
        # A reserved slot is not counted: ordinal 2 is only the second pod.
        (2, 2, _slots(0, None), True),
    ],
)
def test_ordered_update_gives_the_first_partition_pods_the_current_revision(
    partition: int, ordinal: int, slots: list[Obj | None], current: bool
) -> None:
    sts = _set(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": partition}})
    assert identity.current_revision_needed(sts, "rev-new", ordinal, slots) is current


def test_on_delete_always_gets_the_update_revision() -> None:
    sts = _set(updateStrategy={"type": "OnDelete"})
    assert not identity.current_revision_needed(sts, "rev-new", 0, [])


def test_without_rolling_update_current_replicas_decide() -> None:
    sts = _set(updateStrategy={"type": "RollingUpdate"}, ordinals={"start": 3})
    sts["status"] = {"currentReplicas": 2}
    assert identity.current_revision_needed(sts, "rev-new", 4, [])
    assert not identity.current_revision_needed(sts, "rev-new", 5, [])


def test_unordered_update_counts_other_pods_not_updated() -> None:
    rolling = {"partition": 2, "unorderedUpdate": {}}
    sts = _set(updateStrategy={"type": "RollingUpdate", "rollingUpdate": rolling})
    one_old = [_pod("web-0", "rev-old"), _pod("web-1", "rev-new")]
    two_old = [_pod("web-0", "rev-old"), _pod("web-1", "rev-old")]
    assert identity.current_revision_needed(sts, "rev-new", 2, one_old)
    assert not identity.current_revision_needed(sts, "rev-new", 2, two_old)


def test_new_versioned_pod_labels_its_revision() -> None:
    sts = _set(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}})
    kwargs: dict[str, Any] = {
        "update_set": sts,
        "current_revision": "rev-old",
        "update_revision": "rev-new",
    }
    first = identity.new_versioned_pod(sts, ordinal=0, replicas=[None], **kwargs)
    second = identity.new_versioned_pod(sts, ordinal=1, replicas=[first, None], **kwargs)
    assert identity.revision_of(first) == "rev-old"
    assert identity.revision_of(second) == "rev-new"


@pytest.mark.parametrize(
    ("spec", "replica_ordinals", "condemned_ordinals"),
    [
        ({"replicas": 4, "reserveOrdinals": [1]}, [0, 2, 3, 4], [5, 1]),
        ({"replicas": 4, "reserveOrdinals": [1, 3]}, [0, 2, 4, 5], [3, 1]),
        ({"replicas": 3, "reserveOrdinals": [1, 3]}, [0, 2, 4], [5, 3, 1]),
        ({"replicas": 3, "reserveOrdinals": [5]}, [0, 1, 2], [5, 4, 3]),
        ({"replicas": 2, "ordinals": {"start": 2}}, [2, 3], [5, 4, 1, 0]),
    ],
)
def test_split_into_replicas_and_condemned(
    spec: Obj, replica_ordinals: list[int], condemned_ordinals: list[int]
) -> None:
    pods = [_pod(f"web-{o}") for o in range(6)] + [_pod("web-main")]
    replicas, condemned = split(pods, ordinal_range(spec))
    kept = [identity.ordinal_of(p) for p in replicas if p is not None]
    assert kept == replica_ordinals
    assert [identity.ordinal_of(p) for p in condemned] == condemned_ordinals


def test_first_unhealthy_is_the_lowest_ordinal() -> None:
    ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    replicas: list[Obj | None] = [_pod("web-0", **ready), None, _pod("web-2")]
    condemned = [_pod("web-5"), _pod("web-1", **ready)]
    unhealthy = first_unhealthy(replicas, condemned)
    assert unhealthy is not None
    assert identity.name_of(unhealthy) == "web-2"
