"""The patches the writing commands send, computed from the object as read: images,
replicas and podsToDelete, reserved ordinals, undo, pause and restart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from kubectl_kruise import history
from kubectl_kruise.common import CommandError, NothingToDo, _guarded
from kubectl_kruise.reserve import reserve_patch, unreserve_patch
from kubectl_kruise.rollout import _set_paused, restart_patch
from kubectl_kruise.scale import scale_patch
from kubectl_kruise.set_image import image_patch, split_args

from kruise.runtime.client import PatchType


def with_containers(*names: str, init: tuple[str, ...] = ()) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": n, "image": "old"} for n in names]}
    if init:
        spec["initContainers"] = [{"name": n, "image": "old"} for n in init]
    return {"spec": {"template": {"spec": spec}}}


def test_set_image_arguments() -> None:
    assert split_args(["clone/a", "clone/b", "main=nginx:1", "side=busybox"]) == (
        ["clone/a", "clone/b"],
        {"main": "nginx:1", "side": "busybox"},
    )
    with pytest.raises(CommandError, match="at least one image update"):
        split_args(["clone/a"])
    with pytest.raises(CommandError, match="before image changes"):
        split_args(["main=nginx", "clone/a"])


def test_image_patch_targets_containers_by_index_and_checks_their_names() -> None:
    obj = with_containers("main", "side")
    assert image_patch(obj, {"side": "busybox"}) == [
        {"op": "test", "path": "/spec/template/spec/containers/1/name", "value": "side"},
        {"op": "replace", "path": "/spec/template/spec/containers/1/image", "value": "busybox"},
    ]


def test_image_patch_star_covers_init_containers() -> None:
    ops = image_patch(with_containers("main", init=("setup",)), {"*": "x"})
    replaced = [op["path"] for op in ops if op["op"] == "replace"]
    assert replaced == [
        "/spec/template/spec/initContainers/0/image",
        "/spec/template/spec/containers/0/image",
    ]


def test_image_patch_unknown_container() -> None:
    with pytest.raises(CommandError, match='unable to find container named "nope"'):
        image_patch(with_containers("main"), {"nope": "x"})


def test_scale_patch_adds_pods_to_delete_without_repeats() -> None:
    obj = {"spec": {"replicas": 5, "scaleStrategy": {"podsToDelete": ["a"]}}}
    assert scale_patch(obj, 3, ["a", "b"]) == {
        "spec": {"replicas": 3, "scaleStrategy": {"podsToDelete": ["a", "b"]}}
    }
    assert scale_patch(obj, None, ["c"]) == {
        "spec": {"scaleStrategy": {"podsToDelete": ["a", "c"]}}
    }


def test_scale_current_replicas_precondition() -> None:
    with pytest.raises(CommandError, match="expected replicas to be 4, was 5"):
        scale_patch({"spec": {"replicas": 5}}, 3, [], current_replicas=4)


def test_patches_carry_the_resource_version_read() -> None:
    obj = {"metadata": {"resourceVersion": "42"}}
    assert _guarded({"spec": {"replicas": 1}}, PatchType.MERGE, obj) == {
        "spec": {"replicas": 1},
        "metadata": {"resourceVersion": "42"},
    }
    ops = _guarded([{"op": "remove", "path": "/x"}], PatchType.JSON, obj)
    assert ops[0] == {"op": "replace", "path": "/metadata/resourceVersion", "value": "42"}


def sts(replicas: int, reserve: list[Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"replicas": replicas}
    if reserve is not None:
        spec["reserveOrdinals"] = reserve
    return {"spec": spec}


def test_reserve_keeps_replicas_by_default() -> None:
    # replicas counts running pods: ordinal 1 goes and ordinal 4 comes.
    assert reserve_patch(sts(4), [1], keep_others=False) == {"spec": {"reserveOrdinals": [1]}}


def test_reserve_keep_others_lowers_replicas_by_the_running_ordinals() -> None:
    # 0-3 run; 1 runs and 9 does not, so only one fewer pod.
    assert reserve_patch(sts(4, ["5-6"]), [1, 9], keep_others=True) == {
        "spec": {"reserveOrdinals": ["5-6", 1, 9], "replicas": 3}
    }


def test_reserve_of_reserved_ordinals_is_nothing_to_do() -> None:
    with pytest.raises(NothingToDo):
        reserve_patch(sts(4, ["1-3"]), [2], keep_others=False)


def test_unreserve_splits_ranges() -> None:
    assert unreserve_patch(sts(3, ["1-5", 8]), [3], keep_others=False) == {
        "spec": {"reserveOrdinals": ["1-2", "4-5", 8]}
    }
    assert unreserve_patch(sts(3, [1]), [1], keep_others=False) == {
        "spec": {"reserveOrdinals": None}
    }


def test_unreserve_keep_others_raises_replicas_for_ordinals_inside_the_range() -> None:
    # replicas 3 with 1 and 9 reserved runs 0, 2, 3: giving back 1 and 9 adds one pod (1).
    assert unreserve_patch(sts(3, [1, 9]), [1, 9], keep_others=True) == {
        "spec": {"reserveOrdinals": None, "replicas": 4}
    }


def test_unreserve_of_unreserved_is_nothing_to_do() -> None:
    with pytest.raises(NothingToDo):
        unreserve_patch(sts(3, [1]), [2], keep_others=False)


def test_pause_and_resume() -> None:
    assert _set_paused(True)({"spec": {}}) == {"spec": {"updateStrategy": {"paused": True}}}
    with pytest.raises(NothingToDo, match="already paused"):
        _set_paused(True)({"spec": {"updateStrategy": {"paused": True}}})
    with pytest.raises(NothingToDo, match="not paused"):
        _set_paused(False)({"spec": {}})


def test_restart_patch() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert restart_patch(now) == {
        "spec": {
            "template": {
                "metadata": {
                    "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-02T03:04:05Z"}
                }
            }
        }
    }


def revision(name: str, number: int, uid: str = "u1", image: str = "nginx") -> dict[str, Any]:
    template = {
        "$patch": "replace",
        "metadata": {"creationTimestamp": None, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "main", "image": image}]},
    }
    return {
        "metadata": {"name": name, "ownerReferences": [{"uid": uid, "controller": True}]},
        "revision": number,
        "data": {"spec": {"template": template}},
    }


def test_history_keeps_the_owners_revisions_in_order() -> None:
    revisions = [revision("b", 3), revision("x", 1, uid="other"), revision("a", 2)]
    assert [history.number(r) for r in history.owned_revisions(revisions, "u1")] == [2, 3]


def test_find_revision() -> None:
    revisions = [revision("a", 1), revision("b", 2), revision("c", 5)]
    assert history.find(revisions, 0)["metadata"]["name"] == "b"
    assert history.find(revisions, 1)["metadata"]["name"] == "a"
    with pytest.raises(history.RevisionNotFound, match="unable to find specified revision 3"):
        history.find(revisions, 3)
    with pytest.raises(history.RevisionNotFound, match="no last revision"):
        history.find(revisions[:1], 0)


def test_undo_puts_the_template_back_whole() -> None:
    assert history.undo_patch(revision("a", 1, image="nginx:1.25")) == [
        {
            "op": "replace",
            "path": "/spec/template",
            "value": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "main", "image": "nginx:1.25"}]},
            },
        }
    ]


def test_is_current() -> None:
    obj = {
        "metadata": {"generation": 2},
        "status": {"observedGeneration": 2, "updateRevision": "a"},
    }
    assert history.is_current(obj, revision("a", 1))
    assert not history.is_current(obj, revision("b", 2))
    obj["metadata"]["generation"] = 3
    assert not history.is_current(obj, revision("a", 1))


def test_change_cause() -> None:
    plain = revision("a", 1)
    assert history.change_cause(plain) == "<none>"
    plain["metadata"]["annotations"] = {"kubernetes.io/change-cause": "set image"}
    assert history.change_cause(plain) == "set image"
