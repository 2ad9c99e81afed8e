"""An owner's ControllerRevisions against the API server: the update revision found or
created, and the history to trim. Shared by the CloneSet and StatefulSet controllers,
which differ only in how they pick the current revision and in what a renumbered
revision takes from the candidate (each controller's ``revision`` module says).

The update revision holds the spec's template: the newest revision if it already does,
an older equal one renumbered to the newest (a rollback keeps its name), or a new
ControllerRevision. A name taken by different data (a hash collision) bumps
``status.collisionCount`` and tries the next name.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kruise.runtime.client import CONTROLLER_REVISIONS, AlreadyExists, Client, KubeObject
from kruise.runtime.meta import name_of
from kruise.util import revision as history

MAX_COLLISION_ATTEMPTS = 10


@dataclass(frozen=True)
class Revisions:
    current: Mapping[str, Any]
    update: Mapping[str, Any]
    collision_count: int
    history: list[Mapping[str, Any]]
    """Every revision, oldest first, the update revision included."""

    @property
    def current_name(self) -> str:
        return name_of(self.current)

    @property
    def update_name(self) -> str:
        return name_of(self.update)

    def by_name(self, name: str) -> Mapping[str, Any] | None:
        return next((r for r in self.history if name_of(r) == name), None)


@dataclass(frozen=True)
class UpdateRevision:
    revision: Mapping[str, Any]
    collision_count: int
    history: list[Mapping[str, Any]]
    """Every revision, oldest first, the update revision included."""

    def with_current(self, name: str | None) -> Revisions:
        """The revisions with ``name`` as the current one; the update revision when no
        revision has that name."""
        current = next((r for r in self.history if name_of(r) == name), self.revision)
        return Revisions(current, self.revision, self.collision_count, self.history)


async def update_revision(
    client: Client,
    owner: Mapping[str, Any],
    revisions: Iterable[Mapping[str, Any]],
    *,
    api_version: str,
    kind: str,
    renumber_takes: Collection[str] = (),
) -> UpdateRevision:
    """Find or create the revision holding ``owner``'s template. A renumbered (rolled
    back) revision takes the candidate's value of each annotation in ``renumber_takes``."""
    listed = history.sort_revisions(revisions)
    collision_count = int((owner.get("status") or {}).get("collisionCount") or 0)
    for _ in range(MAX_COLLISION_ATTEMPTS):
        candidate = history.new_revision(
            owner,
            history.next_revision_number(listed),
            collision_count,
            api_version=api_version,
            kind=kind,
        )
        choice = history.choose_update_revision(listed, candidate)
        if choice.source is history.UpdateRevisionSource.LATEST:
            return UpdateRevision(choice.revision, collision_count, listed)
        if choice.source is history.UpdateRevisionSource.ROLLBACK:
            taken = _annotations(candidate, renumber_takes)
            update = await _renumber(client, choice.revision, choice.new_number or 0, taken)
            listed = [r for r in listed if name_of(r) != name_of(update)] + [update]
            return UpdateRevision(update, collision_count, listed)
        created = await _create(client, candidate)
        if created is None:
            collision_count += 1
            continue
        if name_of(created) not in {name_of(r) for r in listed}:
            listed.append(created)
        return UpdateRevision(created, collision_count, listed)
    raise RuntimeError(
        f"no free ControllerRevision name after {MAX_COLLISION_ATTEMPTS} hash collisions"
    )


def _annotations(revision: Mapping[str, Any], keys: Collection[str]) -> dict[str, str]:
    annotations = (revision.get("metadata") or {}).get("annotations") or {}
    return {k: annotations[k] for k in keys if annotations.get(k) is not None}


async def _renumber(
    client: Client, revision: Mapping[str, Any], number: int, taken: Mapping[str, str]
) -> KubeObject:
    """``revision`` made the newest, with the ``taken`` annotations."""
    body = copy.deepcopy(dict(revision))
    body["revision"] = number
    if taken:
        annotations = body.setdefault("metadata", {}).get("annotations") or {}
        if any(annotations.get(k) != v for k, v in taken.items()):
            body["metadata"]["annotations"] = {**annotations, **taken}
    return await client.update(CONTROLLER_REVISIONS, body)


async def _create(client: Client, candidate: KubeObject) -> KubeObject | None:
    """The created revision; an existing equal one; None on a collision."""
    try:
        return await client.create(CONTROLLER_REVISIONS, candidate)
    except AlreadyExists:
        meta = candidate["metadata"]
        existing = await client.get(CONTROLLER_REVISIONS, meta["name"], meta.get("namespace"))
        if history.equal_revision(existing, candidate):
            return existing
        return None


def to_prune(
    owner: Mapping[str, Any], revisions: Revisions, pod_revisions: Iterable[str]
) -> list[Mapping[str, Any]]:
    """Revisions beyond the owner's ``revisionHistoryLimit`` that are neither the current
    nor the update revision and that no pod runs (``pod_revisions``), oldest first."""
    live = {revisions.current_name, revisions.update_name, *pod_revisions}
    limit = (owner.get("spec") or {}).get("revisionHistoryLimit")
    return history.revisions_to_prune(revisions.history, limit, live)
