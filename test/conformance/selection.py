"""Which specs a run shows and which it runs: ``--kinds``, ``--focus`` and ``--short``
pick the specs; out-of-scope ones are listed, not run; the PVC-retention specs that pass
without testing anything when the cluster has no default StorageClass are listed as
vacuous there; the rest run, each with its expected-failure reason, if any."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from conformance.results import OUT_OF_SCOPE, VACUOUS, Row, listed_row
from conformance.scope import Scope
from conformance.specs import KINDS, Spec


class SelectionError(Exception):
    """A bad ``--kinds`` or ``--focus``."""


@dataclass(frozen=True)
class ToRun:
    spec: Spec
    expected: str | None = None
    """Why this manager is expected to fail it (None: it should pass)."""


def parse_kinds(value: str | None) -> set[str] | None:
    """``--kinds cloneset,StatefulSet``: kind names in any case; None means every kind."""
    if not value:
        return None
    by_lower = {kind.lower(): kind for kind in KINDS.values()}
    kinds = set()
    for raw in value.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        if name not in by_lower:
            known = ", ".join(sorted(by_lower))
            raise SelectionError(f"unknown kind {name!r} in --kinds; one of {known}")
        kinds.add(by_lower[name])
    return kinds


def pick(
    specs: Iterable[Spec],
    scope: Scope,
    *,
    kinds: set[str] | None = None,
    focus: str | None = None,
    short: bool = False,
) -> list[Spec]:
    """The specs ``--kinds``, ``--focus`` (a regex searched in the spec's full text) and
    ``--short`` (the CI subset) leave, in order."""
    try:
        pattern = re.compile(focus) if focus else None
    except re.error as err:
        raise SelectionError(f"--focus {focus!r}: {err}") from err
    return [
        spec
        for spec in specs
        if (kinds is None or spec.kind in kinds)
        and (pattern is None or pattern.search(spec.full_text))
        and (not short or scope.in_short(spec))
    ]


def plan(
    specs: Sequence[Spec], scope: Scope, manager: str, *, default_storage_class: bool
) -> tuple[list[ToRun], list[Row]]:
    """The specs to run (with their expected-failure reasons for ``manager``) and the rows
    of those that are not run: out of scope, or vacuous without a default StorageClass."""
    to_run: list[ToRun] = []
    listed: list[Row] = []
    for spec in specs:
        reason = scope.out_of_scope_reason(spec)
        if reason is not None:
            listed.append(listed_row(spec, OUT_OF_SCOPE, reason))
        elif spec.vacuous_without_storage_class and not default_storage_class:
            listed.append(
                listed_row(
                    spec,
                    VACUOUS,
                    "returns at once, passing, when the cluster has no default StorageClass",
                )
            )
        else:
            to_run.append(ToRun(spec, scope.expected_failure_reason(spec, manager)))
    return to_run, listed


def in_spec_order(rows: Iterable[Row], specs: Sequence[Spec]) -> list[Row]:
    """``rows`` sorted as ``specs`` lists their specs."""
    order = {(s.file, s.line): i for i, s in enumerate(specs)}
    return sorted(rows, key=lambda r: order.get((r.spec.file, r.spec.line), len(order)))
