"""A v1alpha1 write may not bring an unreadable apps.kruise.io/v1beta1-fields annotation."""

from __future__ import annotations

from typing import Any

import pytest
from support.fields import with_field
from support.validation import cloneset, messages

from kruise.apis.apps.validation.carrier import validate_carried_fields

AT = "metadata.annotations[apps.kruise.io/v1beta1-fields]"


def carrying(raw: Any) -> dict[str, Any]:
    return with_field(cloneset(), "metadata.annotations", {"apps.kruise.io/v1beta1-fields": raw})


@pytest.mark.parametrize(
    "raw", ['{"spec":{"updateStrategy":{"type":"RollingUpdate"}}}', "{}", '{"spec":{"x":1}}']
)
def test_a_readable_annotation_passes(raw: str) -> None:
    assert validate_carried_fields(carrying(raw)) == []


def test_no_annotation_passes() -> None:
    assert validate_carried_fields(cloneset()) == []


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("{spec", "not JSON"),
        ("[1]", "must be a JSON object"),
        ('{"overrides":{"spec":{"converted":1}}}', "overrides[spec]: not a JSON pointer"),
    ],
)
def test_an_unreadable_annotation_is_refused(raw: str, detail: str) -> None:
    errors = messages(validate_carried_fields(carrying(raw)))
    assert len(errors) == 1
    assert errors[0].startswith(f"{AT}: Invalid value: ")
    assert detail in errors[0]


def test_an_update_keeping_an_unreadable_annotation_is_not_blocked() -> None:
    old = carrying("{spec")
    assert validate_carried_fields(with_field(old, "spec.replicas", 9), old) == []
    assert validate_carried_fields(carrying("{spec"), cloneset()) != []
