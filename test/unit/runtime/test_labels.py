"""Label selectors: the string and dict forms, matching, canonical strings, errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kruise.runtime import labels
from kruise.runtime.labels import Operator, Requirement

FULL = "a=b,c!=d,e in (x,y),f notin (z),g,!h"


@pytest.mark.parametrize(
    ("selector", "object_labels", "expected"),
    [
        ("a=b", {"a": "b"}, True),
        ("a=b", {"a": "c"}, False),
        ("a=b", {}, False),
        ("a==b", {"a": "b"}, True),
        ("a!=b", {"a": "c"}, True),
        ("a!=b", {}, True),
        ("a!=b", {"a": "b"}, False),
        ("a in (x, y)", {"a": "y"}, True),
        ("a in (x,y)", {"a": "z"}, False),
        ("a in (x,y)", {}, False),
        ("a notin (x,y)", {"a": "z"}, True),
        ("a notin (x,y)", {}, True),
        ("a notin (x,y)", {"a": "x"}, False),
        ("a", {"a": ""}, True),
        ("a", {"b": "c"}, False),
        ("!a", {"b": "c"}, True),
        ("!a", {"a": "c"}, False),
        ("n>5", {"n": "6"}, True),
        ("n>5", {"n": "5"}, False),
        ("n<5", {"n": "-1"}, True),
        ("n<5", {"n": "x"}, False),
        ("n<5", {}, False),
        ("a=", {"a": ""}, True),
        ("a=", {"a": "b"}, False),
        ("", {}, True),
        ("   ", {"x": "y"}, True),
        (FULL, {"a": "b", "c": "e", "e": "x", "f": "y", "g": ""}, True),
        (FULL, {"a": "b", "c": "d", "e": "x", "g": ""}, False),
        (FULL, {"a": "b", "e": "x", "g": "", "h": "1"}, False),
        (FULL, {"a": "b", "e": "x"}, False),
    ],
)
def test_string_selectors_match_like_apimachinery(
    selector: str, object_labels: dict[str, str], expected: bool
) -> None:
    assert labels.parse(selector).matches(object_labels) is expected


def test_the_canonical_string_is_sorted_by_key_and_parses_back() -> None:
    selector = labels.parse("z notin (b,a), !y, x, w in (q, p), v!=1, u==2, t>3")
    text = str(selector)
    assert text == "t>3,u=2,v!=1,w in (p,q),x,!y,z notin (a,b)"
    assert labels.parse(text) == labels.Selector(
        tuple(sorted(selector.requirements, key=lambda r: r.key))
    )


def test_keys_may_have_a_dns_prefix() -> None:
    selector = labels.parse("app.kubernetes.io/name=web,!apps.kruise.io/paused")
    assert selector.matches({"app.kubernetes.io/name": "web"})
    assert not selector.matches({"app.kubernetes.io/name": "web", "apps.kruise.io/paused": ""})


def test_values_in_a_set_are_deduplicated() -> None:
    assert labels.parse("a in (x,x,y)").requirements[0].values == ("x", "y")


@pytest.mark.parametrize(
    ("selector", "problem"),
    [
        ("a in ()", "non-empty"),
        ("a in b", "expected '('"),
        ("a in (b", "missing ')'"),
        ("a in (b c)", "unexpected 'c'"),
        ("!a=b", "unexpected '='"),
        ("a b", "expected an operator"),
        ("a=b=c", "expected ','"),
        (",", "expected a label key"),
        ("a,", "trailing ','"),
        ("a,,b", "expected a label key"),
        ("=b", "expected a label key"),
        ("-a=b", "invalid label key"),
        ("a/=b", "invalid label key"),
        ("Bad_Prefix/a=b", "prefix must be a DNS subdomain"),
        ("a=" + "x" * 64, "invalid label value"),
        ("a=-b", "invalid label value"),
        ("a>x", "not an integer"),
        ("a>", "not an integer"),
    ],
)
def test_malformed_selectors_raise_a_clear_value_error(selector: str, problem: str) -> None:
    with pytest.raises(ValueError, match="invalid selector") as caught:
        labels.parse(selector)
    assert problem in str(caught.value)
    assert repr(selector) in str(caught.value)


def test_the_dict_form_combines_match_labels_and_expressions() -> None:
    selector = labels.from_label_selector(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["front", "edge"]},
                {"key": "env", "operator": "NotIn", "values": ["dev"]},
                {"key": "owner", "operator": "Exists"},
                {"key": "paused", "operator": "DoesNotExist", "values": []},
            ],
        }
    )
    assert selector.matches({"app": "web", "tier": "edge", "owner": "x"})
    assert selector.matches({"app": "web", "tier": "front", "owner": "x", "env": "prod"})
    assert not selector.matches({"app": "web", "tier": "front", "owner": "x", "env": "dev"})
    assert not selector.matches({"app": "web", "tier": "front"})
    assert not selector.matches({"app": "web", "tier": "front", "owner": "x", "paused": "1"})
    assert not selector.matches({"app": "db", "tier": "front", "owner": "x"})
    assert str(selector) == "app=web,env notin (dev),owner,!paused,tier in (edge,front)"


def test_an_empty_dict_selects_everything_and_none_selects_nothing() -> None:
    assert labels.from_label_selector({}).matches({"a": "b"})
    assert labels.from_label_selector({}).empty
    assert not labels.from_label_selector(None).matches({})
    assert not labels.NOTHING.empty


@pytest.mark.parametrize(
    ("selector", "problem"),
    [
        ({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["b"]}]}, "operator"),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, "non-empty"),
        ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["b"]}]}, "empty"),
        ({"matchExpressions": [{"operator": "Exists"}]}, "invalid label key"),
        ({"matchLabels": {"a": "b c"}}, "invalid label value"),
    ],
)
def test_malformed_dict_selectors_raise(selector: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match="invalid label selector") as caught:
        labels.from_label_selector(selector)
    assert problem in str(caught.value)


def test_objects_match_by_their_metadata_labels() -> None:
    selector = labels.from_set({"app": "web"})
    assert selector.matches_object({"metadata": {"labels": {"app": "web", "x": "y"}}})
    assert not selector.matches_object({"metadata": {}})
    assert labels.EVERYTHING.matches_object({"metadata": {}})


def test_as_selector_accepts_every_form() -> None:
    assert labels.as_selector(None) is labels.EVERYTHING
    assert labels.as_selector("a=b") == labels.parse("a=b")
    assert labels.as_selector({"matchLabels": {"a": "b"}}) == labels.parse("a=b")
    parsed = labels.parse("a")
    assert labels.as_selector(parsed) is parsed


def test_requirements_validate_themselves() -> None:
    with pytest.raises(ValueError, match="exactly one value"):
        Requirement("a", Operator.EQUALS, ("x", "y"))
    assert str(Requirement("a", Operator.NOT_IN, ("y", "x"))) == "a notin (x,y)"


_names = st.from_regex(r"[a-z0-9]([a-z0-9.-]{0,8}[a-z0-9])?", fullmatch=True)


@given(st.dictionaries(_names, _names, max_size=5), st.dictionaries(_names, _names, max_size=5))
def test_a_set_selector_matches_exactly_the_supersets(
    wanted: dict[str, str], have: dict[str, str]
) -> None:
    selector = labels.from_set(wanted)
    assert selector.matches(have) == all(have.get(k) == v for k, v in wanted.items())
    assert labels.parse(str(selector)).matches(have) == selector.matches(have)
