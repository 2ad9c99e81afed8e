"""ControllerRevision helpers: encoding, hashing and naming as Go does, and history choices.

How the expected hashes were checked: the revision data, hashes and names of templates
are hack/difftest's answers (OpenKruise v1.9.0's CloneSet ``NewRevision`` on the typed
object); the ``go_json`` cases of plain JSON are those of a Go program that decoded the
input into ``any`` and re-encoded it with ``json.Marshal``, as ``getPatch`` does after
its typed encoding. test/difftest compares thousands more templates with Go.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kruise.apis.apps.v1alpha1 import API_VERSION
from kruise.util import revision as revision_module
from kruise.util.revision import (
    CLAIM_TEMPLATES_HASH_ANNOTATION,
    HASH_LABEL,
    UpdateRevisionSource,
    apply_revision,
    choose_update_revision,
    claim_templates_hash,
    equal_revision,
    find_equal_revisions,
    fnv1_32,
    go_json,
    hash_revision,
    new_revision,
    next_revision_number,
    oldest_used_revision,
    revision_data,
    revision_name,
    revisions_to_prune,
    safe_encode,
    sort_revisions,
)

# Go's typed PodTemplateSpec always writes a container's resources (no omitempty on a struct).
SAMPLE_DATA_BYTES = (
    b'{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,'
    b'"labels":{"app":"sample"}},"spec":{"containers":[{"image":"nginx:alpine","name":"main",'
    b'"resources":{}}]}}}}'
)

# Strings and numbers where Go's encoder differs from Python's json.dumps defaults.
TRICKY_INPUT = (
    '{"s": "a<b>&c \\u2028\\u2029 \\b\\f\\n\\r\\t\\u0001\\u001f\\u007f \\u00e9 \\u65e5 \\"q\\" '
    '\\\\ /", "nums": [0, -0.0, 1, 100.0, 0.5, 1e-06, 1e-07, 1.5e-07, 1e+21, 1.2345e+22, '
    "1152921504606846976, 12345678901234567890, -3.25, 1e-300, 123456789.125, 0.1, 1e+20, "
    '5e-324], "z": null, "t": true, "f": false, "e": {}, "l": [], '
    '"B": {"b": 1, "a": [{"y": 1, "x": 2}]}, "$patch": "replace", "<k>": 1}'
)
TRICKY_GO_BYTES = (
    '{"$patch":"replace","\\u003ck\\u003e":1,"B":{"a":[{"x":2,"y":1}],"b":1},"e":{},'
    '"f":false,"l":[],"nums":[0,-0,1,100,0.5,0.000001,1e-7,1.5e-7,1e+21,1.2345e+22,'
    "1152921504606847000,12345678901234567000,-3.25,1e-300,123456789.125,0.1,"
    '100000000000000000000,5e-324],"s":"a\\u003cb\\u003e\\u0026c \\u2028\\u2029 '
    '\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \u00e9 \u65e5 \\"q\\" \\\\ /","t":true,"z":null}'
).encode()


def cloneset(name: str = "sample", image: str = "nginx:alpine", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "CloneSet",
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": "6f1c2a8e-0000-4000-8000-000000000001",
            "annotations": {"owner": "team-a"},
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "sample"}},
            "template": {
                "metadata": {"labels": {"app": "sample"}},
                "spec": {"containers": [{"name": "main", "image": image}]},
            },
            **spec,
        },
    }


def revision(
    name: str, number: int, created: str | None = None, data: Any = None, hash_: str = ""
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {HASH_LABEL: hash_ or name}}
    if created:
        meta["creationTimestamp"] = created
    return {"metadata": meta, "revision": number, "data": data or {"spec": {"n": name}}}


def names(revisions: list[Any]) -> list[str]:
    return [r["metadata"]["name"] for r in revisions]


# --- hashing ------------------------------------------------------------------------------


def test_fnv1_32_is_fnv1_not_fnv1a() -> None:
    # Go: fnv.New32 gives these; fnv.New32a would give 0xe40c292c and 0xbf9cf968.
    assert fnv1_32(b"") == 0x811C9DC5
    assert fnv1_32(b"a") == 0x050C5D7E
    assert fnv1_32(b"foobar") == 0x31F0B262


def test_fnv1_32_continues_from_a_running_sum() -> None:
    assert fnv1_32(b"bar", fnv1_32(b"foo")) == fnv1_32(b"foobar")


def test_safe_encode_maps_decimal_digits_into_the_alphabet() -> None:
    assert safe_encode("0123456789") == "456789bcdf"
    assert safe_encode("") == ""


def test_hash_of_a_cloneset_template_matches_go() -> None:
    data = revision_data(cloneset())
    assert go_json(data) == SAMPLE_DATA_BYTES
    assert hash_revision(data) == "5f579c5b55"
    assert hash_revision(SAMPLE_DATA_BYTES) == "5f579c5b55"


@pytest.mark.parametrize(
    ("collision_count", "expected"),
    [(None, "5f579c5b55"), (0, "6d675fd56f"), (1, "6d675fd56d"), (7, "6d675fd578")],
)
def test_collision_count_is_hashed_as_decimal(collision_count: int | None, expected: str) -> None:
    assert hash_revision(revision_data(cloneset()), collision_count) == expected


def test_go_json_matches_go_for_escapes_numbers_and_key_order() -> None:
    value = json.loads(TRICKY_INPUT)
    assert go_json(value) == TRICKY_GO_BYTES
    assert hash_revision(value) == "895594fcd"
    assert hash_revision(value, 2147483647) == "5c7f4df4fd"
    assert hash_revision({}) == "5894b84845"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 10**400])
def test_go_json_rejects_numbers_go_cannot_hold(bad: Any) -> None:
    with pytest.raises(ValueError, match="number"):
        go_json({"x": bad})


def test_go_json_rejects_non_json_values() -> None:
    with pytest.raises(TypeError, match="set"):
        go_json({"x": {1, 2}})


def test_revision_name_cuts_long_prefixes() -> None:
    assert revision_name("sample", "64bb6965cd") == "sample-64bb6965cd"
    name = revision_name("x" * 300, "h")
    assert name == "x" * 223 + "-h"
    assert len(name) <= 253


# --- building and applying ------------------------------------------------------------------


def test_revision_data_replaces_the_whole_template_and_leaves_the_owner_alone() -> None:
    owner = cloneset()
    before = copy.deepcopy(owner)
    data = revision_data(owner)
    template = data["spec"]["template"]
    assert set(data) == {"spec"}
    assert set(data["spec"]) == {"template"}
    assert template["$patch"] == "replace"
    assert template["metadata"] == {"creationTimestamp": None, "labels": {"app": "sample"}}
    assert owner == before


def test_revision_data_of_an_empty_template_still_has_go_metadata() -> None:
    owner = {"metadata": {"name": "x"}, "spec": {}}
    assert go_json(revision_data(owner)) == (
        b'{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null},'
        b'"spec":{"containers":null}}}}'
    )
    assert hash_revision(revision_data(owner)) == "69db5b8ccf"


def test_revision_data_ignores_fields_outside_the_template() -> None:
    a = revision_data(cloneset(replicas=10, revisionHistoryLimit=3))
    b = revision_data(cloneset())
    assert go_json(a) == go_json(b)


def test_new_revision_for_a_cloneset() -> None:
    owner = cloneset()
    rev = new_revision(owner, 4, None)
    assert rev["apiVersion"] == "apps/v1"
    assert rev["kind"] == "ControllerRevision"
    assert rev["revision"] == 4
    assert rev["data"] == revision_data(owner)
    meta = rev["metadata"]
    assert meta["name"] == "sample-5f579c5b55"
    assert meta["namespace"] == "default"
    assert meta["labels"] == {"app": "sample", HASH_LABEL: "5f579c5b55"}
    # A CloneSet's revision also carries its claim templates' hash, empty without any.
    assert meta["annotations"] == {"owner": "team-a", CLAIM_TEMPLATES_HASH_ANNOTATION: ""}
    assert meta["ownerReferences"] == [
        {
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "CloneSet",
            "name": "sample",
            "uid": "6f1c2a8e-0000-4000-8000-000000000001",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]


def test_new_revision_name_moves_with_the_collision_count() -> None:
    assert new_revision(cloneset(), 1, 1)["metadata"]["name"] == "sample-6d675fd56d"


def test_new_revision_for_a_statefulset_names_its_kind() -> None:
    owner = cloneset(name="web")
    del owner["apiVersion"], owner["kind"], owner["metadata"]["annotations"]
    rev = new_revision(owner, 1, 0, api_version="apps.kruise.io/v1beta1", kind="StatefulSet")
    ref = rev["metadata"]["ownerReferences"][0]
    assert (ref["apiVersion"], ref["kind"], ref["name"]) == (
        "apps.kruise.io/v1beta1",
        "StatefulSet",
        "web",
    )
    assert "annotations" not in rev["metadata"]
    assert rev["metadata"]["name"] == "web-6d675fd56f"


def test_new_revision_needs_the_owner_kind() -> None:
    owner = cloneset()
    del owner["kind"]
    with pytest.raises(ValueError, match="apiVersion and kind"):
        new_revision(owner, 1, None)


def test_new_revision_does_not_share_the_template_labels() -> None:
    owner = cloneset()
    rev = new_revision(owner, 1, None)
    rev["metadata"]["labels"]["extra"] = "x"
    rev["data"]["spec"]["template"]["metadata"]["labels"]["extra"] = "y"
    assert owner["spec"]["template"]["metadata"]["labels"] == {"app": "sample"}


def test_apply_revision_restores_only_the_template() -> None:
    old = new_revision(cloneset(image="nginx:1.19"), 1, None)
    current = cloneset(image="nginx:1.21", replicas=7)
    before = copy.deepcopy(current)
    restored = apply_revision(current, old)
    assert restored["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.19"
    assert "$patch" not in restored["spec"]["template"]
    assert restored["spec"]["replicas"] == 7
    assert restored["metadata"] == current["metadata"]
    assert current == before
    # Building a revision from the restored object gives back the same revision.
    again = new_revision(restored, 1, None)
    assert equal_revision(again, old)
    assert again["metadata"]["name"] == old["metadata"]["name"]


# --- comparing and choosing -------------------------------------------------------------------


def test_equal_revision_compares_data() -> None:
    a = new_revision(cloneset(), 1, None)
    b = new_revision(cloneset(), 2, None)
    c = new_revision(cloneset(image="nginx:1.21"), 3, None)
    assert equal_revision(a, b)
    assert not equal_revision(a, c)
    assert equal_revision(None, None)
    assert not equal_revision(a, None)
    assert not equal_revision(None, a)


def test_equal_revision_ignores_the_collision_count_in_safe_encoded_hashes() -> None:
    a = new_revision(cloneset(), 1, None)
    b = new_revision(cloneset(), 1, 5)
    assert a["metadata"]["labels"][HASH_LABEL] != b["metadata"]["labels"][HASH_LABEL]
    assert equal_revision(a, b)


def test_equal_revision_trusts_numeric_hash_labels_that_differ() -> None:
    # Go parses the label as an int32; safe-encoded hashes made only of digits parse.
    same: dict[str, Any] = {"spec": {"template": {}}}
    assert not equal_revision(
        revision("a", 1, data=same, hash_="4567"), revision("b", 1, data=same, hash_="4568")
    )
    assert equal_revision(
        revision("a", 1, data=same, hash_="4567"), revision("b", 1, data=same, hash_="+4567")
    )
    # Out of int32 range: not parsed, so the data decides.
    assert equal_revision(
        revision("a", 1, data=same, hash_="4567456745"),
        revision("b", 1, data=same, hash_="4567456746"),
    )


def test_find_equal_revisions_keeps_order() -> None:
    one = new_revision(cloneset(), 1, None)
    two = new_revision(cloneset(image="nginx:1.21"), 2, None)
    three = new_revision(cloneset(), 3, 1)
    assert find_equal_revisions([one, two, three], new_revision(cloneset(), 9, None)) == [
        one,
        three,
    ]
    assert find_equal_revisions([two], one) == []


def test_sort_revisions_by_number_then_creation_then_name() -> None:
    revisions = [
        revision("c", 2, "2024-05-01T10:00:00Z"),
        revision("b", 2, "2024-05-01T09:00:00Z"),
        revision("a", 3),
        revision("z", 1, "2024-05-01T09:00:00Z"),
        revision("y", 1, "2024-05-01T09:00:00Z"),
        revision("x", 1),
    ]
    assert names(sort_revisions(revisions)) == ["x", "y", "z", "b", "c", "a"]


def test_next_revision_number() -> None:
    assert next_revision_number([]) == 1
    assert next_revision_number([revision("a", 3), revision("b", 1)]) == 4


def history_of(*images: str) -> list[dict[str, Any]]:
    return [new_revision(cloneset(image=img), i + 1, None) for i, img in enumerate(images)]


def test_choose_update_revision_keeps_the_latest_when_unchanged() -> None:
    history = history_of("nginx:1.19", "nginx:1.21")
    candidate = new_revision(cloneset(image="nginx:1.21"), 3, None)
    choice = choose_update_revision(history, candidate)
    assert choice.source is UpdateRevisionSource.LATEST
    assert choice.revision is history[-1]
    assert choice.new_number is None


def test_choose_update_revision_rolls_back_to_an_older_equal_revision() -> None:
    history = history_of("nginx:1.19", "nginx:1.21")
    candidate = new_revision(cloneset(image="nginx:1.19"), 3, None)
    choice = choose_update_revision(history, candidate)
    assert choice.source is UpdateRevisionSource.ROLLBACK
    assert choice.revision is history[0]
    assert choice.new_number == 3


def test_choose_update_revision_creates_a_new_one() -> None:
    history = history_of("nginx:1.19")
    candidate = new_revision(cloneset(image="nginx:1.23"), 2, None)
    choice = choose_update_revision(history, candidate)
    assert choice.source is UpdateRevisionSource.NEW
    assert choice.revision is candidate
    assert choose_update_revision([], candidate).source is UpdateRevisionSource.NEW


def test_oldest_used_revision() -> None:
    history = [revision("r1", 1), revision("r2", 2), revision("r3", 3)]
    assert oldest_used_revision(history, ["r3", "r2"], "r3") == "r2"
    assert oldest_used_revision(history, ["r3", "r2", "r1"], "r3") == "r1"
    assert oldest_used_revision(history, ["r3"], "r3") == "r3"
    assert oldest_used_revision(history, [], "r3") == "r3"
    assert oldest_used_revision(history, ["gone"], "r3") == "r3"


def test_revisions_to_prune_deletes_the_oldest_dead_ones() -> None:
    history = [revision(f"r{i}", i) for i in range(1, 8)]
    assert names(revisions_to_prune(history, 2, ["r7", "r2"])) == ["r1", "r3", "r4"]


def test_revisions_to_prune_never_returns_live_revisions() -> None:
    history = [revision(f"r{i}", i) for i in range(1, 6)]
    assert names(revisions_to_prune(history, 0, ["r1", "r5", "r3"])) == ["r2", "r4"]
    assert revisions_to_prune(history, 0, [f"r{i}" for i in range(1, 6)]) == []


def test_revisions_to_prune_limits() -> None:
    history = [revision(f"r{i}", i) for i in range(1, 13)]
    # No limit: the default of 10 non-live revisions stays.
    assert names(revisions_to_prune(history, None, ["r12"])) == ["r1"]
    assert revisions_to_prune(history, 20, ["r12"]) == []
    assert len(revisions_to_prune(history, -1, ["r12"])) == 11


# --- issue 14 item 3: revisions as Go builds them from the typed template ---------------


def test_a_cloneset_reapplied_without_empty_resources_keeps_its_revision() -> None:
    # OpenKruise's webhook stored `resources: {}` (and `creationTimestamp: null`); the
    # user's manifest has neither. Same template to Go, so same revision: no pod recreated.
    stored = cloneset()
    stored["spec"]["template"]["metadata"]["creationTimestamp"] = None
    stored["spec"]["template"]["spec"]["containers"][0]["resources"] = {}
    reapplied = cloneset()
    a, b = new_revision(stored, 1, 0), new_revision(reapplied, 1, 0)
    assert a["metadata"]["name"] == b["metadata"]["name"] == "sample-6d675fd56f"
    assert equal_revision(a, b)
    assert choose_update_revision([a], b).source is UpdateRevisionSource.LATEST


def test_templates_that_mean_the_same_to_go_share_a_revision() -> None:
    plain = cloneset()
    container = plain["spec"]["template"]["spec"]["containers"][0]
    noisy = cloneset()
    noisy["spec"]["template"]["metadata"].update({"annotations": {}, "finalizers": []})
    noisy["spec"]["template"]["spec"].update({"nodeSelector": {}, "hostNetwork": False})
    noisy["spec"]["template"]["spec"]["containers"][0].update(
        {"command": [], "env": None, "stdin": False, "unknownField": "dropped by Go"}
    )
    assert go_json(revision_data(noisy)) == go_json(revision_data(plain))
    container["resources"] = {"limits": {"cpu": "1000m", "memory": "1024Mi"}}
    canonical = cloneset()
    canonical["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "limits": {"cpu": "1", "memory": "1Gi"}
    }
    assert go_json(revision_data(plain)) == go_json(revision_data(canonical))


def test_cloneset_revisions_carry_the_claim_templates_hash_as_go() -> None:
    claims = [
        {
            "metadata": {"name": "logs", "labels": {"x": "y"}},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "2048Mi"}},
            },
        },
        {
            "metadata": {"name": "data"},
            "spec": {"storageClassName": "fast", "resources": {"requests": {"storage": "1Gi"}}},
            "status": {"phase": "Pending"},
        },
    ]
    assert claim_templates_hash(claims) == "2888796382"  # hack/difftest's answer
    assert claim_templates_hash(list(reversed(claims))) == "2888796382"  # sorted by name
    assert claim_templates_hash([]) == ""
    rev = new_revision(cloneset(volumeClaimTemplates=claims), 1, None)
    assert rev["metadata"]["annotations"][CLAIM_TEMPLATES_HASH_ANNOTATION] == "2888796382"


def _cloneset(template: dict[str, Any], uid: str = "memo-uid") -> dict[str, Any]:
    return {
        "metadata": {"name": "memo", "namespace": "default", "uid": uid},
        "spec": {"template": template},
    }


def _fresh(owner: dict[str, Any], collision_count: int | None) -> dict[str, Any]:
    """``new_revision`` with its memo emptied first: the long way."""
    revision_module._data_memo.clear()
    return new_revision(owner, 1, collision_count, api_version=API_VERSION, kind="CloneSet")


def test_a_remembered_revision_is_what_building_it_afresh_gives() -> None:
    template = {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c"}]}}
    owner = _cloneset(template)
    first = new_revision(owner, 1, None, api_version=API_VERSION, kind="CloneSet")
    again = new_revision(owner, 1, None, api_version=API_VERSION, kind="CloneSet")
    assert again == first == _fresh(owner, None)
    again["data"]["spec"]["template"]["metadata"]["labels"]["app"] = "changed"
    assert new_revision(owner, 1, None, api_version=API_VERSION, kind="CloneSet") == first


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t["spec"]["containers"][0].update(image="nginx:2"),
        lambda t: t["spec"].update(terminationGracePeriodSeconds=True),  # was 1: not the same
        lambda t: t["metadata"]["labels"].update(app="b"),
    ],
)
def test_a_changed_template_is_never_answered_from_memory(change: Any) -> None:
    template = {
        "metadata": {"labels": {"app": "a"}},
        "spec": {"containers": [{"name": "c"}], "terminationGracePeriodSeconds": 1},
    }
    owner = _cloneset(template)
    for count in (None, 1):
        new_revision(owner, 1, count, api_version=API_VERSION, kind="CloneSet")
    changed = copy.deepcopy(owner)
    change(changed["spec"]["template"])
    for count in (None, 1):
        remembered = new_revision(changed, 1, count, api_version=API_VERSION, kind="CloneSet")
        assert remembered == _fresh(changed, count)
        revision_module._data_memo.clear()
        assert remembered != new_revision(owner, 1, count, api_version=API_VERSION, kind="CloneSet")


def test_stored_revisions_compare_by_their_data_once_remembered() -> None:
    owner = _cloneset({"metadata": {"labels": {"app": "a"}}, "spec": {"containers": []}})
    stored = new_revision(owner, 1, None, api_version=API_VERSION, kind="CloneSet")
    stored["metadata"] |= {"uid": "rev-uid", "resourceVersion": "7"}
    candidate = new_revision(owner, 2, None, api_version=API_VERSION, kind="CloneSet")
    assert equal_revision(stored, candidate)
    assert equal_revision(stored, candidate)  # now from memory
    other = _cloneset({"metadata": {"labels": {"app": "b"}}, "spec": {"containers": []}})
    assert not equal_revision(
        stored, new_revision(other, 2, None, api_version=API_VERSION, kind="CloneSet")
    )
