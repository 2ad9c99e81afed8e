"""The results file and the table: medians, ratios, goals.

One record per scenario, metric and peer::

    {"scenario": "informer-10k-pods", "metric": "bytes_per_pod", "ours": 9800.0,
     "peer": "client-go-stripped", "peer_value": 6900.0, "ratio": 1.42, "goal": 1.5,
     "runs": 3}

``ratio`` is ours divided by the peer's. For times and bytes lower is better, and a goal
is met when ``ratio <= goal``. A record with ``"higher_is_better": true`` (throughput)
reads the other way: a lower ratio is worse, and a goal is met when ``ratio >= goal``.
A side that could not run has a null figure, a null ratio and a ``note`` saying why.

Beside each median, ``ours_min``/``ours_max`` and ``peer_min``/``peer_max`` give the
spread of the single runs.

A run of only some scenarios (``run.py --scenario``) keeps the other scenarios' records
from the file it replaces (``merge_results``), with a ``dates`` map saying when each
scenario was measured.

``python bench/report.py [results.json]`` prints the table of every record that carries
a goal (scenario, metric, peer, ratio, goal, met or missed), then the full table.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

Record = dict[str, Any]
DEFAULT_RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def median(values: Sequence[float]) -> float | None:
    """The median of ``values``; None when there are none."""
    return float(statistics.median(values)) if values else None


def ratio(ours: float | None, peer: float | None) -> float | None:
    """``ours / peer``; None when either is missing or the peer's figure is zero."""
    if ours is None or peer is None or peer == 0:
        return None
    return ours / peer


def make_record(
    scenario: str,
    metric: str,
    ours: Sequence[float],
    peer: str,
    peer_values: Sequence[float],
    *,
    goal: float | None = None,
    higher_is_better: bool = False,
    note: str | None = None,
) -> Record:
    """A record from the raw figures of each run (medians are taken here).

    A side with no figures needs a ``note`` saying why it could not run.
    """
    if (not ours or not peer_values) and not note:
        raise ValueError(f"{scenario}/{metric} vs {peer}: a side without figures needs a note")
    ours_median, peer_median = median(ours), median(peer_values)
    runs = min(len(ours), len(peer_values)) if ours and peer_values else len(ours or peer_values)
    record: Record = {
        "scenario": scenario,
        "metric": metric,
        "ours": _round(ours_median),
        "peer": peer,
        "peer_value": _round(peer_median),
        "ratio": _round(ratio(ours_median, peer_median)),
        "goal": goal,
        "runs": runs,
        "ours_min": _round(min(ours)) if ours else None,
        "ours_max": _round(max(ours)) if ours else None,
        "peer_min": _round(min(peer_values)) if peer_values else None,
        "peer_max": _round(max(peer_values)) if peer_values else None,
    }
    if higher_is_better:
        record["higher_is_better"] = True
    if note:
        record["note"] = note
    record["ours_runs"] = [_round(v) for v in ours]
    record["peer_runs"] = [_round(v) for v in peer_values]
    return record


def goal_met(record: Record) -> bool | None:
    """Whether the record meets its goal; None without a goal or a ratio."""
    goal, value = record.get("goal"), record.get("ratio")
    if goal is None or value is None:
        return None
    if record.get("higher_is_better"):
        return bool(value >= goal)
    return bool(value <= goal)


def make_results(
    records: Sequence[Record], *, machine: str, date: str, versions: dict[str, str]
) -> dict[str, Any]:
    return {"machine": machine, "date": date, "versions": versions, "records": list(records)}


def read_results(path: Path) -> dict[str, Any] | None:
    """The results file at ``path``; None when it is missing or holds no records."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        return None
    return data


def merge_results(
    previous: dict[str, Any] | None,
    results: dict[str, Any],
    replaced: Collection[str],
    order: Sequence[str] = (),
) -> dict[str, Any]:
    """``results`` plus the records of ``previous`` whose scenario is not in ``replaced``.

    A run of some scenarios keeps the other scenarios' records of the last file instead
    of dropping them; ``dates`` then says when each scenario was measured (``date`` is
    this run's). Records measured on another machine are not kept: ratios from different
    machines do not compare. Records come sorted by scenario in ``order`` (unknown last).
    """
    if previous is None or previous.get("machine") != results.get("machine"):
        return dict(results)
    kept = [
        r
        for r in previous["records"]
        if isinstance(r, dict)
        and isinstance(r.get("scenario"), str)
        and r["scenario"] not in replaced
    ]
    if not kept:
        return dict(results)
    rank = {name: i for i, name in enumerate(order)}
    records = sorted([*kept, *results["records"]], key=lambda r: rank.get(r["scenario"], len(rank)))
    old_dates = previous.get("dates") if isinstance(previous.get("dates"), dict) else {}
    dates = {r["scenario"]: old_dates.get(r["scenario"], previous.get("date")) for r in kept}
    dates.update({r["scenario"]: results["date"] for r in results["records"]})
    return {
        "machine": results["machine"],
        "date": results["date"],
        "versions": results["versions"],
        "dates": {name: dates[name] for name in dict.fromkeys(r["scenario"] for r in records)},
        "records": records,
    }


def write_results(path: Path, results: dict[str, Any]) -> None:
    """Write ``results`` as JSON, atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".latest-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(results, out, indent=2)
            out.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results are for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def format_table(records: Sequence[Record]) -> str:
    """A plain-text table: one line per record, notes of null peers underneath."""
    header = ("scenario", "metric", "peer", "ours", "peer_value", "ratio", "goal", "")
    rows = [header]
    for record in records:
        met = goal_met(record)
        verdict = {True: "met", False: "MISSED", None: ""}[met]
        if record.get("higher_is_better"):
            verdict = (verdict + " (higher is better)").strip()
        rows.append(
            (
                record["scenario"],
                record["metric"],
                record["peer"],
                _fmt(record["ours"]),
                _fmt(record["peer_value"]),
                _fmt(record["ratio"]),
                _fmt(record["goal"]),
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths).rstrip())
    for record in records:
        if record["peer_value"] is None or record["ours"] is None:
            lines.append(f"  {record['scenario']} vs {record['peer']}: {record.get('note', '')}")
    return "\n".join(lines)


def format_goals(records: Sequence[Record]) -> str:
    """Every record with a goal: scenario, metric, peer, ratio, the goal (``<=`` or ``>=``)
    and met, MISSED or ``no figure`` (a side did not run); then how many were met."""
    header = ("scenario", "metric", "peer", "ratio", "goal", "verdict")
    rows = [header]
    met = total = 0
    for record in records:
        if record.get("goal") is None:
            continue
        total += 1
        verdict = goal_met(record)
        met += verdict is True
        sign = ">=" if record.get("higher_is_better") else "<="
        rows.append(
            (
                record["scenario"],
                record["metric"],
                record["peer"],
                _fmt(record.get("ratio")),
                f"{sign} {_fmt(record['goal'])}",
                {True: "met", False: "MISSED", None: "no figure"}[verdict],
            )
        )
    if total == 0:
        return "no record carries a goal"
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths).rstrip())
    lines.append(f"{met} of {total} goals met")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python bench/report.py [results.json]``: the goals table, then every record."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print("usage: python bench/report.py [results.json]", file=sys.stderr)
        return 2
    path = Path(args[0]) if args else DEFAULT_RESULTS
    results = read_results(path)
    if results is None:
        print(f"{path}: no results file with records", file=sys.stderr)
        return 1
    records = [r for r in results["records"] if isinstance(r, dict)]
    print(f"{path} ({results.get('machine', 'unknown machine')}, {results.get('date', '?')})")
    print()
    print(format_goals(records))
    print()
    print(format_table(records))
    return 0


def _round(value: float | None) -> float | None:
    """Four significant digits keep the file readable without losing anything real."""
    if value is None:
        return None
    return float(f"{value:.4g}")


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}" if abs(value) >= 1000 else str(int(value))
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


if __name__ == "__main__":
    sys.exit(main())
