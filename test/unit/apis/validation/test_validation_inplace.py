"""The change list behind the InPlaceOnly rule."""

from __future__ import annotations

from support.validation import messages

from kruise.apis.apps.validation.field import path
from kruise.apis.apps.validation.inplace import Change, changes, validate_in_place_only

AT = path("spec", "template", "spec")
POLICY = path("spec", "updateStrategy", "type")


def spec(*images: str, **extra: object) -> dict[str, object]:
    return {
        "containers": [{"name": f"c{i}", "image": image} for i, image in enumerate(images)],
        **extra,
    }


def test_operations_and_pointers() -> None:
    old = spec("a:1", "b:1", nodeSelector={"kubernetes.io/os": "linux"}, hostname="h")
    new = spec("a:2", nodeSelector={"kubernetes.io/os": "windows"}, subdomain="s")
    assert [(c.op, c.pointer, str(c.field)) for c in changes(old, new, AT)] == [
        ("replace", "/containers/0/image", "spec.template.spec.containers[0].image"),
        ("remove", "/containers/1", "spec.template.spec.containers[1]"),
        (
            "replace",
            "/nodeSelector/kubernetes.io~1os",
            "spec.template.spec.nodeSelector[kubernetes.io/os]",
        ),
        ("remove", "/hostname", "spec.template.spec.hostname"),
        ("add", "/subdomain", "spec.template.spec.subdomain"),
    ]


def test_unset_and_empty_are_the_same() -> None:
    assert changes(spec("a", volumes=[]), spec("a"), AT) == []
    assert changes({"a": None}, {}, AT) == []
    assert changes({"a": 1}, {"a": 1.0}, AT) == []


def test_image_replacements_only() -> None:
    assert validate_in_place_only(spec("a:1", "b:1"), spec("a:2", "b:2"), AT, POLICY) == []
    assert messages(validate_in_place_only(spec("a:1"), spec("a:1", "b:1"), AT, POLICY)) == [
        "spec.template.spec.containers[1]: Forbidden: only container images may change when "
        "spec.updateStrategy.type is InPlaceOnly (this is a add of /containers/1)"
    ]


def test_a_changed_type_is_one_replacement() -> None:
    assert changes({"x": [1]}, {"x": {"a": 1}}, AT) == [
        Change("replace", "/x", path("spec", "template", "spec", "x"))
    ]
