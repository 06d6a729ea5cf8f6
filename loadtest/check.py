"""After a load run: report Locust's figures, check the invariants in the database, judge the run.

    python -m loadtest.check --csv loadtest/results --results loadtest/results.json --people 100000

Reads Locust's CSV files (the --csv prefix; loadtest/report.py), prints p50/p95 per request group,
checks the invariants, prints PASS/FAIL per target, writes all of it to --results as JSON and exits
non-zero on any failure. Uses the app's settings (DATABASE_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from loadtest.report import print_report, read

DEFAULT_TARGET_LIST_P95_MS = 100.0


def check_invariants(workspace_slug: str, people: int | None = None) -> dict[str, dict]:
    """Each invariant: how many rows break it (0 is good) and a few example ids."""
    from django.db.models import Count, F, Q

    from contacts.models import Contact, Operation, Workspace
    from contacts.rules import OPEN_STAGES

    workspace = Workspace.objects.get(slug=workspace_slug)
    everyone = Contact.objects.all()
    checks = {
        "archived people have no open stage and no assignee": everyone.filter(archived_at__isnull=False).filter(
            Q(stage__in=OPEN_STAGES) | Q(assignee__isnull=False)
        ),
        "deleted people are archived": everyone.filter(deleted_at__isnull=False, archived_at__isnull=True),
        "every person is in the load workspace": everyone.exclude(workspace=workspace),
        "archived/deleted people say by whom": everyone.filter(
            Q(archived_at__isnull=False, archived_by__isnull=True)
            | Q(deleted_at__isnull=False, deleted_by__isnull=True)
        ),
    }
    results = {}
    for name, broken in checks.items():
        results[name] = {"violations": broken.count(), "examples": list(broken.values_list("pk", flat=True)[:5])}
    # One timeline entry per person an operation changed: nothing half-done. (Purges erase their entries.)
    lopsided = (
        Operation.objects.filter(workspace=workspace)
        .exclude(action="purge")
        .annotate(entries_count=Count("entries"))
        .exclude(entries_count=F("count"))
    )
    results["each operation wrote one timeline entry per person it changed"] = {
        "violations": lopsided.count(),
        "examples": list(lopsided.values_list("pk", flat=True)[:5]),
    }
    if people is not None:
        found = workspace.contacts.count()
        results[f"all {people} people are still there (the mix never purges)"] = {
            "violations": abs(found - people),
            "examples": [f"found {found}"] if found != people else [],
        }
    results["_counts"] = {
        "my_people": workspace.contacts.in_my_people().count(),
        "archived": workspace.contacts.archived().count(),
        "deleted": workspace.contacts.deleted().count(),
        "operations": Operation.objects.filter(workspace=workspace).count(),
    }
    return results


def verdict(results: dict, invariants: dict, target_list_p95_ms: float) -> list[tuple[str, bool, str]]:
    """(target, passed, detail) for every target of the load test."""
    overall = results["overall"]
    list_stats = results["groups"].get("list", {})
    broken = {k: v for k, v in invariants.items() if not k.startswith("_") and v["violations"]}
    unexpected = results["unexpected"]
    return [
        ("zero 5xx", overall["5xx"] == 0, f"{overall['5xx']} of {overall['count']}"),
        ("zero network errors", overall["network_errors"] == 0, str(overall["network_errors"])),
        (
            "no unexpected answers",
            overall["count"] > 0 and not unexpected and not results["locustfile_errors"],
            ", ".join(f"{u['count']} x {u['error']}" for u in unexpected)
            or "; ".join(results["locustfile_errors"])
            or ("none" if overall["count"] else "no requests"),
        ),
        (
            "zero invariant violations",
            not broken,
            ", ".join(f"{k}: {v['violations']}" for k, v in broken.items()) or "none",
        ),
        (
            f"p95 of list pages < {target_list_p95_ms:g} ms",
            bool(list_stats) and list_stats["p95_ms"] < target_list_p95_ms,
            f"{list_stats.get('p95_ms', 'n/a')} ms over {list_stats.get('count', 0)} list pages",
        ),
    ]


def print_verdict(rows, invariants, out=sys.stdout) -> bool:
    print("\nInvariants in the database:", file=out)
    for name, value in invariants.items():
        if name.startswith("_"):
            print(f"  counts now: {value}", file=out)
            continue
        mark = "ok  " if not value["violations"] else "FAIL"
        examples = f"  e.g. {value['examples']}" if value["violations"] else ""
        print(f"  {mark} {name}: {value['violations']} violations{examples}", file=out)
    print("\nTargets:", file=out)
    for name, passed, detail in rows:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}  ({detail})", file=out)
    passed = all(p for _, p, _ in rows)
    print(f"\nLOAD TEST {'PASS' if passed else 'FAIL'}", file=out)
    return passed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", default="loadtest/results", help="the --csv prefix Locust wrote its files with")
    parser.add_argument("--results", default="loadtest/results.json", help="where the figures and verdict go")
    parser.add_argument("--people", type=int, default=None, help="how many were seeded (checks none was lost)")
    parser.add_argument("--workspace", default="loadtest")
    parser.add_argument(
        "--target-list-p95-ms",
        type=float,
        default=float(os.environ.get("LOADTEST_TARGET_LIST_P95_MS", DEFAULT_TARGET_LIST_P95_MS)),
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cloze.settings")
    import django

    django.setup()
    results = read(args.csv)
    print("\nRequests by group (Locust; milliseconds):")
    print_report(results)
    invariants = check_invariants(args.workspace, args.people)
    rows = verdict(results, invariants, args.target_list_p95_ms)
    passed = print_verdict(rows, invariants)
    results["invariants"] = invariants
    results["targets"] = [{"target": n, "passed": p, "detail": d} for n, p, d in rows]
    results["passed"] = passed
    Path(args.results).write_text(json.dumps(results, indent=2))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
