"""Which template changes an in-place update can make, and the patches it makes."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from kruise.util.inplaceupdate import (
    InvalidAnnotation,
    UpdateSpec,
    can_update_in_place,
    diff_templates,
    spec_from_revisions,
    template_of_revision,
)

Obj = dict[str, Any]


def template(**images: str) -> Obj:
    return {
        "metadata": {"labels": {"app": "web"}, "annotations": {"team": "a"}},
        "spec": {
            "containers": [
                {"name": name, "image": image, "env": [{"name": "MODE", "value": "x"}]}
                for name, image in (images or {"app": "nginx:1.25"}).items()
            ],
            "restartPolicy": "Always",
        },
    }


def revision(name: str, tmpl: Obj) -> Obj:
    data = {"spec": {"template": {**tmpl, "$patch": "replace"}}}
    return {"metadata": {"name": name}, "revision": 1, "data": data}


def test_a_changed_image_is_updated_by_container_name() -> None:
    old, new = template(app="nginx:1.25"), template(app="nginx:1.26")
    spec = diff_templates(old, new, "web-new")
    assert spec == UpdateSpec(revision="web-new", container_images={"app": "nginx:1.26"})
    assert spec.metadata_patch is None


def test_only_the_containers_whose_image_changed_are_listed() -> None:
    old = template(app="nginx:1.25", side="redis:7")
    new = template(app="nginx:1.25", side="redis:7.2")
    spec = diff_templates(old, new, "r")
    assert spec is not None
    assert spec.container_images == {"side": "redis:7.2"}


def test_identical_templates_need_only_the_revision_label() -> None:
    spec = diff_templates(template(), template(), "r")
    assert spec == UpdateSpec(revision="r")


def test_labels_and_annotations_become_a_metadata_patch() -> None:
    old, new = template(), template(app="nginx:1.26")
    old["metadata"]["labels"].update(tier="front", gone="yes")
    new["metadata"]["labels"].update(tier="back")
    new["metadata"]["annotations"]["note"] = "hi"
    spec = diff_templates(old, new, "r")
    assert spec is not None
    assert spec.container_images == {"app": "nginx:1.26"}
    assert spec.metadata_patch == {
        "metadata": {"labels": {"tier": "back", "gone": None}, "annotations": {"note": "hi"}}
    }


def test_metadata_maps_may_appear_or_disappear() -> None:
    """A deliberate difference: OpenKruise's patch for a vanished map is ``labels: null``,
    which would remove every label on the pod, not only the template's."""
    old, new = template(), template()
    del old["metadata"]["annotations"]
    new["metadata"]["labels"] = {}
    spec = diff_templates(old, new, "r")
    assert spec is not None
    assert spec.metadata_patch == {
        "metadata": {"labels": {"app": None}, "annotations": {"team": "a"}}
    }


def test_a_label_an_env_refers_to_is_patched_like_any_other() -> None:
    """A deliberate difference: OpenKruise v1.9 leaves such a label to kruise-daemon,
    which restarts the container; kruise-py has no kruise-daemon (as v0.7.0)."""
    old, new = template(), template()
    ref = {"fieldRef": {"fieldPath": "metadata.labels['app']"}}
    for t in (old, new):
        t["spec"]["containers"][0]["env"] = [{"name": "APP", "valueFrom": ref}]
    new["metadata"]["labels"]["app"] = "web-2"
    spec = diff_templates(old, new, "r")
    assert spec is not None
    assert spec.metadata_patch == {"metadata": {"labels": {"app": "web-2"}}}


def test_finalizers_added_to_the_template_are_patched_in_place() -> None:
    """Issue 14 item 5: template metadata other than labels and annotations (a finalizer)
    changes in place, as OpenKruise's update spec patches it."""
    old, new = template(), template(app="nginx:1.26")
    new["metadata"]["finalizers"] = ["example.com/keep"]
    spec = diff_templates(old, new, "r")
    assert spec is not None
    assert spec.metadata_patch == {"metadata": {"finalizers": ["example.com/keep"]}}


def test_finalizer_changes_merge_as_a_set_like_kubernetes_two_way_patches() -> None:
    old, new = template(), template()
    old["metadata"]["finalizers"] = ["a/one", "b/two"]
    new["metadata"]["finalizers"] = ["b/two", "c/three"]
    spec = diff_templates(old, new, "r")
    assert spec is not None
    assert spec.metadata_patch == {
        "metadata": {
            "finalizers": ["c/three"],
            "$deleteFromPrimitiveList/finalizers": ["a/one"],
            "$setElementOrder/finalizers": ["b/two", "c/three"],
        }
    }
    removed = diff_templates(old, template(), "r")
    assert removed is not None
    assert removed.metadata_patch == {"metadata": {"finalizers": None}}


@pytest.mark.parametrize(
    ("old", "new", "order"),
    [
        # Unchanged but unsorted: the order is written (beside the label change).
        (["b/two", "a/one"], ["b/two", "a/one"], ["b/two", "a/one"]),
        # Reordered into sorted order: no order is written.
        (["b/two", "a/one"], ["a/one", "b/two"], None),
        # Unchanged and sorted: nothing.
        (["a/one", "b/two"], ["a/one", "b/two"], None),
    ],
)
def test_the_finalizers_order_is_written_when_kubernetes_writes_it(
    old: list[str], new: list[str], order: list[str] | None
) -> None:
    """Issue 14's differential test: Kubernetes compares the new list with the old one
    sorted, so OpenKruise's patch carries ``$setElementOrder`` exactly then."""
    before, after = template(), template()
    before["metadata"]["finalizers"], after["metadata"]["finalizers"] = old, new
    after["metadata"]["labels"]["tier"] = "front"
    spec = diff_templates(before, after, "r")
    assert spec is not None
    expected: Obj = {"labels": {"tier": "front"}}
    if order is not None:
        expected["$setElementOrder/finalizers"] = order
    assert spec.metadata_patch == {"metadata": expected}


def test_other_template_metadata_is_replaced_in_place() -> None:
    old, new = template(), template()
    new["metadata"]["generateName"] = "web-"
    new["metadata"]["ownerReferences"] = [{"uid": "u1", "name": "x", "kind": "K"}]
    spec = diff_templates(old, new, "r")
    assert spec is not None
    assert spec.metadata_patch == {
        "metadata": {
            "generateName": "web-",
            "ownerReferences": [{"uid": "u1", "name": "x", "kind": "K"}],
        }
    }


def test_the_metadata_patch_is_encoded_with_sorted_keys_as_go_encodes_maps() -> None:
    spec = UpdateSpec("r", metadata_patch={"metadata": {"labels": {"b": "1", "a": "2"}}})
    raw = json.loads(spec.to_json())["metaDataPatch"]
    assert base64.b64decode(raw) == b'{"metadata":{"labels":{"a":"2","b":"1"}}}'


def _changed(change: Any) -> Obj:
    new = template(app="nginx:1.26")
    change(new)
    return new


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: t["spec"]["containers"][0]["env"].append({"name": "B"}), id="env"),
        pytest.param(
            lambda t: t["spec"]["containers"][0].update(resources={"limits": {"cpu": "1"}}),
            id="resources",
        ),
        pytest.param(
            lambda t: t["spec"]["containers"].append({"name": "more", "image": "busybox"}),
            id="added-container",
        ),
        pytest.param(lambda t: t["spec"]["containers"].clear(), id="removed-containers"),
        pytest.param(lambda t: t["spec"]["containers"][0].update(name="renamed"), id="renamed"),
        pytest.param(lambda t: t["spec"]["containers"][0].pop("image"), id="image-removed"),
        pytest.param(
            lambda t: t["spec"].update(initContainers=[{"name": "init", "image": "busybox"}]),
            id="init-containers",
        ),
        pytest.param(lambda t: t["spec"].update(restartPolicy="Never"), id="pod-field"),
        pytest.param(lambda t: t.update(extra={"a": 1}), id="unknown-template-key"),
    ],
)
def test_any_other_change_needs_a_new_pod(change: Any) -> None:
    assert diff_templates(template(), _changed(change), "r") is None


def test_reordered_containers_need_a_new_pod() -> None:
    old = template(a="x:1", b="y:1")
    new = template(b="y:1", a="x:1")
    assert diff_templates(old, new, "r") is None


def test_an_image_appearing_where_there_was_none_needs_a_new_pod() -> None:
    old = template()
    del old["spec"]["containers"][0]["image"]
    assert diff_templates(old, template(), "r") is None


def test_null_counts_as_absent_and_the_patch_marker_is_ignored() -> None:
    old = template()
    old["metadata"]["creationTimestamp"] = None
    old["spec"]["containers"][0]["resources"] = None
    new = {**template(app="nginx:1.26"), "$patch": "replace"}
    spec = diff_templates(old, new, "r")
    assert spec is not None
    assert spec.container_images == {"app": "nginx:1.26"}


def test_templates_are_not_modified() -> None:
    old, new = template(), template(app="nginx:1.26")
    before = copy.deepcopy((old, new))
    diff_templates(old, new, "r")
    assert (old, new) == before


def test_revisions_give_their_templates_and_the_new_revision_name() -> None:
    old, new = revision("web-1", template()), revision("web-2", template(app="nginx:1.26"))
    assert template_of_revision(old) == {**template(), "$patch": "replace"}
    spec = spec_from_revisions(old, new)
    assert spec == UpdateSpec(revision="web-2", container_images={"app": "nginx:1.26"})
    assert can_update_in_place(old, new)


def test_a_missing_revision_or_template_means_not_in_place() -> None:
    new = revision("web-2", template())
    assert spec_from_revisions(None, new) is None
    assert spec_from_revisions(new, None) is None
    assert spec_from_revisions({"metadata": {"name": "x"}, "data": {}}, new) is None
    assert template_of_revision({"data": {"spec": {"template": "nope"}}}) is None
    assert not can_update_in_place(None, new)
    env_change = template()
    env_change["spec"]["containers"][0]["env"] = []
    assert not can_update_in_place(revision("a", env_change), new)


def test_the_grace_spec_is_written_in_openkruise_form() -> None:
    patch = {"metadata": {"labels": {"tier": "back"}}}
    spec = UpdateSpec("r2", {"main": "img:2"}, patch, grace_seconds=30)
    raw = json.loads(spec.to_json())
    assert raw["revision"] == "r2"
    assert raw["containerImages"] == {"main": "img:2"}
    assert raw["graceSeconds"] == 30
    assert json.loads(base64.b64decode(raw["metaDataPatch"])) == patch
    assert UpdateSpec.from_json(spec.to_json()) == spec
    assert UpdateSpec("r").to_json() == '{"revision":"r"}'


def test_openkruise_grace_specs_are_read() -> None:
    text = '{"revision":"new-revision","containerImages":{"main":"img-name02"},"graceSeconds":30}'
    assert UpdateSpec.from_json(text) == UpdateSpec(
        "new-revision", {"main": "img-name02"}, None, 30
    )


@pytest.mark.parametrize(
    "text",
    ["", "[]", "{", '{"containerImages": 3}', '{"metaDataPatch": "!!"}', '{"graceSeconds": "x"}'],
)
def test_a_broken_grace_spec_is_reported(text: str) -> None:
    with pytest.raises(InvalidAnnotation):
        UpdateSpec.from_json(text)


def test_with_grace_never_goes_negative() -> None:
    assert UpdateSpec("r").with_grace(-5).grace_seconds == 0
    assert UpdateSpec("r").with_grace(7).grace_seconds == 7
