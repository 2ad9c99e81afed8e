"""An Advanced StatefulSet's ControllerRevisions: the update revision, the current one,
and history trimming, with the data and names OpenKruise gives them.

The update revision holds the spec's template: the newest revision if it already does, an
older equal one renumbered to the newest (a rollback keeps its name), or a new one; a name
taken by different data bumps ``status.collisionCount``. The current revision is the one
``status.currentRevision`` names, else the update revision.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.v1beta1 import API_VERSION
from kruise.controller.statefulset.identity import STATEFULSET_KIND, revision_of
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


async def set_revisions(
    client: Client, sts: Mapping[str, Any], revisions: Iterable[Mapping[str, Any]]
) -> Revisions:
    """Find or create the update revision, and pick the current one."""
    listed = history.sort_revisions(revisions)
    collision_count = int((sts.get("status") or {}).get("collisionCount") or 0)
    update: Mapping[str, Any] | None = None
    for _ in range(MAX_COLLISION_ATTEMPTS):
        candidate = history.new_revision(
            sts,
            history.next_revision_number(listed),
            collision_count,
            api_version=API_VERSION,
            kind=STATEFULSET_KIND,
        )
        choice = history.choose_update_revision(listed, candidate)
        if choice.source is history.UpdateRevisionSource.LATEST:
            update = choice.revision
        elif choice.source is history.UpdateRevisionSource.ROLLBACK:
            update = await _renumber(client, choice.revision, choice.new_number or 0)
            listed = [r for r in listed if name_of(r) != name_of(update)] + [update]
        else:
            update = await _create(client, candidate)
            if update is None:
                collision_count += 1
                continue
            if name_of(update) not in {name_of(r) for r in listed}:
                listed.append(update)
        break
    if update is None:
        raise RuntimeError(
            f"no free ControllerRevision name after {MAX_COLLISION_ATTEMPTS} hash collisions"
        )
    wanted = (sts.get("status") or {}).get("currentRevision")
    current = next((r for r in listed if name_of(r) == wanted), update)
    return Revisions(current, update, collision_count, listed)


async def _renumber(client: Client, revision: Mapping[str, Any], number: int) -> KubeObject:
    body = copy.deepcopy(dict(revision))
    body["revision"] = number
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
    sts: Mapping[str, Any], revisions: Revisions, pods: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """Revisions beyond ``revisionHistoryLimit`` that neither the current nor the update
    revision is, and no pod runs, oldest first."""
    live = {revisions.current_name, revisions.update_name} | {revision_of(p) for p in pods}
    limit = (sts.get("spec") or {}).get("revisionHistoryLimit")
    return history.revisions_to_prune(revisions.history, limit, live)
