"""The local-path provisioner's pure parts: which claims it takes, the volume it builds,
which volumes it deletes and which directories it may remove."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kruise.runtime.envtest.provisioner.volumes import (
    ANN_BETA_STORAGE_PROVISIONER,
    ANN_DEFAULT_CLASS,
    ANN_PROVISIONED_BY,
    ANN_SELECTED_NODE,
    ANN_STORAGE_PROVISIONER,
    PROVISIONER_NAME,
    build_volume,
    default_storage_class,
    directory_of,
    ignore_reason,
    should_delete,
    unsupported,
    volume_path,
)

Obj = dict[str, Any]
ROOT = Path("/tmp/cluster/local-path-provisioner")


def make_claim(annotations: dict[str, str] | None = None, **spec: Any) -> Obj:
    return {
        "metadata": {
            "name": "data-db-0",
            "namespace": "team",
            "uid": "1234-abcd",
            "annotations": annotations if annotations is not None else {},
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "5Gi"}},
            "storageClassName": "standard",
            **spec,
        },
    }


def assigned(node: str | None = "kwok-node-1") -> dict[str, str]:
    annotations = {ANN_STORAGE_PROVISIONER: PROVISIONER_NAME}
    if node is not None:
        annotations[ANN_SELECTED_NODE] = node
    return annotations


def test_default_class_is_kinds_standard() -> None:
    sc = default_storage_class()
    assert sc["metadata"]["name"] == "standard"
    assert sc["metadata"]["annotations"] == {ANN_DEFAULT_CLASS: "true"}
    assert sc["provisioner"] == "rancher.io/local-path"
    assert sc["reclaimPolicy"] == "Delete"
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer"


def test_volume_carries_the_claims_size_modes_and_the_classs_policy() -> None:
    sc = default_storage_class() | {"reclaimPolicy": "Retain", "mountOptions": ["noatime"]}
    claim = make_claim(assigned(), accessModes=["ReadWriteOncePod"])
    volume = build_volume(claim, sc, ROOT, PROVISIONER_NAME)
    assert volume["metadata"]["name"] == "pvc-1234-abcd"
    assert volume["metadata"]["annotations"] == {ANN_PROVISIONED_BY: PROVISIONER_NAME}
    spec = volume["spec"]
    assert spec["capacity"] == {"storage": "5Gi"}
    assert spec["accessModes"] == ["ReadWriteOncePod"]
    assert spec["volumeMode"] == "Filesystem"
    assert spec["persistentVolumeReclaimPolicy"] == "Retain"
    assert spec["storageClassName"] == "standard"
    assert spec["mountOptions"] == ["noatime"]
    assert spec["claimRef"] == {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "namespace": "team",
        "name": "data-db-0",
        "uid": "1234-abcd",
    }


def test_reclaim_policy_defaults_to_delete() -> None:
    sc = default_storage_class()
    del sc["reclaimPolicy"]
    volume = build_volume(make_claim(assigned()), sc, ROOT, PROVISIONER_NAME)
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Delete"


def test_volume_is_pinned_to_the_selected_node() -> None:
    volume = build_volume(
        make_claim(assigned("kwok-node-2")), default_storage_class(), ROOT, PROVISIONER_NAME
    )
    terms = volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"]
    assert terms == [
        {
            "matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": ["kwok-node-2"]}
            ]
        }
    ]


def test_volume_of_an_immediate_claim_has_no_node_affinity() -> None:
    sc = default_storage_class() | {"volumeBindingMode": "Immediate"}
    volume = build_volume(make_claim(assigned(node=None)), sc, ROOT, PROVISIONER_NAME)
    assert "nodeAffinity" not in volume["spec"]


def test_directory_is_named_after_volume_namespace_and_claim_under_the_root() -> None:
    claim = make_claim(assigned())
    path = volume_path(ROOT, claim)
    assert path == ROOT / "pvc-1234-abcd_team_data-db-0"
    volume = build_volume(claim, default_storage_class(), ROOT, PROVISIONER_NAME)
    assert volume["spec"]["hostPath"] == {"path": str(path), "type": "DirectoryOrCreate"}


def test_a_claim_assigned_to_us_with_a_selected_node_is_provisioned() -> None:
    assert ignore_reason(make_claim(assigned()), default_storage_class(), PROVISIONER_NAME) is None


def test_the_beta_provisioner_annotation_counts_too() -> None:
    annotations = {ANN_BETA_STORAGE_PROVISIONER: PROVISIONER_NAME, ANN_SELECTED_NODE: "n"}
    claim = make_claim(annotations)
    assert ignore_reason(claim, default_storage_class(), PROVISIONER_NAME) is None


def test_an_immediate_claim_needs_no_selected_node() -> None:
    sc = default_storage_class() | {"volumeBindingMode": "Immediate"}
    assert ignore_reason(make_claim(assigned(node=None)), sc, PROVISIONER_NAME) is None


@pytest.mark.parametrize(
    ("claim", "storage_class", "reason"),
    [
        (make_claim(assigned(node=None)), default_storage_class(), "first consumer"),
        (make_claim({}), default_storage_class(), "not assigned"),
        (
            make_claim({ANN_STORAGE_PROVISIONER: "example.com/other", ANN_SELECTED_NODE: "n"}),
            default_storage_class(),
            "not assigned",
        ),
        (
            make_claim(assigned()),
            default_storage_class(provisioner="example.com/other"),
            "does not name",
        ),
        (make_claim(assigned()), None, "does not name"),
        (make_claim(assigned(), volumeName="pvc-bound"), default_storage_class(), "bound"),
    ],
    ids=["no-consumer-yet", "unassigned", "other-provisioner", "other-class", "no-class", "bound"],
)
def test_claims_left_alone(claim: Obj, storage_class: Obj | None, reason: str) -> None:
    found = ignore_reason(claim, storage_class, PROVISIONER_NAME)
    assert found is not None
    assert reason in found


def test_a_claim_being_deleted_is_left_alone() -> None:
    claim = make_claim(assigned())
    claim["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    found = ignore_reason(claim, default_storage_class(), PROVISIONER_NAME)
    assert found == "the claim is being deleted"


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({"selector": {"matchLabels": {"a": "b"}}}, "selector"),
        ({"volumeMode": "Block"}, "block"),
        ({"dataSource": {"kind": "PersistentVolumeClaim", "name": "x"}}, "dataSource"),
        ({"resources": {}}, "no storage"),
    ],
)
def test_what_a_local_directory_cannot_provide(spec: Obj, problem: str) -> None:
    found = unsupported(make_claim(assigned(), **spec))
    assert found is not None
    assert problem in found


def test_a_plain_claim_is_supported() -> None:
    assert unsupported(make_claim(assigned())) is None


def released(policy: str = "Delete", by: str = PROVISIONER_NAME, phase: str = "Released") -> Obj:
    return {
        "metadata": {"name": "pvc-1", "annotations": {ANN_PROVISIONED_BY: by}},
        "spec": {"persistentVolumeReclaimPolicy": policy},
        "status": {"phase": phase},
    }


def test_only_our_released_volumes_with_policy_delete_are_deleted() -> None:
    assert should_delete(released(), PROVISIONER_NAME)
    assert not should_delete(released(policy="Retain"), PROVISIONER_NAME)
    assert not should_delete(released(by="example.com/other"), PROVISIONER_NAME)
    assert not should_delete(released(phase="Bound"), PROVISIONER_NAME)
    deleting = released()
    deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    assert not should_delete(deleting, PROVISIONER_NAME)


def test_only_directories_inside_the_root_are_removed(tmp_path: Path) -> None:
    def volume(path: str) -> Obj:
        return {"spec": {"hostPath": {"path": path}}}

    inside = tmp_path / "pvc-1_ns_name"
    assert directory_of(volume(str(inside)), tmp_path) == inside
    assert directory_of(volume(str(tmp_path)), tmp_path) is None
    assert directory_of(volume(str(tmp_path / ".." / "elsewhere")), tmp_path) is None
    assert directory_of(volume("/etc"), tmp_path) is None
    assert directory_of({"spec": {"local": {"path": str(inside)}}}, tmp_path) is None
