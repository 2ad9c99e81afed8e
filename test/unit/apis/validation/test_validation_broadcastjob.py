"""BroadcastJob validation: each rule's error and its accepted edge."""

from __future__ import annotations

from typing import Any

import pytest
from support.fields import with_field
from support.validation import broadcastjob, messages

from kruise.apis.apps.validation.broadcastjob import validate_broadcastjob

CP = "spec.completionPolicy"


def test_sample_is_valid() -> None:
    assert validate_broadcastjob(broadcastjob()) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "metadata.name",
            "demo.job",
            'metadata.name: Invalid value: "demo.job": BroadcastJob name must consist of '
            "alphanumeric characters or '-' (e.g. 'example-com', regex used for validation is "
            r"'^[a-zA-Z0-9\-]+$')",
        ),
        ("metadata.name", "a" * 63, None),
        (
            "metadata.name",
            "a" * 64,
            f'metadata.name: Invalid value: "{"a" * 64}": must be no more than 63 characters',
        ),
        (
            f"{CP}.type",
            "Sometimes",
            f'{CP}.type: Unsupported value: "Sometimes": supported values: "Always", "Never"',
        ),
        (f"{CP}.ttlSecondsAfterFinished", 0, None),
        (
            f"{CP}.ttlSecondsAfterFinished",
            -1,
            f"{CP}.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0",
        ),
        (f"{CP}.activeDeadlineSeconds", 600, None),
        ("spec.parallelism", 0, None),
        ("spec.parallelism", "100%", None),
        (
            "spec.parallelism",
            "101%",
            'spec.parallelism: Invalid value: "101%": must be between 0% and 100%',
        ),
        (
            "spec.parallelism",
            "3",
            'spec.parallelism: Invalid value: "3": a string must be a percentage such as "3%"; '
            "write a count as the number 3, without quotes",
        ),
        (
            "spec.parallelism",
            -1,
            "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            "spec.failurePolicy.type",
            "Retry",
            'spec.failurePolicy.type: Unsupported value: "Retry": '
            'supported values: "Continue", "FailFast", "Pause"',
        ),
        (
            "spec.failurePolicy.restartLimit",
            -1,
            "spec.failurePolicy.restartLimit: Invalid value: -1: must be greater than "
            "or equal to 0",
        ),
        ("spec.template.spec.restartPolicy", "OnFailure", None),
        (
            "spec.template.spec.restartPolicy",
            "Always",
            'spec.template.spec.restartPolicy: Unsupported value: "Always": '
            'supported values: "OnFailure", "Never"',
        ),
        (
            "spec.template.metadata.labels.broadcastjob-name",
            "x",
            'spec.template.metadata.labels: Invalid value: {"app":"demo","broadcastjob-name":"x"}: '
            "must not set broadcastjob-name: the BroadcastJob controller sets them",
        ),
        ("spec.template.spec.containers", [], "spec.template.spec.containers: Required value"),
    ],
)
def test_field_rule(field: str, value: Any, expected: str | None) -> None:
    errors = messages(validate_broadcastjob(with_field(broadcastjob(), field, value)))
    assert errors == ([expected] if expected else [])


@pytest.mark.parametrize("field", ["ttlSecondsAfterFinished", "activeDeadlineSeconds"])
def test_never_completing_jobs_refuse_deadlines(field: str) -> None:
    obj = with_field(broadcastjob(), f"{CP}.type", "Never")
    assert validate_broadcastjob(obj) == []
    assert messages(validate_broadcastjob(with_field(obj, f"{CP}.{field}", 30))) == [
        f"{CP}.{field}: Invalid value: 30: only allowed when completionPolicy.type is Always"
    ]


def test_both_reserved_labels_are_named() -> None:
    labels = {"broadcastjob-name": "x", "broadcastjob-controller-uid": "y"}
    obj = with_field(broadcastjob(), "spec.template.metadata.labels", labels)
    assert messages(validate_broadcastjob(obj)) == [
        'spec.template.metadata.labels: Invalid value: {"broadcastjob-name":"x",'
        '"broadcastjob-controller-uid":"y"}: must not set broadcastjob-name or '
        "broadcastjob-controller-uid: the BroadcastJob controller sets them"
    ]


def test_template_is_immutable_the_rest_may_change() -> None:
    old = broadcastjob()
    for field, value in [
        ("spec.parallelism", 3),
        ("spec.paused", True),
        ("spec.completionPolicy.ttlSecondsAfterFinished", 60),
        ("spec.failurePolicy.type", "Continue"),
        ("metadata.labels", {"team": "a"}),
    ]:
        assert validate_broadcastjob(with_field(old, field, value), old) == [], field
    new = with_field(old, "spec.template.spec.containers[0].image", "busybox:2")
    assert messages(validate_broadcastjob(new, old)) == [
        "spec.template: Forbidden: field is immutable: every pod of a BroadcastJob runs the "
        "template it was created with"
    ]
