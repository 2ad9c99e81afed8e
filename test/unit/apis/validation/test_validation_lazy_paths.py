"""Field paths print only when an error is reported, and print as they always did; the
matchLabels-only selector check agrees with the full label-selector match."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kruise.apis.apps.validation.field import Path, path
from kruise.apis.apps.validation.selection import _selects
from kruise.runtime import labels


def test_paths_render_compare_and_hash_by_text() -> None:
    spec = path("spec")
    image = spec.child("template", "spec").child("containers").index(0).child("image")
    assert image.text == "spec.template.spec.containers[0].image"
    assert str(path("metadata", "annotations").key("a/b")) == "metadata.annotations[a/b]"
    assert str(Path().child("a").index(2).index(3)) == "a[2][3]"
    assert str(Path("x").child("y")) == "x.y"
    assert str(Path().index(1)) == "[1]"
    assert path() == Path()
    assert str(path()) == ""
    assert image == Path("spec.template.spec.containers[0].image")
    assert hash(image) == hash(Path(image.text))
    assert {spec.child("a"), Path("spec.a")} == {Path("spec.a")}
    assert repr(spec.child("a")) == "Path('spec.a')"


def test_a_path_is_not_rendered_until_asked() -> None:
    made = path("spec").child("replicas")
    assert made._text is None
    assert str(made) == "spec.replicas"
    assert made._text == "spec.replicas"


names = st.from_regex(r"[a-z][a-z0-9]{0,4}", fullmatch=True)
label_maps = st.dictionaries(names, names, max_size=4)


@settings(max_examples=300, deadline=None)
@given(label_maps, label_maps, label_maps)
def test_match_labels_agree_with_the_selector(
    wanted: dict[str, str], template: dict[str, str], extra: dict[str, str]
) -> None:
    # Templates that share some of the wanted labels, with the same or other values.
    found: dict[str, Any] = {**extra, **{k: v for k, v in wanted.items() if k in template}}
    found.update(template)
    selector = {"matchLabels": wanted}
    expected = labels.from_label_selector(selector).matches(found)
    assert _selects(selector, found) is expected
    assert _selects({**selector, "matchExpressions": []}, found) is expected
    assert _selects(selector, None) is labels.from_label_selector(selector).matches({})
