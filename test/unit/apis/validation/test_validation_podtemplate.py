"""Pod template checks shared by every kind."""

from __future__ import annotations

from typing import Any

import pytest
from support.validation import messages

from kruise.apis.apps.validation.field import path
from kruise.apis.apps.validation.podtemplate import validate_pod_template

AT = path("spec", "template")
C0 = "spec.template.spec.containers[0]"


def template(**container: Any) -> dict[str, Any]:
    return {"spec": {"containers": [{"name": "main", "image": "nginx", **container}]}}


def check(tpl: object, claims: tuple[str, ...] = ()) -> list[str]:
    return messages(validate_pod_template(tpl, AT, claim_names=claims))


def test_minimal_template_is_valid() -> None:
    assert check(template()) == []


def test_template_shape() -> None:
    assert check(None) == ["spec.template: Required value"]
    assert check({"spec": None}) == ["spec.template.spec: Required value"]
    assert check({"spec": []}) == ["spec.template.spec: Invalid value: []: must be an object"]


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        ({"name": ""}, f"{C0}.name: Required value"),
        (
            {"image": " nginx"},
            f'{C0}.image: Invalid value: " nginx": must not have leading or trailing whitespace',
        ),
        (
            {"imagePullPolicy": "Sometimes"},
            f'{C0}.imagePullPolicy: Unsupported value: "Sometimes": '
            'supported values: "Always", "IfNotPresent", "Never"',
        ),
        (
            {"terminationMessagePolicy": "Log"},
            f'{C0}.terminationMessagePolicy: Unsupported value: "Log": '
            'supported values: "File", "FallbackToLogsOnError"',
        ),
        ({"ports": [{"containerPort": 65535}]}, None),
        (
            {"ports": [{"containerPort": 0}]},
            f"{C0}.ports[0].containerPort: Invalid value: 0: must be between 1 and "
            f"65535, inclusive",
        ),
        (
            {"ports": [{"containerPort": 80, "protocol": "HTTP"}]},
            f'{C0}.ports[0].protocol: Unsupported value: "HTTP": supported values: '
            f'"SCTP", "TCP", "UDP"',
        ),
        (
            {"volumeMounts": [{"name": "data", "mountPath": "/d"}]},
            f'{C0}.volumeMounts[0].name: Not found: "data"',
        ),
        (
            {"volumeMounts": [{"name": "", "mountPath": "/d"}]},
            f"{C0}.volumeMounts[0].name: Required value",
        ),
    ],
)
def test_container_rules(container: dict[str, Any], expected: str | None) -> None:
    assert check(template(**container)) == ([expected] if expected else [])


def test_volume_mounts_may_name_claim_templates() -> None:
    tpl = template(volumeMounts=[{"name": "data", "mountPath": "/d"}])
    assert check(tpl, claims=("data",)) == []


def test_container_names_are_unique_across_init_containers() -> None:
    tpl = template()
    tpl["spec"]["initContainers"] = [{"name": "main", "image": "busybox"}]
    assert check(tpl) == ['spec.template.spec.containers[0].name: Duplicate value: "main"']


def test_volumes() -> None:
    tpl = template()
    tpl["spec"]["volumes"] = [{"name": "a", "emptyDir": {}}, {"name": "a"}, {"name": "B"}]
    assert check(tpl)[:2] == [
        'spec.template.spec.volumes[1].name: Duplicate value: "a"',
        'spec.template.spec.volumes[2].name: Invalid value: "B": a lowercase RFC 1123 label must '
        "consist of lower case alphanumeric characters or '-', and must start and end with an "
        "alphanumeric character (e.g. 'my-name' or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "restartPolicy",
            "Sometimes",
            'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": '
            'supported values: "Always", "OnFailure", "Never"',
        ),
        (
            "dnsPolicy",
            "Google",
            'spec.template.spec.dnsPolicy: Unsupported value: "Google": supported '
            'values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
        ),
        (
            "terminationGracePeriodSeconds",
            -1,
            "spec.template.spec.terminationGracePeriodSeconds: Invalid value: -1: must "
            "be greater than or equal to 0",
        ),
        ("terminationGracePeriodSeconds", 0, None),
        (
            "activeDeadlineSeconds",
            0,
            "spec.template.spec.activeDeadlineSeconds: Invalid value: 0: must be "
            "between 1 and 2147483647, inclusive",
        ),
        ("activeDeadlineSeconds", 1, None),
    ],
)
def test_pod_spec_rules(field: str, value: Any, expected: str | None) -> None:
    tpl = template()
    tpl["spec"][field] = value
    assert check(tpl) == ([expected] if expected else [])


def test_template_labels_are_checked() -> None:
    tpl = template()
    tpl["metadata"] = {"labels": {"a": "b c"}}
    assert check(tpl)[0].startswith(
        'spec.template.metadata.labels: Invalid value: "b c": a valid label'
    )
