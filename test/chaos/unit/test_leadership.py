"""The two-leaders check over audit events: claims, releases, and writes between them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chaos.leadership import AuditReader, Claim, LeaseHistory, Write, holder_slot, overlaps

NS = "kube-system"
A, B = "chaos-manager-a", "chaos-manager-b"
ACCOUNTS = {f"system:serviceaccount:{NS}:{s}": s for s in (A, B)}


def stamp(second: float) -> str:
    return f"2026-01-01T00:00:{second:09.6f}Z"


def lease_write(slot: str, second: float, holder: str | None, code: int = 200) -> dict[str, Any]:
    return {
        "stage": "ResponseComplete",
        "verb": "update",
        "user": {"username": f"system:serviceaccount:{NS}:{slot}"},
        "objectRef": {
            "apiGroup": "coordination.k8s.io",
            "resource": "leases",
            "namespace": NS,
            "name": "kruise-manager",
        },
        "responseStatus": {"code": code},
        "requestReceivedTimestamp": stamp(second - 0.01),
        "stageTimestamp": stamp(second),
        "responseObject": {"spec": {"holderIdentity": holder}},
    }


def pod_write(slot: str, second: float, verb: str = "create", code: int = 201) -> dict[str, Any]:
    return {
        "stage": "ResponseComplete",
        "verb": verb,
        "user": {"username": f"system:serviceaccount:{NS}:{slot}"},
        "objectRef": {"apiGroup": "", "resource": "pods", "namespace": "chaos", "name": "web-x"},
        "responseStatus": {"code": code},
        "requestReceivedTimestamp": stamp(second),
        "stageTimestamp": stamp(second + 0.01),
    }


def read(tmp_path: Path, events: list[dict[str, Any]]) -> AuditReader:
    log = tmp_path / "audit.log"
    log.write_text("".join(json.dumps(e) + "\n" for e in events))
    reader = AuditReader(log, ACCOUNTS, f"{NS}/kruise-manager")
    reader.read_new()
    return reader


def test_writes_by_the_holder_are_fine(tmp_path: Path) -> None:
    reader = read(
        tmp_path,
        [
            lease_write(A, 1, f"{A}-1"),
            pod_write(A, 2),
            lease_write(B, 5, f"{B}-1"),
            pod_write(B, 6),
        ],
    )
    assert list(overlaps(reader.history, reader.writes)) == []
    assert reader.history.transitions() == 1


def test_a_write_after_another_slot_took_the_lease_is_an_overlap(tmp_path: Path) -> None:
    reader = read(
        tmp_path, [lease_write(A, 1, f"{A}-1"), lease_write(B, 5, f"{B}-2"), pod_write(A, 5.5)]
    )
    found = list(overlaps(reader.history, reader.writes))
    assert len(found) == 1
    assert found[0].holder == B
    assert "0.500s after chaos-manager-b took the Lease" in str(found[0])


def test_a_released_lease_has_no_holder_to_overlap(tmp_path: Path) -> None:
    reader = read(tmp_path, [lease_write(A, 1, f"{A}-1"), lease_write(A, 2, None), pod_write(A, 3)])
    assert list(overlaps(reader.history, reader.writes)) == []


def test_failed_lease_writes_and_reads_are_not_claims(tmp_path: Path) -> None:
    events = [lease_write(A, 1, f"{A}-1"), lease_write(B, 2, f"{B}-1", code=409), pod_write(A, 3)]
    events.append(pod_write(B, 3, verb="get", code=200))
    reader = read(tmp_path, events)
    assert [c.holder for c in reader.history.claims] == [A]
    assert len(reader.writes) == 1
    assert list(overlaps(reader.history, reader.writes)) == []


def test_lines_are_read_once_and_a_partial_line_waits(tmp_path: Path) -> None:
    log = tmp_path / "audit.log"
    first = json.dumps(lease_write(A, 1, f"{A}-1")) + "\n"
    second = json.dumps(pod_write(A, 2))
    log.write_text(first + second[:10])
    reader = AuditReader(log, ACCOUNTS, f"{NS}/kruise-manager")
    reader.read_new()
    assert (len(reader.history.claims), len(reader.writes)) == (1, 0)
    log.write_text(first + second + "\n")
    reader.read_new()
    assert (len(reader.history.claims), len(reader.writes)) == (1, 1)


def test_unknown_users_and_other_leases_are_ignored(tmp_path: Path) -> None:
    other = lease_write(A, 1, f"{A}-1")
    other["objectRef"]["name"] = "someone-else"
    stranger = pod_write(A, 2)
    stranger["user"]["username"] = "kruise-envtest-admin"
    reader = read(tmp_path, [other, stranger])
    assert (reader.history.claims, reader.writes) == ([], [])


def test_history_sorts_claims_that_arrive_out_of_order() -> None:
    history = LeaseHistory()
    history.add(Claim(5.0, B, B))
    history.add(Claim(1.0, A, A))
    assert history.holder_at(3.0) == Claim(1.0, A, A)
    assert history.holder_at(6.0) == Claim(5.0, B, B)
    assert history.holder_at(0.5) is None
    found = overlaps(history, [Write(3.0, A, "x"), Write(6.0, A, "y")])
    assert [o.write.what for o in found] == ["y"]


def test_holder_identities_map_to_their_slot() -> None:
    assert holder_slot(f"{A}-12", [A, B]) == A
    assert holder_slot("somebody", [A, B]) == "somebody"
    assert holder_slot(None, [A, B]) is None
