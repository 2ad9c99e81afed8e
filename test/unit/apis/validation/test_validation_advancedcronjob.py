"""AdvancedCronJob validation: each rule's error and its accepted edge."""

from __future__ import annotations

from typing import Any

import pytest
from support.fields import DELETE, with_field
from support.validation import advancedcronjob, messages

from kruise.apis.apps.validation.advancedcronjob import validate_advancedcronjob

JOB_POD = "spec.template.jobTemplate.spec.template"
BCJ_SPEC = "spec.template.broadcastJobTemplate.spec"
IMMUTABLE = (
    "Forbidden: updates to advancedcronjob spec for fields other than 'schedule', 'timeZone', "
    "'concurrencyPolicy', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit', "
    "'startingDeadlineSeconds' and 'paused' are forbidden"
)


@pytest.mark.parametrize("template", ["jobTemplate", "broadcastJobTemplate"])
def test_samples_are_valid(template: str) -> None:
    assert validate_advancedcronjob(advancedcronjob(template)) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "metadata.name",
            "Nightly_Run",
            'metadata.name: Invalid value: "Nightly_Run": AdvancedCronJob name must consist of '
            "alphanumeric characters or '-' (e.g. 'example-com', regex used for validation is "
            r"'^[a-zA-Z0-9\-]+$')",
        ),
        ("spec.schedule", "", "spec.schedule: Required value"),
        ("spec.schedule", "@hourly", None),
        (
            "spec.schedule",
            "0 0 * * * *",
            'spec.schedule: Invalid value: "0 0 * * * *": expected exactly 5 fields '
            "(minute, hour, day of month, month, day of week), found 6",
        ),
        (
            "spec.schedule",
            "60 * * * *",
            'spec.schedule: Invalid value: "60 * * * *": minute field 60: 60 is above '
            "the maximum 59",
        ),
        ("spec.timeZone", "Europe/Berlin", None),
        ("spec.timeZone", "UTC", None),
        (
            "spec.timeZone",
            "Mars/Olympus",
            'spec.timeZone: Invalid value: "Mars/Olympus": '
            "unknown time zone: not in the IANA time zone database",
        ),
        (
            "spec.timeZone",
            "",
            'spec.timeZone: Invalid value: "": must be an IANA time zone name such as '
            '"Europe/Berlin"',
        ),
        (
            "spec.timeZone",
            "Local",
            'spec.timeZone: Invalid value: "Local": '
            "must be an explicit IANA time zone name, not the manager's local time",
        ),
        ("spec.startingDeadlineSeconds", 0, None),
        (
            "spec.startingDeadlineSeconds",
            -1,
            "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
        ),
        ("spec.successfulJobsHistoryLimit", 0, None),
        (
            "spec.failedJobsHistoryLimit",
            -1,
            "spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            "spec.concurrencyPolicy",
            "Queue",
            'spec.concurrencyPolicy: Unsupported value: "Queue": '
            'supported values: "Allow", "Forbid", "Replace"',
        ),
        (
            "spec.template",
            {},
            "spec.template: Required value: one of jobTemplate and "
            "broadcastJobTemplate must be set",
        ),
        (
            "spec.template.broadcastJobTemplate",
            {"spec": {}},
            "spec.template: Forbidden: only one of jobTemplate and broadcastJobTemplate may be set",
        ),
        (
            f"{JOB_POD}.spec.restartPolicy",
            "Always",
            f'{JOB_POD}.spec.restartPolicy: Unsupported value: "Always": '
            'supported values: "OnFailure", "Never"',
        ),
        (f"{JOB_POD}.spec.containers", DELETE, f"{JOB_POD}.spec.containers: Required value"),
        (
            "spec.template.jobTemplate.spec.backoffLimit",
            -1,
            "spec.template.jobTemplate.spec.backoffLimit: Invalid value: -1: "
            "must be greater than or equal to 0",
        ),
    ],
)
def test_field_rule(field: str, value: Any, expected: str | None) -> None:
    errors = messages(validate_advancedcronjob(with_field(advancedcronjob(), field, value)))
    assert errors == ([expected] if expected else [])


def test_broadcast_job_template_follows_broadcast_job_rules() -> None:
    obj = with_field(advancedcronjob("broadcastJobTemplate"), f"{BCJ_SPEC}.parallelism", "120%")
    assert messages(validate_advancedcronjob(obj)) == [
        f'{BCJ_SPEC}.parallelism: Invalid value: "120%": must be between 0% and 100%'
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spec.schedule", "0 3 * * *"),
        ("spec.timeZone", "Asia/Tokyo"),
        ("spec.concurrencyPolicy", "Forbid"),
        ("spec.successfulJobsHistoryLimit", 10),
        ("spec.failedJobsHistoryLimit", 0),
        ("spec.startingDeadlineSeconds", 30),
        ("spec.paused", True),
    ],
)
def test_mutable_fields(field: str, value: Any) -> None:
    old = advancedcronjob()
    assert validate_advancedcronjob(with_field(old, field, value), old) == []


def test_template_is_immutable() -> None:
    old = advancedcronjob()
    new = with_field(old, f"{JOB_POD}.spec.containers[0].image", "busybox:2")
    assert messages(validate_advancedcronjob(new, old)) == [f"spec.template: {IMMUTABLE}"]
