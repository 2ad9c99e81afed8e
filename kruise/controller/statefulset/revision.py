"""An Advanced StatefulSet's ControllerRevisions: the update revision, the current one,
and history trimming, with the data and names OpenKruise gives them.

The update revision is found or created as for a CloneSet (``kruise.util.history``); a
rolled-back revision is renumbered as it is. The current revision is the one
``status.currentRevision`` names, else the update revision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kruise.apis.apps.v1beta1 import API_VERSION
from kruise.controller.statefulset.identity import STATEFULSET_KIND, revision_of
from kruise.runtime.client import Client
from kruise.util import history
from kruise.util.history import MAX_COLLISION_ATTEMPTS, Revisions

__all__ = ["MAX_COLLISION_ATTEMPTS", "Revisions", "set_revisions", "to_prune"]


async def set_revisions(
    client: Client, sts: Mapping[str, Any], revisions: Iterable[Mapping[str, Any]]
) -> Revisions:
    """Find or create the update revision, and pick the current one."""
    found = await history.update_revision(
        client, sts, revisions, api_version=API_VERSION, kind=STATEFULSET_KIND
    )
    return found.with_current((sts.get("status") or {}).get("currentRevision"))


def to_prune(
    sts: Mapping[str, Any], revisions: Revisions, pods: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """Revisions beyond ``revisionHistoryLimit`` that neither the current nor the update
    revision is, and no pod runs, oldest first."""
    return history.to_prune(sts, revisions, (revision_of(p) for p in pods))
