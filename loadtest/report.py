"""Locust's CSV files, read back: per request group count, req/s, p50/p95/p99/max, races and failures.

    python -m loadtest.report loadtest/results        # the --csv prefix given to locust

Locust writes <prefix>_stats.csv (one row per request group and an "Aggregated" row, percentiles
in whole milliseconds), <prefix>_failures.csv (each distinct failure message and how often) and
<prefix>_exceptions.csv (errors in the locustfile itself); the locustfile adds
<prefix>_machine.json (load average, server CPU per request) and run.sh <prefix>_server_time.json
(gunicorn's time per request). Failures whose message starts
"race (expected)" are 409/404 answers to races between users: correct, listed but not failures.
Standard library only.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

RACE = "race (expected)"


def read(prefix: str) -> dict:
    """The run's figures as a dict (what results.json holds, before the check adds its verdict)."""
    stats = _rows(f"{prefix}_stats.csv")
    failures = _rows(f"{prefix}_failures.csv")
    exceptions = _rows(f"{prefix}_exceptions.csv", missing_ok=True)
    listed = [
        {
            "method": row["Method"],
            "name": row["Name"],
            "error": _message(row["Error"]),
            "count": int(row["Occurrences"]),
            "expected": RACE in row["Error"],
        }
        for row in failures
    ]
    races: dict[str, int] = {}
    for failure in listed:
        if failure["expected"]:
            races[failure["name"]] = races.get(failure["name"], 0) + failure["count"]
    groups, overall = {}, None
    for row in stats:
        figures = _figures(row, races.get(row["Name"], 0))
        if row["Name"] == "Aggregated":
            figures["races"] = sum(races.values())
            figures["failures"] = int(row["Failure Count"]) - figures["races"]
            overall = figures
        else:
            groups[row["Name"]] = figures
    unexpected = [f for f in listed if not f["expected"]]
    overall = overall or _figures({}, 0)
    overall["5xx"] = sum(f["count"] for f in unexpected if f["error"].startswith("5xx"))
    overall["network_errors"] = sum(f["count"] for f in unexpected if f["error"].startswith("network error"))
    return {
        "overall": overall,
        "groups": dict(sorted(groups.items())),
        "races": [f for f in listed if f["expected"]],
        "unexpected": unexpected,
        "locustfile_errors": [f"{row['Count']} x {row['Message']}" for row in exceptions],
        "machine": _json(f"{prefix}_machine.json"),
        "server_time": _json(f"{prefix}_server_time.json"),
    }


def _json(path: str) -> dict:
    """The locustfile's machine figures and run.sh's time inside the server, when they were written."""
    return json.loads(Path(path).read_text()) if Path(path).exists() else {}


def _rows(path: str, missing_ok: bool = False) -> list[dict]:
    if missing_ok and not Path(path).exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _figures(row: dict, races: int) -> dict:
    def number(key, kind=float):
        value = row.get(key, "")
        return kind(value) if value not in ("", "N/A") else 0

    return {
        "count": number("Request Count", int),
        "rps": round(number("Requests/s"), 1),
        "p50_ms": number("50%", int),
        "p95_ms": number("95%", int),
        "p99_ms": number("99%", int),
        "max_ms": round(number("Max Response Time")),
        "races": races,
        "failures": number("Failure Count", int) - races,
    }


def _message(error: str) -> str:
    """CatchResponseError('5xx: 500 GET /people/') -> 5xx: 500 GET /people/"""
    if error.endswith("')") and "('" in error:
        return error[error.index("('") + 2 : -2]
    return error


def print_report(results: dict, out=sys.stdout) -> None:
    def line(name, s):
        print(
            f"  {name:<36} {s['count']:>7} {s['rps']:>7.1f} {s['p50_ms']:>7} {s['p95_ms']:>7} {s['p99_ms']:>7} "
            f"{s['max_ms']:>7} {s['races']:>6} {s['failures']:>6}",
            file=out,
        )

    machine = results.get("machine") or {}
    if machine.get("load_average_before") is not None:
        busy = machine["load_average_before"] > 1
        print(
            f"  machine: {machine['cpus']} CPUs, load average {machine['load_average_before']} before the run,"
            f" {machine['load_average_after']} after"
            + (" (other work was already competing for the CPUs: latencies include it)" if busy else ""),
            file=out,
        )
    server = machine.get("server_cpu") or {}
    if server.get("total_cpu_ms_per_request"):
        parts = ", ".join(
            f"{k} {v['cpu_ms_per_request']}" for k, v in server.items() if isinstance(v, dict) and k != "locust"
        )
        print(
            f"  server CPU per request: {server['total_cpu_ms_per_request']} ms ({parts}) -> at most"
            f" ~{server.get('capacity_rps_estimate')} req/s on these CPUs with nothing else running"
            f" (the load generator itself used {server.get('locust', {}).get('cpu_ms_per_request', '?')} ms per request)",
            file=out,
        )
    print(
        f"  {'request group':<36} {'count':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'races':>6} {'fails':>6}",
        file=out,
    )
    for name, s in results["groups"].items():
        line(name, s)
    line("overall (login included)", results["overall"])
    if results["races"]:
        print("\n  answers to races between users (expected):", file=out)
        for race in results["races"]:
            print(f"    {race['count']:>6} x {race['error']}  ({race['name']})", file=out)
    for failure in results["unexpected"][:10]:
        print(f"  FAILURE {failure['count']} x {failure['name']}: {failure['error']}", file=out)
    for error in results["locustfile_errors"]:
        print(f"  LOCUSTFILE ERROR {error}", file=out)


if __name__ == "__main__":
    print_report(read(sys.argv[1]))
