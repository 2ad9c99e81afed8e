"""The Advanced StatefulSet fields of later OpenKruise through the real API server and the
manager's webhooks: defaults, admission of each rule, which fields an update may change,
and a read-modify-write through v1alpha1 that keeps every v1beta1-only field."""

from __future__ import annotations

import copy
import http.client
import json
import ssl
from typing import Any

import pytest
from support.workloads import collection, create, read_modify_write, statefulset

from kruise.runtime.envtest import ControlPlane

Obj = dict[str, Any]
CARRIER = "apps.kruise.io/v1beta1-fields"
WEBHOOK = 'admission webhook "vstatefulset.kb.io" denied the request: '
LATER_SPEC: Obj = {
    "reserveOrdinals": [1, "3-4"],
    "ordinals": {"start": 2},
    "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"},
    "scaleStrategy": {"maxUnavailable": "50%"},
    "lifecycle": {
        "preDelete": {"labelsHandler": {"example.com/hold": "true"}},
        "inPlaceUpdate": {"finalizersHandler": ["example.com/drain"]},
    },
}


def path_of(obj: Obj, namespace: str, version: str) -> str:
    return f"{collection(obj, namespace, version)}/{obj['metadata']['name']}"


def refusal(plane: ControlPlane, method: str, path: str, obj: Obj) -> tuple[str, list[str]]:
    """The whole message and the cause fields of the 422 answer to ``method path``
    (``SyncRest`` would cut the message to 300 characters)."""
    status, answer = send(plane, method, path, obj)
    assert status == 422, answer
    causes = [c.get("field", "") for c in answer.get("details", {}).get("causes", [])]
    return str(answer["message"]), causes


def send(plane: ControlPlane, method: str, path: str, obj: Obj) -> tuple[int, Obj]:
    """One request; the status code and the whole answer."""
    config = plane.rest.config
    context = ssl.create_default_context(cafile=str(config.ca_file))
    context.load_cert_chain(str(config.cert_file), str(config.key_file))
    conn = http.client.HTTPSConnection(config.host, config.port, context=context, timeout=30)
    try:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(obj).encode(), headers=headers)
        response = conn.getresponse()
        answer: Obj = json.loads(response.read() or b"{}")
    finally:
        conn.close()
    return response.status, answer


def test_v1alpha1_read_modify_write_keeps_every_later_field(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    sent = statefulset("later", 3, podManagementPolicy="Parallel", **copy.deepcopy(LATER_SPEC))
    create(kruise_plane.rest, kruise_namespace, sent)
    alpha_path = path_of(sent, kruise_namespace, "v1alpha1")
    beta_path = path_of(sent, kruise_namespace, "v1beta1")

    as_alpha = read_modify_write(kruise_plane.rest, alpha_path, lambda obj: None)
    assert not set(LATER_SPEC) & set(as_alpha["spec"])
    carried = json.loads(as_alpha["metadata"]["annotations"][CARRIER])
    assert carried["spec"] == LATER_SPEC

    as_beta = kruise_plane.rest.get(beta_path)
    assert as_beta["metadata"]["generation"] == 1  # the write changed nothing
    assert {k: as_beta["spec"][k] for k in LATER_SPEC} == LATER_SPEC
    assert CARRIER not in (as_beta["metadata"].get("annotations") or {})


def test_v1alpha1_write_that_scales_keeps_later_fields(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    sent = statefulset("scaled", 3, podManagementPolicy="Parallel", **copy.deepcopy(LATER_SPEC))
    create(kruise_plane.rest, kruise_namespace, sent)
    alpha_path = path_of(sent, kruise_namespace, "v1alpha1")
    read_modify_write(kruise_plane.rest, alpha_path, lambda obj: obj["spec"].update(replicas=5))
    as_beta = kruise_plane.rest.get(path_of(sent, kruise_namespace, "v1beta1"))
    assert as_beta["spec"]["replicas"] == 5
    assert {k: as_beta["spec"][k] for k in LATER_SPEC} == LATER_SPEC


def test_defaults_of_the_later_fields(kruise_plane: ControlPlane, kruise_namespace: str) -> None:
    spec = create(kruise_plane.rest, kruise_namespace, statefulset("defaults", ordinals={}))["spec"]
    assert spec["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    assert spec["ordinals"] == {"start": 0}
    assert "scaleStrategy" not in spec
    assert "lifecycle" not in spec


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        # The release's third example; v0.7.0 refused it.
        ("third-example", {"replicas": 3, "reserveOrdinals": [1, 3]}),
        ("beyond", {"replicas": 3, "reserveOrdinals": [5]}),
        ("ranges", {"replicas": 3, "reserveOrdinals": [0, "3-5", "4-6"]}),
        ("start", {"replicas": 2, "ordinals": {"start": 5}}),
        (
            "parallel-scale",
            {"podManagementPolicy": "Parallel", "scaleStrategy": {"maxUnavailable": 2}},
        ),
        ("ordered-scale", {"scaleStrategy": {"maxUnavailable": 1}}),
        (
            "retention",
            {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete"}},
        ),
    ],
)
def test_accepted(kruise_plane: ControlPlane, kruise_namespace: str, name: str, spec: Obj) -> None:
    created = create(kruise_plane.rest, kruise_namespace, statefulset(name, **spec))
    for key, value in spec.items():
        if key != "persistentVolumeClaimRetentionPolicy":
            assert created["spec"][key] == value
    retention = created["spec"]["persistentVolumeClaimRetentionPolicy"]
    assert retention["whenScaled"] == "Retain"


@pytest.mark.parametrize(
    ("spec", "field", "expected"),
    [
        (
            {"reserveOrdinals": [0, 1, "4-2"]},
            "spec.reserveOrdinals[2]",
            'spec.reserveOrdinals[2]: Invalid value: "4-2": the start of a range must not be '
            "greater than its end",
        ),
        (
            {"reserveOrdinals": [0, 1, -1]},
            "spec.reserveOrdinals[2]",
            "spec.reserveOrdinals[2]: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            {"reserveOrdinals": [0, 1, "3..5"]},
            "spec.reserveOrdinals[2]",
            'spec.reserveOrdinals[2]: Invalid value: "3..5": must be an integer or a range '
            'like "3-5"',
        ),
        (
            {"scaleStrategy": {"maxUnavailable": 2}},
            "spec.scaleStrategy.maxUnavailable",
            "spec.scaleStrategy.maxUnavailable: Invalid value: 2: must be 1 unless "
            "podManagementPolicy is Parallel",
        ),
        (
            {"podManagementPolicy": "Parallel", "scaleStrategy": {"maxUnavailable": "0%"}},
            "spec.scaleStrategy.maxUnavailable",
            'spec.scaleStrategy.maxUnavailable: Invalid value: "0%": must be at least 1, or a '
            "percentage above 0%",
        ),
        (
            {"ordinals": {"start": -1}},
            "spec.ordinals.start",
            "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0",
        ),
    ],
)
def test_refused_by_the_webhook_naming_the_field(
    kruise_plane: ControlPlane, kruise_namespace: str, spec: Obj, field: str, expected: str
) -> None:
    obj = statefulset("refused", 3, **spec)
    message, causes = refusal(kruise_plane, "POST", collection(obj, kruise_namespace), obj)
    assert message == WEBHOOK + expected
    assert causes == [field]


def test_a_bad_retention_policy_is_refused_in_either_version(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    beta = statefulset("keep", persistentVolumeClaimRetentionPolicy={"whenDeleted": "Keep"})
    message, causes = refusal(kruise_plane, "POST", collection(beta, kruise_namespace), beta)
    # The schema's enum speaks first for v1beta1 ...
    assert "spec.persistentVolumeClaimRetentionPolicy.whenDeleted" in causes, message
    # ... and the webhook for v1alpha1, whose annotation the schema never reads.
    alpha = statefulset("keep", version="v1alpha1")
    carried = {"spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Keep"}}}
    alpha["metadata"]["annotations"] = {CARRIER: json.dumps(carried)}
    message, causes = refusal(kruise_plane, "POST", collection(alpha, kruise_namespace), alpha)
    assert message == (
        WEBHOOK + "spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "
        '"Keep": supported values: "Retain", "Delete"'
    )
    assert causes == ["spec.persistentVolumeClaimRetentionPolicy.whenDeleted"]


def test_a_bad_carried_reserved_ordinal_is_refused_through_v1alpha1(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    alpha = statefulset("carried", 3, version="v1alpha1")
    alpha["metadata"]["annotations"] = {CARRIER: '{"spec":{"reserveOrdinals":[1,"2-x"]}}'}
    message, causes = refusal(kruise_plane, "POST", collection(alpha, kruise_namespace), alpha)
    assert message == WEBHOOK + (
        'spec.reserveOrdinals[1]: Invalid value: "2-x": must be an integer or a range like "3-5"'
    )
    assert causes == ["spec.reserveOrdinals[1]"]


def test_an_update_may_change_what_later_openkruise_lets_change(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    created = create(kruise_plane.rest, kruise_namespace, statefulset("mutable", 3))
    path = path_of(created, kruise_namespace, "v1beta1")
    changes: Obj = {
        "revisionHistoryLimit": 2,
        "reserveOrdinals": [0, "5-6"],
        "ordinals": {"start": 1},
        "lifecycle": {"preDelete": {"finalizersHandler": ["example.com/hold"]}},
        "scaleStrategy": {"maxUnavailable": 1},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Delete"},
    }
    read_modify_write(kruise_plane.rest, path, lambda obj: obj["spec"].update(changes))
    updated = kruise_plane.rest.get(path)
    assert {k: updated["spec"][k] for k in changes} == changes


def test_an_update_of_an_immutable_field_keeps_kubernetes_wording(
    kruise_plane: ControlPlane, kruise_namespace: str
) -> None:
    created = create(kruise_plane.rest, kruise_namespace, statefulset("immutable", 3))
    path = path_of(created, kruise_namespace, "v1beta1")
    for _ in range(20):  # until no status write of the controller gets in between
        changed = kruise_plane.rest.get(path)
        changed["spec"]["serviceName"] = "elsewhere"
        status, answer = send(kruise_plane, "PUT", path, changed)
        if status != 409:
            break
    assert status == 422, answer
    message = answer["message"]
    causes = [c.get("field", "") for c in answer["details"]["causes"]]
    assert message == WEBHOOK + (
        "spec.serviceName: Forbidden: updates to statefulset spec for fields other than "
        "'replicas', 'ordinals', 'template', 'reserveOrdinals', 'lifecycle', "
        "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', "
        "'volumeClaimTemplates', 'scaleStrategy' and 'updateStrategy' are forbidden"
    )
    assert causes == ["spec.serviceName"]
