"""Who led when, and who wrote when, from kube-apiserver's audit log.

Each manager slot runs under its own ServiceAccount, so the audit log names the author of
every request. A successful write of the leader election Lease by a slot is that slot's
claim (or, when the Lease comes back without a holder, its release); the history of
those claims says who held the Lease at any instant. A controller write (pods, claims,
workloads, revisions, jobs) by a slot is legitimate only if no *other* slot held the
Lease when the API server received it: anything else means two managers acted as
leader at once.

Lease writes are audited at RequestResponse level so the holder written is known; the
rest at Metadata level.
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# The resources only the leader's controllers write. Secrets, webhook configurations and
# CRDs are written by the certificate controller, which runs in every replica; events
# are best-effort notes flushed in the background, not state.
LEADER_RESOURCES = frozenset(
    {
        ("", "pods"),
        ("", "persistentvolumeclaims"),
        ("apps", "controllerrevisions"),
        ("apps.kruise.io", "clonesets"),
        ("apps.kruise.io", "statefulsets"),
        ("apps.kruise.io", "broadcastjobs"),
        ("apps.kruise.io", "advancedcronjobs"),
        ("batch", "jobs"),
    }
)
WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})


def audit_policy(namespace: str, accounts: Iterable[str]) -> dict[str, Any]:
    """The audit policy: Lease writes of ``accounts`` with their bodies, their other
    requests as metadata, nobody else's."""
    users = [f"system:serviceaccount:{namespace}:{account}" for account in accounts]
    return {
        "apiVersion": "audit.k8s.io/v1",
        "kind": "Policy",
        "omitStages": ["RequestReceived"],
        "rules": [
            {
                "level": "RequestResponse",
                "users": users,
                "verbs": ["create", "update", "patch"],
                "resources": [{"group": "coordination.k8s.io", "resources": ["leases"]}],
            },
            {"level": "Metadata", "users": users},
            {"level": "None"},
        ],
    }


def timestamp(text: str) -> float:
    """An audit timestamp (RFC 3339 with microseconds) as seconds since the epoch."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True)
class Claim:
    """A successful Lease write: from ``at`` on, ``holder`` (a slot, or None) holds it."""

    at: float
    holder: str | None
    author: str


@dataclass(frozen=True)
class Write:
    """A controller write by ``author`` (a slot), received by the API server at ``at``."""

    at: float
    author: str
    what: str


@dataclass(frozen=True)
class Overlap:
    """A write made while another slot held the Lease."""

    write: Write
    holder: str
    since: float

    def __str__(self) -> str:
        return (
            f"{self.write.author} wrote {self.write.what} {self.write.at - self.since:.3f}s "
            f"after {self.holder} took the Lease"
        )


@dataclass
class LeaseHistory:
    """The Lease's claims in time order, and the slot holding it at a given instant."""

    claims: list[Claim] = field(default_factory=list)

    def add(self, claim: Claim) -> None:
        times = [c.at for c in self.claims]
        self.claims.insert(bisect.bisect_right(times, claim.at), claim)

    def holder_at(self, at: float) -> Claim | None:
        """The last claim before ``at`` (None before the first)."""
        times = [c.at for c in self.claims]
        index = bisect.bisect_left(times, at)
        return self.claims[index - 1] if index else None

    def transitions(self) -> int:
        """How many times the holder changed (a release counts)."""
        holders = [c.holder for c in self.claims]
        return sum(1 for a, b in itertools.pairwise(holders) if a != b)


def holder_slot(identity: str | None, slots: Iterable[str]) -> str | None:
    """The slot of a Lease holder identity: identities are ``<slot>-<incarnation>``, so a
    restarted manager is a new identity in the same slot."""
    if not identity:
        return None
    slot = identity.rsplit("-", 1)[0]
    return slot if slot in set(slots) else identity


@dataclass
class AuditReader:
    """Reads the audit log incrementally and sorts what matters into claims and writes.

    ``accounts`` maps each ServiceAccount user name to its slot; ``lease`` is
    ``namespace/name`` of the leader election Lease."""

    path: Path
    accounts: dict[str, str]
    lease: str
    history: LeaseHistory = field(default_factory=LeaseHistory)
    writes: list[Write] = field(default_factory=list)
    requests_by_slot: dict[str, int] = field(default_factory=dict)
    _offset: int = 0
    _partial: bytes = b""

    def read_new(self) -> None:
        """Take in what was appended since the last call (a partly written line waits)."""
        try:
            with self.path.open("rb") as log:
                log.seek(self._offset)
                data = log.read()
        except FileNotFoundError:
            return
        self._offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            if line.strip():
                self.take(json.loads(line))

    def take(self, event: dict[str, Any]) -> None:
        """Sort one audit event."""
        slot = self.accounts.get((event.get("user") or {}).get("username", ""))
        ref = event.get("objectRef") or {}
        code = (event.get("responseStatus") or {}).get("code", 0)
        if slot is None or event.get("stage") != "ResponseComplete":
            return
        self.requests_by_slot[slot] = self.requests_by_slot.get(slot, 0) + 1
        if not 200 <= code < 300 or event.get("verb") not in WRITE_VERBS:
            return
        resource = (ref.get("apiGroup", ""), ref.get("resource", ""))
        where = f"{ref.get('namespace', '')}/{ref.get('name', '')}"
        if resource == ("coordination.k8s.io", "leases") and where == self.lease:
            identity = ((event.get("responseObject") or {}).get("spec") or {}).get("holderIdentity")
            holder = holder_slot(identity, self.accounts.values())
            self.history.add(Claim(timestamp(event["stageTimestamp"]), holder, slot))
        elif resource in LEADER_RESOURCES:
            sub = f"/{ref['subresource']}" if ref.get("subresource") else ""
            what = f"{event['verb']} {ref.get('resource')}{sub} {where}"
            self.writes.append(Write(timestamp(event["requestReceivedTimestamp"]), slot, what))


def overlaps(history: LeaseHistory, writes: Iterable[Write]) -> Iterator[Overlap]:
    """Every write received while a slot other than its author held the Lease."""
    for write in writes:
        claim = history.holder_at(write.at)
        if claim is not None and claim.holder is not None and claim.holder != write.author:
            yield Overlap(write, claim.holder, claim.at)
