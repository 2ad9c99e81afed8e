"""The generated CRDs: committed files are current, and each CRD says what users expect."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kruise.apis.apps.crdgen import (
    CUSTOM_RESOURCES,
    custom_resource_definition,
    generated_files,
    stale_files,
    write_files,
)

REPOSITORY = Path(__file__).resolve().parents[3]
GENERATOR = REPOSITORY / "hack" / "gen-crds.py"
CRD_DIR = "config/crd"  # where the generator keeps them in the repository
STATEFULSET_COLUMNS = ("DESIRED", "CURRENT", "UPDATED", "READY", "AGE", "CONTAINERS", "IMAGES")
CRD_FILES = [
    "bases/apps.kruise.io_advancedcronjobs.yaml",
    "bases/apps.kruise.io_broadcastjobs.yaml",
    "bases/apps.kruise.io_clonesets.yaml",
    "bases/apps.kruise.io_statefulsets.yaml",
]


def _crds() -> dict[str, dict[str, Any]]:
    return {c.resource.plural: custom_resource_definition(c) for c in CUSTOM_RESOURCES}


def _version(plural: str, version: str) -> dict[str, Any]:
    versions = _crds()[plural]["spec"]["versions"]
    return next(v for v in versions if v["name"] == version)


def _schema(plural: str, version: str, *path: str) -> dict[str, Any]:
    node = _version(plural, version)["schema"]["openAPIV3Schema"]
    for step in path:
        node = node["items"] if step == "[]" else node["properties"][step]
    return dict(node)


def test_committed_crds_match_the_types() -> None:
    stale = stale_files(REPOSITORY / CRD_DIR)
    assert not stale, f"generated files are out of date, run `make crds`: {stale}"


def test_kustomization_lists_every_crd() -> None:
    files = generated_files()
    assert sorted(files) == sorted([*CRD_FILES, "kustomization.yaml"])
    kustomization = yaml.safe_load(files["kustomization.yaml"])
    assert kustomization["resources"] == CRD_FILES


@pytest.mark.parametrize(
    ("plural", "kind", "short_names"),
    [
        ("clonesets", "CloneSet", ["clone"]),
        ("statefulsets", "StatefulSet", ["sts", "asts"]),
        ("broadcastjobs", "BroadcastJob", ["bcj"]),
        ("advancedcronjobs", "AdvancedCronJob", ["acj"]),
    ],
)
def test_names(plural: str, kind: str, short_names: list[str]) -> None:
    crd = _crds()[plural]
    assert crd["apiVersion"] == "apiextensions.k8s.io/v1"
    assert crd["metadata"]["name"] == f"{plural}.apps.kruise.io"
    assert crd["spec"]["group"] == "apps.kruise.io"
    assert crd["spec"]["scope"] == "Namespaced"
    assert crd["spec"]["names"] == {
        "kind": kind,
        "listKind": f"{kind}List",
        "plural": plural,
        "singular": plural[:-1],
        "shortNames": short_names,
        "categories": ["kruise"],
    }


@pytest.mark.parametrize(
    ("plural", "version", "columns"),
    [
        ("clonesets", "v1alpha1", ["DESIRED", "UPDATED", "UPDATED_READY", "READY", "TOTAL", "AGE"]),
        ("clonesets", "v1beta1", ["DESIRED", "UPDATED", "UPDATED_READY", "READY", "TOTAL", "AGE"]),
        ("statefulsets", "v1alpha1", [*STATEFULSET_COLUMNS]),
        ("statefulsets", "v1beta1", [*STATEFULSET_COLUMNS]),
        ("broadcastjobs", "v1alpha1", ["Desired", "Active", "Succeeded", "Failed", "Phase", "AGE"]),
        ("broadcastjobs", "v1beta1", ["Desired", "Active", "Succeeded", "Failed", "Phase", "AGE"]),
        (
            "advancedcronjobs",
            "v1alpha1",
            ["Schedule", "TimeZone", "Type", "LastScheduleTime", "Active", "Paused", "AGE"],
        ),
        (
            "advancedcronjobs",
            "v1beta1",
            ["Schedule", "TimeZone", "Type", "LastScheduleTime", "Active", "Paused", "AGE"],
        ),
    ],
)
def test_printer_columns(plural: str, version: str, columns: list[str]) -> None:
    found = _version(plural, version)["additionalPrinterColumns"]
    assert [c["name"] for c in found] == columns
    types = {"AGE": "date", "LastScheduleTime": "date", "Schedule": "string", "Type": "string"}
    types |= {"CONTAINERS": "string", "IMAGES": "string"}
    types |= {"TimeZone": "string", "Paused": "boolean", "Phase": "string"}
    if plural == "advancedcronjobs":
        types["Active"] = "string"  # the running child's name; BroadcastJobs count pods
    for column in found:
        assert column["type"] == types.get(column["name"], "integer")
        assert column["description"]
    age = next(c for c in found if c["name"] == "AGE")
    assert age["jsonPath"] == ".metadata.creationTimestamp"


@pytest.mark.parametrize("version", ["v1alpha1", "v1beta1"])
def test_statefulset_wide_columns_show_containers_and_images(version: str) -> None:
    """As OpenKruise v1.9: ``kubectl get asts -o wide`` adds the template's containers and
    images; a plain ``kubectl get asts`` does not (priority 1)."""
    found = _version("statefulsets", version)["additionalPrinterColumns"]
    wide = {c["name"]: c for c in found if c.get("priority")}
    assert {name: (c["jsonPath"], c["priority"]) for name, c in wide.items()} == {
        "CONTAINERS": (".spec.template.spec.containers[*].name", 1),
        "IMAGES": (".spec.template.spec.containers[*].image", 1),
    }
    assert all("priority" not in c for c in found if c["name"] not in wide)


def test_subresources() -> None:
    scale = {
        "specReplicasPath": ".spec.replicas",
        "statusReplicasPath": ".status.replicas",
        "labelSelectorPath": ".status.labelSelector",
    }
    for plural in ("clonesets", "statefulsets"):
        for version in _crds()[plural]["spec"]["versions"]:
            assert version["subresources"] == {"status": {}, "scale": scale}
    for plural in ("broadcastjobs", "advancedcronjobs"):
        for version in _crds()[plural]["spec"]["versions"]:
            assert version["subresources"] == {"status": {}}


@pytest.mark.parametrize(
    ("plural", "stored"),
    [
        ("statefulsets", "v1beta1"),
        ("clonesets", "v1alpha1"),
        ("broadcastjobs", "v1alpha1"),
        ("advancedcronjobs", "v1alpha1"),
    ],
)
def test_every_kind_serves_both_versions_and_converts_by_webhook(plural: str, stored: str) -> None:
    spec = _crds()[plural]["spec"]
    assert [(v["name"], v["served"], v["storage"]) for v in spec["versions"]] == [
        ("v1alpha1", True, stored == "v1alpha1"),
        ("v1beta1", True, stored == "v1beta1"),
    ]
    assert spec["conversion"] == {
        "strategy": "Webhook",
        "webhook": {
            "conversionReviewVersions": ["v1", "v1beta1"],
            "clientConfig": {
                "service": {
                    "namespace": "kube-system",
                    "name": "kruise-webhook-service",
                    "path": "/convert",
                    "port": 443,
                }
            },
        },
    }


def test_later_statefulset_fields_only_in_v1beta1() -> None:
    assert _schema("statefulsets", "v1beta1", "spec", "reserveOrdinals")["items"] == {
        "anyOf": [{"type": "integer"}, {"type": "string"}],
        "x-kubernetes-int-or-string": True,
    }
    only_beta = {
        "spec": {
            "reserveOrdinals",
            "lifecycle",
            "scaleStrategy",
            "persistentVolumeClaimRetentionPolicy",
            "ordinals",
        },
        "status": {"updatedReadyReplicas", "updatedAvailableReplicas"},
    }
    for part, names in only_beta.items():
        alpha = _schema("statefulsets", "v1alpha1", part)["properties"]
        beta = _schema("statefulsets", "v1beta1", part)["properties"]
        assert names <= set(beta)
        assert {k: v for k, v in beta.items() if k not in names} == alpha


@pytest.mark.parametrize(
    ("plural", "version", "path"),
    [
        ("clonesets", "v1alpha1", ("spec", "updateStrategy", "partition")),
        ("clonesets", "v1alpha1", ("spec", "updateStrategy", "maxUnavailable")),
        ("clonesets", "v1alpha1", ("spec", "updateStrategy", "maxSurge")),
        ("statefulsets", "v1alpha1", ("spec", "updateStrategy", "rollingUpdate", "maxUnavailable")),
        ("statefulsets", "v1beta1", ("spec", "updateStrategy", "rollingUpdate", "maxUnavailable")),
        ("statefulsets", "v1beta1", ("spec", "scaleStrategy", "maxUnavailable")),
        ("statefulsets", "v1beta1", ("spec", "reserveOrdinals", "[]")),
        ("clonesets", "v1beta1", ("spec", "updateStrategy", "rollingUpdate", "partition")),
        ("clonesets", "v1beta1", ("spec", "updateStrategy", "rollingUpdate", "maxSurge")),
        ("clonesets", "v1beta1", ("spec", "scaleStrategy", "maxUnavailable")),
        (
            "clonesets",
            "v1beta1",
            (
                "spec",
                "updateStrategy",
                "rollingUpdate",
                "inPlaceUpdateStrategy",
                "imagePreDownloadParallelism",
            ),
        ),
        ("broadcastjobs", "v1alpha1", ("spec", "parallelism")),
        ("broadcastjobs", "v1beta1", ("spec", "parallelism")),
        (
            "advancedcronjobs",
            "v1alpha1",
            ("spec", "template", "broadcastJobTemplate", "spec", "parallelism"),
        ),
    ],
)
def test_int_or_string_fields(plural: str, version: str, path: tuple[str, ...]) -> None:
    schema = _schema(plural, version, *path)
    assert schema["x-kubernetes-int-or-string"] is True
    assert schema["anyOf"] == [{"type": "integer"}, {"type": "string"}]


@pytest.mark.parametrize(
    ("plural", "version", "path"),
    [
        ("clonesets", "v1alpha1", ("spec", "template")),
        ("clonesets", "v1alpha1", ("spec", "volumeClaimTemplates", "[]")),
        ("statefulsets", "v1beta1", ("spec", "template")),
        ("statefulsets", "v1beta1", ("spec", "volumeClaimTemplates", "[]")),
        ("clonesets", "v1beta1", ("spec", "template")),
        ("clonesets", "v1beta1", ("spec", "volumeClaimTemplates", "[]")),
        ("broadcastjobs", "v1alpha1", ("spec", "template")),
        ("broadcastjobs", "v1beta1", ("spec", "template")),
        ("advancedcronjobs", "v1beta1", ("spec", "template", "jobTemplate")),
        ("advancedcronjobs", "v1alpha1", ("spec", "template", "jobTemplate")),
        ("advancedcronjobs", "v1alpha1", ("spec", "template", "broadcastJobTemplate", "metadata")),
    ],
)
def test_templates_keep_unknown_fields(plural: str, version: str, path: tuple[str, ...]) -> None:
    schema = _schema(plural, version, *path)
    assert schema["type"] == "object"
    assert schema["x-kubernetes-preserve-unknown-fields"] is True
    assert "properties" not in schema


def test_advancedcronjob_enum_minimums_and_required_fields() -> None:
    spec = _schema("advancedcronjobs", "v1alpha1", "spec")
    assert spec["required"] == ["schedule", "template"]
    props = spec["properties"]
    assert props["concurrencyPolicy"]["enum"] == ["Allow", "Forbid", "Replace"]
    for name in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        assert props[name]["minimum"] == 0
    assert props["timeZone"]["type"] == "string"


@pytest.mark.parametrize(
    ("plural", "version", "required"),
    [
        ("clonesets", "v1alpha1", ["selector", "template"]),
        ("statefulsets", "v1alpha1", ["selector", "template"]),
        ("statefulsets", "v1beta1", ["selector", "template"]),
        ("clonesets", "v1beta1", ["selector", "template"]),
        ("broadcastjobs", "v1alpha1", ["template"]),
        ("broadcastjobs", "v1beta1", ["template"]),
        ("advancedcronjobs", "v1beta1", ["schedule", "template"]),
    ],
)
def test_required_spec_fields(plural: str, version: str, required: list[str]) -> None:
    assert _schema(plural, version, "spec")["required"] == required


def test_no_status_field_is_required() -> None:
    for crd in _crds().values():
        for version in crd["spec"]["versions"]:
            status = version["schema"]["openAPIV3Schema"]["properties"]["status"]
            assert "required" not in status, crd["metadata"]["name"]
            assert "required" not in version["schema"]["openAPIV3Schema"]


def _nodes(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    yield path, schema
    for name, child in schema.get("properties", {}).items():
        yield from _nodes(child, f"{path}.{name}")
    if "items" in schema:
        yield from _nodes(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _nodes(schema["additionalProperties"], f"{path}{{}}")


def test_schemas_are_structural() -> None:
    """Every node has a type (int-or-string aside), and opaque objects stay opaque."""
    for crd in _crds().values():
        for version in crd["spec"]["versions"]:
            for path, node in _nodes(version["schema"]["openAPIV3Schema"]):
                where = f"{crd['metadata']['name']}/{version['name']}{path}"
                if node.get("x-kubernetes-int-or-string"):
                    assert "type" not in node, where
                    continue
                assert node.get("type") in ("object", "array", "string", "integer", "boolean"), (
                    where
                )
                assert "$ref" not in node, where
                if node.get("x-kubernetes-preserve-unknown-fields"):
                    assert node["type"] == "object", where


def test_enums_cover_the_kruise_value_sets() -> None:
    assert _schema("clonesets", "v1alpha1", "spec", "updateStrategy", "type")["enum"] == [
        "ReCreate",
        "InPlaceIfPossible",
        "InPlaceOnly",
        "OnDelete",
    ]
    rolling = ("spec", "updateStrategy", "rollingUpdate", "podUpdatePolicy")
    for plural in ("statefulsets", "clonesets"):
        assert _schema(plural, "v1beta1", *rolling)["enum"] == [
            "ReCreate",
            "InPlaceIfPossible",
            "InPlaceOnly",
        ]
    assert _schema("clonesets", "v1beta1", "spec", "updateStrategy", "type")["enum"] == [
        "RollingUpdate",
        "OnDelete",
    ]
    assert _schema("broadcastjobs", "v1alpha1", "status", "phase")["enum"] == [
        "running",
        "paused",
        "completed",
        "failed",
    ]


def _run_generator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATOR), *args], capture_output=True, text=True, check=False
    )


def test_generator_check_names_stale_files_and_write_fixes_them(tmp_path: Path) -> None:
    missing = _run_generator("--root", str(tmp_path), "--check")
    assert missing.returncode == 1
    for path in [*CRD_FILES, "kustomization.yaml"]:
        assert f"stale: {CRD_DIR}/{path}" in missing.stderr
    assert "run `make crds`" in missing.stderr

    written = _run_generator("--root", str(tmp_path))
    assert written.returncode == 0, written.stderr
    assert "wrote config/crd/bases/apps.kruise.io_clonesets.yaml" in written.stdout
    assert _run_generator("--root", str(tmp_path), "--check").returncode == 0

    crd_dir = tmp_path / CRD_DIR
    edited = crd_dir / CRD_FILES[2]
    edited.write_text(edited.read_text().replace("clone", "klon"))
    leftover = crd_dir / "bases/apps.kruise.io_oldkinds.yaml"
    leftover.write_text("kind: CustomResourceDefinition\n")
    assert stale_files(crd_dir) == [
        "bases/apps.kruise.io_clonesets.yaml",
        "bases/apps.kruise.io_oldkinds.yaml",
    ]
    stale = _run_generator("--root", str(tmp_path), "--check")
    assert stale.returncode == 1
    assert "stale: config/crd/bases/apps.kruise.io_clonesets.yaml" in stale.stderr

    assert write_files(crd_dir) == [
        "bases/apps.kruise.io_clonesets.yaml",
        "bases/apps.kruise.io_oldkinds.yaml",
    ]
    assert not leftover.exists()
    assert stale_files(crd_dir) == []


def test_any_directory_can_hold_the_crds(tmp_path: Path) -> None:
    assert write_files(tmp_path) == sorted([*CRD_FILES, "kustomization.yaml"])
    assert (tmp_path / "kustomization.yaml").read_text() == generated_files()["kustomization.yaml"]
    assert sorted(p.name for p in (tmp_path / "bases").iterdir()) == [
        path.removeprefix("bases/") for path in CRD_FILES
    ]
    assert stale_files(tmp_path) == []


def test_generated_yaml_has_no_anchors() -> None:
    for text in generated_files().values():
        assert "&id" not in text
        assert "*id" not in text


def test_cloneset_v1beta1_spells_the_v1_9_fields() -> None:
    scale = _schema("clonesets", "v1beta1", "spec", "scaleStrategy")["properties"]
    assert sorted(scale) == [
        "enablePVCReuse",
        "excludePreparingDelete",
        "maxUnavailable",
        "podsToDelete",
    ]
    strategy = _schema("clonesets", "v1beta1", "spec", "updateStrategy")["properties"]
    assert sorted(strategy) == ["rollingUpdate", "type"]
    assert sorted(strategy["rollingUpdate"]["properties"]) == [
        "inPlaceUpdateStrategy",
        "maxSurge",
        "maxUnavailable",
        "partition",
        "paused",
        "podUpdatePolicy",
        "priorityStrategy",
        "scatterStrategy",
    ]
    alpha = _schema("clonesets", "v1alpha1", "spec")["properties"]
    beta = _schema("clonesets", "v1beta1", "spec")["properties"]
    assert sorted(alpha) == sorted(beta)
    for name in alpha.keys() - {"scaleStrategy", "updateStrategy"}:
        assert alpha[name] == beta[name], name
    assert (
        _version("clonesets", "v1alpha1")["schema"]["openAPIV3Schema"]["properties"]["status"]
        == _version("clonesets", "v1beta1")["schema"]["openAPIV3Schema"]["properties"]["status"]
    )


@pytest.mark.parametrize("plural", ["broadcastjobs", "advancedcronjobs"])
def test_jobs_have_the_same_schema_in_both_versions(plural: str) -> None:
    assert _version(plural, "v1alpha1")["schema"] == _version(plural, "v1beta1")["schema"]
