"""What a CRD says about a kind, and the CRD object built from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from kruise.apis.apps.schema import Schema, object_schema, own_docstring
from kruise.runtime.client.resource import Resource

CRD_API_VERSION: Final = "apiextensions.k8s.io/v1"
CATEGORIES: Final = ("kruise",)


@dataclass(frozen=True)
class PrinterColumn:
    """A column of ``kubectl get``."""

    name: str
    json_path: str
    type: str
    description: str
    # 0 shows in every listing; 1 only with ``kubectl get -o wide``.
    priority: int = 0

    def to_dict(self) -> dict[str, str | int]:
        column: dict[str, str | int] = {
            "name": self.name,
            "type": self.type,
            "jsonPath": self.json_path,
            "description": self.description,
        }
        if self.priority:
            column["priority"] = self.priority
        return column


@dataclass(frozen=True)
class ServedVersion:
    """One API version of a kind and the TypedDict of its whole object."""

    name: str
    root: type
    storage: bool = True


@dataclass(frozen=True)
class CustomResource:
    """Everything a CRD says beyond the schema."""

    resource: Resource
    short_names: tuple[str, ...]
    versions: tuple[ServedVersion, ...]
    columns: tuple[PrinterColumn, ...]
    scale: bool = False
    conversion: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return f"{self.resource.plural}.{self.resource.group}"


_ROOT_PROPERTIES: Final[dict[str, Schema]] = {
    "apiVersion": {
        "description": "The group and version of the object's schema.",
        "type": "string",
    },
    "kind": {"description": "The object's kind, in CamelCase.", "type": "string"},
    # The API server owns the schema of the top-level metadata.
    "metadata": {"type": "object"},
}


def version_schema(root: type) -> Schema:
    """The openAPIV3Schema of one version's whole object.

    Status TypedDicts mark no key ``Required``, so no status field is required: a partial
    status (``kubectl edit``, a copied manifest) must not make an object invalid.
    """
    schema = object_schema(root, _ROOT_PROPERTIES)
    description = own_docstring(root)
    return {"description": description, **schema} if description else schema


def custom_resource_definition(custom: CustomResource) -> dict[str, Any]:
    resource = custom.resource
    subresources: dict[str, Any] = {"status": {}}
    if custom.scale:
        subresources["scale"] = {
            "specReplicasPath": ".spec.replicas",
            "statusReplicasPath": ".status.replicas",
            "labelSelectorPath": ".status.labelSelector",
        }
    versions = [
        {
            "name": version.name,
            "served": True,
            "storage": version.storage,
            "additionalPrinterColumns": [column.to_dict() for column in custom.columns],
            "subresources": subresources,
            "schema": {"openAPIV3Schema": version_schema(version.root)},
        }
        for version in custom.versions
    ]
    spec: dict[str, Any] = {
        "group": resource.group,
        "names": {
            "kind": resource.kind,
            "listKind": f"{resource.kind}List",
            "plural": resource.plural,
            "singular": resource.kind.lower(),
            "shortNames": list(custom.short_names),
            "categories": list(CATEGORIES),
        },
        "scope": "Namespaced" if resource.namespaced else "Cluster",
        "versions": versions,
    }
    if custom.conversion is not None:
        spec["conversion"] = custom.conversion
    return {
        "apiVersion": CRD_API_VERSION,
        "kind": "CustomResourceDefinition",
        "metadata": {"name": custom.name},
        "spec": spec,
    }
