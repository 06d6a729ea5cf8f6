"""`python -m bench` (what `make bench` runs): the options, the database, the JSON.

Runs in a fresh database of its own (bench_<name>, or a temporary SQLite file) that it drops at
the end, or with --in-place in the configured one. The benchmark is not an installed app (it is
not part of the product), so this is a plain command line that sets Django up itself, after
reading --database-url: settings are read once, at start-up.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django
from django.apps import apps
from django.db import connections
from django.test.utils import override_settings

from bench import SCENARIOS

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.json"


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(
        prog="python -m bench",
        description="Seed N people and time our pages and bulk actions against the stock Django admin, side by "
        "side. Runs in a fresh database of its own (bench_<name>, or a temporary SQLite file) that it drops at "
        "the end.",
    )
    found.add_argument("--contacts", type=int, default=100_000, help="People in the main workspace (100,000).")
    found.add_argument("--rounds", type=int, default=5, help="Timed rounds per scenario (5).")
    found.add_argument(
        "--heavy-rounds",
        type=int,
        default=None,
        help="Rounds for the destructive 10k/100k scenarios (default: --rounds, at most 3).",
    )
    found.add_argument("--database-url", help="Run against this database (sets DATABASE_URL before settings load).")
    found.add_argument(
        "--output", default=str(DEFAULT_OUTPUT), help="Where the figures go as JSON (bench/results.json)."
    )
    found.add_argument(
        "--in-place",
        action="store_true",
        help="Use the configured database itself, in throwaway bench-* workspaces deleted at the end "
        "(the test suite's smoke run does this inside its test database).",
    )
    found.add_argument("--only", default="", help=f"Comma-separated scenarios, of: {', '.join(SCENARIOS)}.")
    found.add_argument("--seed", type=int, default=2024, help="Random seed for the generated people.")
    return found


def main(argv: list[str] | None = None, stdout=None) -> int:
    command = parser()
    options = command.parse_args(argv)
    out = stdout or sys.stdout
    if options.contacts < 100:
        command.error("--contacts must be at least 100.")
    if options.rounds < 1:
        command.error("--rounds must be at least 1.")
    only = [s.strip() for s in options.only.split(",") if s.strip()]
    unknown = set(only) - set(SCENARIOS)
    if unknown:
        command.error(f"unknown scenario(s): {', '.join(sorted(unknown))}. Known: {', '.join(SCENARIOS)}.")
    set_up_django(command, options.database_url)

    # Only now: these import the app's models, which need Django set up.
    from bench.harness import bench_settings, fresh_database
    from bench.report import write_json
    from bench.scenarios import Benchmark

    benchmark = Benchmark(
        contacts=options.contacts,
        rounds=options.rounds,
        heavy_rounds=options.heavy_rounds or min(options.rounds, 3),
        seed=options.seed,
        only=only,
        stdout=out,
        cleanup=options.in_place,
    )
    with override_settings(**bench_settings()):
        if options.in_place:
            data = benchmark.run()
        else:
            with fresh_database() as name:
                out.write(f"Fresh {connections['default'].vendor} database {name}\n")
                data = benchmark.run()
    write_json(data, Path(options.output))
    out.write(f"\nWrote {options.output}\n")
    return 0


def set_up_django(command: argparse.ArgumentParser, database_url: str | None) -> None:
    if apps.ready:  # called from code (the tests): the database is whatever is configured already
        if database_url and database_url != os.environ.get("DATABASE_URL"):
            command.error("--database-url works from the command line; from code, set DATABASE_URL first.")
        return
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cloze.settings")
    django.setup()
