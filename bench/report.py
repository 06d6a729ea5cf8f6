"""The targets, the table and the JSON, from the rows the scenarios measured (see bench/README.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import Result

QUERY_CHECK_SIZE = 100  # the same action on 100 people must take as many queries


@dataclass
class Row:
    name: str
    scenario: str
    n: int
    ours: Result
    admin: Result | None = None
    counterpart: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.admin is None or not self.ours.ok or not self.admin.ok or not self.admin.p50:
            return None
        return self.ours.p50 / self.admin.p50

    def as_json(self) -> dict:
        def num(value, digits=2):
            return None if value is None else round(value, digits)

        admin = self.admin
        return {
            "name": self.name,
            "scenario": self.scenario,
            "n": self.n,
            "counterpart": self.counterpart,
            "status": "ok" if self.ours.ok else "failed",
            "error": self.ours.error,
            "ours_ms_p50": num(self.ours.p50),
            "ours_ms_p95": num(self.ours.p95),
            "admin_ms_p50": num(admin.p50) if admin else None,
            "admin_ms_p95": num(admin.p95) if admin else None,
            "admin_status": None if admin is None else ("ok" if admin.ok else "failed"),
            "admin_error": admin.error if admin else "",
            "ratio": num(self.ratio, 3),
            "queries": self.ours.query_count,
            "admin_queries": admin.query_count if admin else None,
            "peak_kib": num(self.ours.peak_kib, 1),
            "admin_peak_kib": num(admin.peak_kib, 1) if admin else None,
            "rounds": len(self.ours.ms),
            **self.extra,
        }


@dataclass
class Target:
    scenario: str
    text: str
    met: bool
    detail: str


def targets(all_rows: list[Row]) -> list[Target]:
    """Each target met or missed, with the figures that decide it."""
    rows = {row.name: row for row in all_rows}
    found = []

    def add(scenario, text, met, detail):
        found.append(Target(scenario, text, bool(met), detail))

    def ms(value):
        return "—" if value is None else f"{value:.1f} ms"

    for name in ("page_first", "filtered"):
        if row := rows.get(name):
            add(
                name,
                "median ≤ admin's",
                row.ratio is not None and row.ratio <= 1,
                f"{ms(row.ours.p50)} vs {ms(row.admin.p50)}",
            )
    if row := rows.get("page_deep"):
        add(
            "page_deep",
            "median ≤ ½ admin's",
            row.ratio is not None and row.ratio <= 0.5,
            f"{ms(row.ours.p50)} vs {ms(row.admin.p50)} (ratio {row.ratio or 0:.2f})",
        )
    for name in ("confirm_10k", "archive_10k", "delete_10k"):
        if row := rows.get(name):
            small = row.extra.get(f"queries_at_{QUERY_CHECK_SIZE}")
            flat = row.ours.ok and small == row.ours.query_count and len(set(row.ours.queries)) == 1
            add(
                name,
                "completes, queries independent of N",
                flat,
                f"{row.ours.error or 'ok'}; {row.ours.query_count} queries at {row.n:,}, {small} at {QUERY_CHECK_SIZE}",
            )
    if row := rows.get("archive_10k"):
        add(
            "archive_10k",
            "within 1.5× the update() floor",
            row.ratio is not None and row.ratio <= 1.5,
            f"{ms(row.ours.p50)} vs {ms(row.admin.p50)} (ratio {row.ratio or 0:.2f})",
        )
    if row := rows.get("archive_10k_vs_save"):
        speedup = (row.admin.p50 / row.ours.p50) if row.ratio else None
        add(
            "archive_10k",
            "≥ 20× faster than save() per person",
            speedup is not None and speedup >= 20,
            f"{ms(row.ours.p50)} vs {ms(row.admin.p50)} ({speedup or 0:.0f}× faster)",
        )
    scaling = [row for row in all_rows if row.scenario == "scaling"]
    if scaling:
        counts = {row.ours.query_count for row in scaling}
        add(
            "scaling",
            "same query count at every size",
            len(counts) == 1 and all(r.ours.ok for r in scaling),
            ", ".join(f"{r.n:,}: {r.ours.query_count}" for r in scaling),
        )
        add("scaling", "time roughly linear (never grows faster than the size)", *linear(scaling))
    return found


def linear(rows: list[Row]) -> tuple[bool, str]:
    """Each 10× step may cost at most ~1.5× its share (sub-linear is fine: fixed costs dominate small sizes)."""
    steps, ok = [], True
    for smaller, larger in zip(rows, rows[1:]):
        if not (smaller.ours.ok and larger.ours.ok):
            return False, "a size failed"
        growth = larger.ours.p50 / smaller.ours.p50
        size_growth = larger.n / smaller.n
        ok &= growth <= 1.5 * size_growth
        steps.append(f"×{size_growth:g} people → ×{growth:.1f} time")
    last = rows[-1]
    per = last.ours.p50 / last.n * 1000 if last.ours.ok else 0
    return ok, "; ".join(steps) + f"; {per:.0f} µs per person at {last.n:,}"


def report(rows: list[Row], meta: dict, say: Callable[[str], None]) -> dict:
    """Print the table and the targets; return the JSON's data."""
    found = targets(rows)
    print_table(rows, meta, found, say)
    return {
        "meta": meta,
        "scenarios": [row.as_json() for row in rows],
        "targets": [t.__dict__ for t in found],
    }


def print_table(rows: list[Row], meta: dict, found: list[Target], say: Callable[[str], None]) -> None:
    def ms(value):
        return "" if value is None else f"{value:,.1f}"

    def kib(value):
        return "" if value is None else f"{value:,.0f}"

    head = (
        "scenario",
        "n",
        "ours p50",
        "ours p95",
        "admin p50",
        "admin p95",
        "ours/admin",
        "queries",
        "peak KiB",
        "admin is",
    )
    lines = [head]
    for row in rows:
        admin = row.admin
        if admin is None:
            admin_cells = ("", "", "", "", "")
        elif admin.ok:
            admin_cells = (
                ms(admin.p50),
                ms(admin.p95),
                f"{row.ratio:.2f}" if row.ratio is not None else "",
                str(admin.query_count),
                kib(admin.peak_kib),
            )
        else:
            admin_cells = ("FAILED", "", "", "", kib(admin.peak_kib))
        ours_cells = (ms(row.ours.p50), ms(row.ours.p95)) if row.ours.ok else ("FAILED", "")
        lines.append(
            (
                row.name,
                f"{row.n:,}",
                *ours_cells,
                admin_cells[0],
                admin_cells[1],
                admin_cells[2],
                f"{row.ours.query_count if row.ours.query_count is not None else ''}"
                + (f" / {admin_cells[3]}" if admin_cells[3] else ""),
                kib(row.ours.peak_kib) + (f" / {admin_cells[4]}" if admin_cells[4] else ""),
                row.counterpart,
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    m = meta
    say(
        f"\n{m['database']} {m['database_version']} · {m['contacts']:,} contacts · "
        f"seeded in {m['seed_seconds']} s · rounds {m['rounds']} (heavy {m['heavy_rounds']}) · "
        "milliseconds per request; queries and peak KiB ours / admin\n\n"
    )
    for i, line in enumerate(lines):
        cells = [
            str(c).ljust(w) if j in (0, len(head) - 1) else str(c).rjust(w)
            for j, (c, w) in enumerate(zip(line, widths))
        ]
        say("  ".join(cells).rstrip() + "\n")
        if i == 0:
            say("  ".join("-" * w for w in widths) + "\n")
    failures = [(row, side) for row in rows for side in (row.ours, row.admin) if side and side.error]
    if failures:
        say("\nFailed:\n")
        for row, side in failures:
            who = "ours" if side is row.ours else f"admin ({row.counterpart})"
            say(f"  {row.name}: {who}: {side.error}\n")
    for row in rows:
        if row.extra.get("messages_per_s"):
            say(
                f"\n{row.name}: {row.extra['messages_per_s']:,} messages per second "
                f"({row.extra['messages_known']:,} from known people, {row.extra['messages_unknown']:,} discovered)\n"
            )
    say("\nTargets:\n")
    for target in found:
        say(f"  [{'met' if target.met else 'MISSED'}] {target.scenario}: {target.text} — {target.detail}\n")


def write_json(data: dict, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, indent=2) + "\n")
