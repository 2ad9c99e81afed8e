"""A CloneSet's current and update revisions, and its revision history.

The update revision holds the spec's template: the newest revision if it already does,
an older equal one renumbered to the newest (a rollback keeps its name and its pods, and
takes the current claim templates' hash, as OpenKruise's does), or a new
ControllerRevision. A name taken by different data (a hash collision) bumps
``status.collisionCount`` and tries the next name. The current revision is the oldest
revision, other than the update one, that some pod still runs.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kruise.apis.apps.v1alpha1 import API_VERSION
from kruise.controller.cloneset.instances import CLONESET_KIND
from kruise.controller.cloneset.sync.calculate import revision_of
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


async def active_revisions(
    client: Client,
    cloneset: Mapping[str, Any],
    revisions: Iterable[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
) -> Revisions:
    """Find or create the update revision, and pick the current one."""
    listed = history.sort_revisions(revisions)
    collision_count = int((cloneset.get("status") or {}).get("collisionCount") or 0)
    update: Mapping[str, Any] | None = None
    for _ in range(MAX_COLLISION_ATTEMPTS):
        candidate = history.new_revision(
            cloneset,
            history.next_revision_number(listed),
            collision_count,
            api_version=API_VERSION,
            kind=CLONESET_KIND,
        )
        choice = history.choose_update_revision(listed, candidate)
        if choice.source is history.UpdateRevisionSource.LATEST:
            update = choice.revision
        elif choice.source is history.UpdateRevisionSource.ROLLBACK:
            update = await _renumber(client, choice.revision, choice.new_number or 0, candidate)
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
    used = {revision_of(p) for p in pods}
    current_name = history.oldest_used_revision(listed, used, name_of(update))
    current = next((r for r in listed if name_of(r) == current_name), update)
    return Revisions(current, update, collision_count, listed)


async def _renumber(
    client: Client, revision: Mapping[str, Any], number: int, candidate: Mapping[str, Any]
) -> KubeObject:
    """``revision`` made the newest, with ``candidate``'s claim-templates hash: the data
    compares only pod templates, so the claim templates may have changed since."""
    body = copy.deepcopy(dict(revision))
    body["revision"] = number
    key = history.CLAIM_TEMPLATES_HASH_ANNOTATION
    wanted = ((candidate.get("metadata") or {}).get("annotations") or {}).get(key)
    annotations = body.setdefault("metadata", {}).get("annotations") or {}
    if wanted is not None and annotations.get(key) != wanted:
        body["metadata"]["annotations"] = {**annotations, key: wanted}
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
    cloneset: Mapping[str, Any], revisions: Revisions, pods: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    live = {revisions.current_name, revisions.update_name} | {revision_of(p) for p in pods}
    limit = (cloneset.get("spec") or {}).get("revisionHistoryLimit")
    return history.revisions_to_prune(revisions.history, limit, live)
