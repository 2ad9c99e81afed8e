"""Templates as Go's typed objects write them, quantities as Go's Quantity does, image
references as Kubernetes parses them for pull policies.

Expected values are hack/difftest's answers (OpenKruise v1.9.0, k8s.io/api v0.32.10);
test/difftest compares thousands of generated templates the same way.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kruise.apis.apps.defaults.image import image_tag, init_container_pull_policy
from kruise.apis.apps.defaults.pod import round_up_quantities
from kruise.apis.apps.defaults.quantity import MILLI, go_quantity, parse_quantity
from kruise.apis.apps.defaults.typed import typed_claim_template, typed_pod_template


@pytest.mark.parametrize(
    ("written", "go"),
    [
        ("1000m", "1"),
        ("0.5Gi", "512Mi"),
        ("1.5", "1500m"),
        ("1e3", "1e3"),
        ("00100m", "00100m"),  # already canonical digits: Go keeps the text as written
        ("+1", "+1"),
        ("0.0000000001", "1n"),  # rounded up to a nano-unit
        ("1536Mi", "1536Mi"),
        ("1024Mi", "1Gi"),
        ("12345678901234567890", "12345678901234567890"),
        ("100Ki", "100Ki"),
        (1, "1"),
        (0.5, "500m"),
        ("1.5Gi", "1536Mi"),
        ("2048", "2048"),
        ("1E", "1E"),
        (None, "0"),
    ],
)
def test_quantities_are_written_as_go_writes_them(written: Any, go: str) -> None:
    quantity = go_quantity(written)
    assert quantity is not None
    assert str(quantity) == go


@pytest.mark.parametrize("bad", ["", "abc", "1Q", "1e", "1.2.3", True, {"a": 1}])
def test_quantities_go_refuses_are_not_read(bad: Any) -> None:
    assert go_quantity(bad) is None


@pytest.mark.parametrize(
    ("written", "rounded"),
    [("0.0001", "1m"), ("1.5", "1500m"), ("100Ki", "100Ki"), ("1n", "1m"), ("0.5Gi", "512Mi")],
)
def test_round_up_to_milli_units_as_set_defaults_resource_list(written: str, rounded: str) -> None:
    assert str(parse_quantity(written).round_up(MILLI)) == rounded
    resources = {"cpu": written}
    round_up_quantities(resources)
    assert str(go_quantity(resources["cpu"])) == rounded


def test_round_up_leaves_text_alone_when_the_value_does_not_change() -> None:
    resources = {"cpu": "1000m", "memory": "1.5Gi", "odd": "not a quantity"}
    round_up_quantities(resources)
    assert resources == {"cpu": "1000m", "memory": "1.5Gi", "odd": "not a quantity"}


def test_a_template_without_resources_is_written_with_empty_resources() -> None:
    template = {"spec": {"containers": [{"name": "main", "image": "nginx"}]}}
    assert typed_pod_template(template) == {
        "metadata": {"creationTimestamp": None},
        "spec": {"containers": [{"name": "main", "image": "nginx", "resources": {}}]},
    }


def test_unknown_fields_and_empty_optional_fields_are_dropped() -> None:
    template = {
        "metadata": {"labels": {}, "annotations": None, "finalizers": [], "name": ""},
        "spec": {
            "containers": [
                {
                    "name": "main",
                    "image": "nginx",
                    "command": [],
                    "stdin": False,
                    "workingDir": "",
                    "unknownField": "x",
                    "Name": "case matters",
                    "ports": [{"containerPort": 80, "hostPort": 0, "protocol": ""}],
                }
            ],
            "nodeSelector": {},
            "hostNetwork": False,
            "tolerations": None,
        },
        "status": {"phase": "Running"},
    }
    assert typed_pod_template(template) == {
        "metadata": {"creationTimestamp": None},
        "spec": {
            "containers": [
                {
                    "name": "main",
                    "image": "nginx",
                    "ports": [{"containerPort": 80}],
                    "resources": {},
                }
            ]
        },
    }


def test_fields_are_written_in_go_struct_order_and_map_keys_sorted() -> None:
    template = {
        "spec": {
            "schedulerName": "s",
            "containers": [{"image": "i", "name": "n"}],
            "nodeSelector": {"z": "1", "a": "2"},
        },
        "metadata": {"labels": {"b": "1", "a": "2"}},
    }
    typed = typed_pod_template(template)
    assert json.dumps(typed) == json.dumps(
        {
            "metadata": {"creationTimestamp": None, "labels": {"a": "2", "b": "1"}},
            "spec": {
                "containers": [{"name": "n", "image": "i", "resources": {}}],
                "nodeSelector": {"a": "2", "z": "1"},
                "schedulerName": "s",
            },
        }
    )


def test_nulls_are_zero_values_and_times_are_utc_seconds() -> None:
    template = {
        "metadata": {"creationTimestamp": "2024-05-01T12:00:00.5+02:00"},
        "spec": {"containers": [{"name": None, "args": [None, "x"]}]},
    }
    assert typed_pod_template(template) == {
        "metadata": {"creationTimestamp": "2024-05-01T10:00:00Z"},
        "spec": {"containers": [{"name": "", "args": ["", "x"], "resources": {}}]},
    }


def test_values_of_the_wrong_type_are_kept() -> None:
    template = {"spec": {"containers": "nope", "priority": "high"}}
    assert typed_pod_template(template)["spec"] == {"containers": "nope", "priority": "high"}


def test_claim_templates_always_have_spec_resources_and_status() -> None:
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
    assert typed_claim_template(claim) == {
        "metadata": {"name": "data", "creationTimestamp": None},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {}},
        "status": {},
    }


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("nginx", "latest"),
        ("nginx:1.25", "1.25"),
        ("reg.example.com:5000/team/app:v2", "v2"),
        ("localhost:5000/app", "latest"),
        ("app@sha256:" + "a" * 64, ""),
        ("app:v1@sha256:" + "b" * 64, "v1"),
        ("app@sha256:abc", None),  # a digest of the wrong length
        ("app@md5:" + "c" * 32, None),  # an algorithm Kubernetes does not know
        ("a" * 64, None),  # a bare image ID
        ("Nginx", None),  # repository names are lower-case
        ("UPPER/app", "latest"),  # an upper-case first component is a registry host
        ("my_reg.io/app", "latest"),  # not a valid host, but a valid path
        ("", None),
        ("[::1]:5000/app:1", "1"),
    ],
)
def test_image_tags_as_parse_image_name(image: str, tag: str | None) -> None:
    assert image_tag(image) == tag


def test_init_container_pull_policy_is_always_only_for_latest() -> None:
    assert init_container_pull_policy("nginx") == "Always"
    assert init_container_pull_policy("nginx:latest") == "Always"
    assert init_container_pull_policy("nginx:1") == "IfNotPresent"
    assert init_container_pull_policy("Bad Image") == "IfNotPresent"
    assert init_container_pull_policy(None) == "IfNotPresent"
