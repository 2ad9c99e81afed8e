"""Which specs count: the reviewed out-of-scope list, the expected failures of each manager
and the CI subset (``--short``), all kept in ``scope.yaml`` beside this file.

An entry names a spec by its file and its ``It`` text (``spec:``), or every spec inside a
``Describe``/``Context`` by that container's text (``container:``), and says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conformance.specs import Spec

SCOPE_FILE = Path(__file__).resolve().parent / "scope.yaml"


class ScopeError(Exception):
    """scope.yaml is malformed or names a spec the suite does not have."""


@dataclass(frozen=True)
class Entry:
    """One reviewed entry: a spec (or a container's specs) of one file, and why."""

    file: str
    spec: str | None = None
    container: str | None = None
    reason: str = ""

    def matches(self, spec: Spec) -> bool:
        if spec.file != self.file:
            return False
        if self.spec is not None:
            return spec.text == self.spec
        return self.container in spec.containers

    def describe(self) -> str:
        what = f"spec {self.spec!r}" if self.spec is not None else f"container {self.container!r}"
        return f"{self.file}: {what}"

    @classmethod
    def parse(cls, raw: Any, where: str, *, need_reason: bool = True) -> Entry:
        if not isinstance(raw, Mapping) or not raw.get("file"):
            raise ScopeError(f"{where}: an entry needs 'file' and 'spec' or 'container': {raw!r}")
        spec, container = raw.get("spec"), raw.get("container")
        if (spec is None) == (container is None):
            raise ScopeError(f"{where}: give exactly one of 'spec' and 'container': {raw!r}")
        reason = str(raw.get("reason") or "").strip()
        if need_reason and not reason:
            raise ScopeError(f"{where}: {raw.get('file')}: every entry says why ('reason')")
        return cls(
            file=str(raw["file"]),
            spec=None if spec is None else str(spec),
            container=None if container is None else str(container),
            reason=" ".join(reason.split()),
        )


@dataclass
class Scope:
    """The lists of scope.yaml."""

    out_of_scope: list[Entry] = field(default_factory=list)
    expected_failures: dict[str, list[Entry]] = field(default_factory=dict)
    short: list[Entry] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scope:
        unknown = set(data) - {"out_of_scope", "expected_failures", "short"}
        if unknown:
            raise ScopeError(f"scope.yaml: unknown sections {sorted(unknown)}")
        failures = data.get("expected_failures") or {}
        if not isinstance(failures, Mapping):
            raise ScopeError("scope.yaml: expected_failures maps a manager to its entries")
        return cls(
            out_of_scope=[Entry.parse(e, "out_of_scope") for e in data.get("out_of_scope") or []],
            expected_failures={
                str(manager): [
                    Entry.parse(e, f"expected_failures.{manager}") for e in entries or []
                ]
                for manager, entries in failures.items()
            },
            short=[Entry.parse(e, "short", need_reason=False) for e in data.get("short") or []],
        )

    @classmethod
    def load(cls, path: Path = SCOPE_FILE) -> Scope:
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as err:
            raise ScopeError(f"cannot read {path}: {err}") from err
        if not isinstance(data, Mapping):
            raise ScopeError(f"{path}: expected a mapping of lists")
        return cls.from_dict(data)

    def out_of_scope_reason(self, spec: Spec) -> str | None:
        return _first_reason(self.out_of_scope, spec)

    def expected_failure_reason(self, spec: Spec, manager: str) -> str | None:
        return _first_reason(self.expected_failures.get(manager, ()), spec)

    def in_short(self, spec: Spec) -> bool:
        return any(entry.matches(spec) for entry in self.short)

    def problems(self, specs: Sequence[Spec]) -> list[str]:
        """Entries that name no spec of ``specs``, ``spec:`` entries that name more than
        one, and CI-subset or expected-failure entries that are out of scope."""
        found = []
        lists: list[tuple[str, Iterable[Entry]]] = [
            ("out_of_scope", self.out_of_scope),
            ("short", self.short),
        ]
        lists += [(f"expected_failures.{m}", e) for m, e in self.expected_failures.items()]
        for section, entries in lists:
            for entry in entries:
                hits = [s for s in specs if entry.matches(s)]
                if not hits:
                    found.append(f"{section}: {entry.describe()} matches no spec")
                elif entry.spec is not None and len(hits) > 1:
                    lines = ", ".join(str(s.line) for s in hits)
                    found.append(f"{section}: {entry.describe()} matches lines {lines}")
                elif section != "out_of_scope" and any(self.out_of_scope_reason(s) for s in hits):
                    found.append(f"{section}: {entry.describe()} is out of scope")
        return found


def _entries(raw: Any, where: str) -> list[Entry]:
    return [Entry.parse(e, where) for e in raw or []]


def _first_reason(entries: Iterable[Entry], spec: Spec) -> str | None:
    for entry in entries:
        if entry.matches(spec):
            return entry.reason or "listed"
    return None
