"""The figures of a chaos run: sums of the managers' metrics over every incarnation,
percentiles, and the results file."""

from __future__ import annotations

import json
import platform
import statistics
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chaos.harness import Metrics, Slot


def every_incarnation(slots: Iterable[Slot]) -> list[Metrics]:
    """The last metrics each manager process reported (its counters die with it)."""
    out: list[Metrics] = []
    for slot in slots:
        out += slot.finished_metrics
        if slot.last_metrics:
            out.append(slot.last_metrics)
    return out


def metric_sum(snapshots: Iterable[Metrics], name: str, by: str | None = None) -> dict[str, float]:
    """``name`` summed over every snapshot, grouped by label ``by`` (or under "all")."""
    total: Counter[str] = Counter()
    for snapshot in snapshots:
        for (sample, labels), value in snapshot.items():
            if sample == name:
                key = dict(labels).get(by, "") if by else "all"
                total[key] += value
    return {k: round(v, 3) for k, v in sorted(total.items())}


def manager_figures(slots: list[Slot]) -> dict[str, Any]:
    snapshots = every_incarnation(slots)
    return {
        "rest_client_requests_total_by_code": metric_sum(
            snapshots, "rest_client_requests_total", "code"
        ),
        "workqueue_retries_total": metric_sum(snapshots, "workqueue_retries_total", "name"),
        "kruise_expectations_expired_total": metric_sum(
            snapshots, "kruise_expectations_expired_total", "kind"
        ),
        "leader_election_slowpath_total": metric_sum(
            snapshots, "leader_election_slowpath_total"
        ).get("all", 0.0),
        # From each incarnation's last scrape; the log count also sees what a
        # SIGKILLed incarnation did after it.
        "informer_relists": sum(
            metric_sum(snapshots, "kruise_informer_relists_total", "informer").values()
        ),
        "informer_relists_logged": sum(slot.relists() for slot in slots),
        "incarnations": sum(slot.incarnation for slot in slots),
    }


def percentiles(samples: list[float]) -> dict[str, Any]:
    if not samples:
        return {"p50": None, "max": None, "samples": 0}
    return {
        "p50": round(statistics.median(samples), 2),
        "max": round(max(samples), 2),
        "samples": len(samples),
    }


def retries_shown(figures: dict[str, Any], injected: dict[str, int]) -> list[str]:
    """What the managers' metrics must show given the faults injected (empty: all shown)."""
    missing: list[str] = []
    codes = figures["rest_client_requests_total_by_code"]
    errors = sum(v for code, v in codes.items() if code in ("500", "503", "429", "504"))
    if (
        sum(injected.get(k, 0) for k in ("internal-error", "unavailable", "throttled"))
        and not errors
    ):
        missing.append("faults answered 5xx/429 but rest_client_requests_total shows none")
    if injected.get("conflict") and not codes.get("409"):
        missing.append("conflicts injected but rest_client_requests_total shows no 409")
    if not sum(figures["workqueue_retries_total"].values()):
        missing.append("workqueue_retries_total is 0 after a run full of failures")
    watch_ends = injected.get("watch-expired", 0) + injected.get("watch-gone", 0)
    if watch_ends and not figures["informer_relists"]:
        missing.append("watches ended with 410 but no informer relisted")
    return missing


def write_results(path: Path, record: dict[str, Any]) -> None:
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.system()} python {platform.python_version()}",
        **record,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=False) + "\n")
