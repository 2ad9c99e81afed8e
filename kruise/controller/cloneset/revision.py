"""A CloneSet's current and update revisions, and its revision history.

The update revision is found or created as for an Advanced StatefulSet
(``kruise.util.history``), except that a rolled-back revision also takes the current
claim templates' hash, as OpenKruise's does: the revision data compares only pod
templates, so the claim templates may have changed since. The current revision is the
oldest revision, other than the update one, that some pod still runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kruise.apis.apps.v1alpha1 import API_VERSION
from kruise.controller.cloneset.instances import CLONESET_KIND
from kruise.controller.cloneset.sync.calculate import revision_of
from kruise.runtime.client import Client
from kruise.runtime.meta import name_of
from kruise.util import history
from kruise.util.history import MAX_COLLISION_ATTEMPTS, Revisions
from kruise.util.revision import CLAIM_TEMPLATES_HASH_ANNOTATION, oldest_used_revision

__all__ = ["MAX_COLLISION_ATTEMPTS", "Revisions", "active_revisions", "to_prune"]


async def active_revisions(
    client: Client,
    cloneset: Mapping[str, Any],
    revisions: Iterable[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
) -> Revisions:
    """Find or create the update revision, and pick the current one."""
    found = await history.update_revision(
        client,
        cloneset,
        revisions,
        api_version=API_VERSION,
        kind=CLONESET_KIND,
        renumber_takes=(CLAIM_TEMPLATES_HASH_ANNOTATION,),
    )
    used = {revision_of(p) for p in pods}
    return found.with_current(oldest_used_revision(found.history, used, name_of(found.revision)))


def to_prune(
    cloneset: Mapping[str, Any], revisions: Revisions, pods: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    return history.to_prune(cloneset, revisions, (revision_of(p) for p in pods))
